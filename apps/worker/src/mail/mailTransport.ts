/** One email, already rendered. `messageId` is deterministic per token, so a resend is recognisable. */
export interface MailMessage {
  messageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * Where emails go. `deliver` resolves once the message is handed over, and throws when it certainly was
 * not. `wasDelivered` answers whether a message id was handed over before (a crash between delivering and
 * recording it); transports that cannot know (SMTP) leave it out.
 */
export interface MailTransport {
  readonly kind: string;
  deliver(message: MailMessage): Promise<void>;
  wasDelivered?(messageId: string): Promise<boolean>;
  close(): Promise<void>;
}
