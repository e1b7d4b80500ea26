import { createTransport } from 'nodemailer';
import type { MailTransport } from './mailTransport.js';

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string | undefined;
  pass?: string | undefined;
}

/**
 * Delivers through an SMTP server (nodemailer). It cannot tell afterwards whether a message went out, so
 * it has no `wasDelivered`: an attempt that crashed mid-send is not repeated (see the README).
 *
 * @example
 * const transport = createSmtpMailTransport({ host: 'smtp.example.com', port: 587, secure: false });
 */
export function createSmtpMailTransport(settings: SmtpSettings): MailTransport {
  const transporter = createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    ...(settings.user !== undefined ? { auth: { user: settings.user, pass: settings.pass ?? '' } } : {}),
  });
  return {
    kind: 'smtp',
    async deliver(message) {
      await transporter.sendMail({
        messageId: message.messageId,
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
      });
    },
    async close() {
      transporter.close();
    },
  };
}
