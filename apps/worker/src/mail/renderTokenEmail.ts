import type { EmailJobName } from '@org/jobs';
import type { MailMessage } from './mailTransport.js';

export interface TokenEmailInput {
  kind: EmailJobName;
  tokenId: string;
  to: string;
  firstName: string;
  link: string;
  expiresAt: Date;
  from: string;
}

const copy = {
  'send-verification-email': {
    subject: 'Confirm your email address',
    intro: 'Please confirm your email address by opening this link:',
    outro: 'If you did not create an account, you can ignore this message.',
  },
  'send-password-reset': {
    subject: 'Reset your password',
    intro: 'Someone asked to reset the password of your account. To choose a new one, open this link:',
    outro: 'If it was not you, ignore this message: your password stays the same.',
  },
} as const;

/**
 * Renders a verification or password-reset email. The message id is derived from the token id, so every
 * attempt for one token produces the same id (the file transport and mail servers can recognise it).
 */
export function renderTokenEmail(input: TokenEmailInput): MailMessage {
  const text = copy[input.kind];
  const greeting = input.firstName ? `Hello ${input.firstName},` : 'Hello,';
  const expires = `The link expires at ${input.expiresAt.toISOString()}.`;
  return {
    messageId: `<${input.kind}.${input.tokenId}@worker.local>`,
    from: input.from,
    to: input.to,
    subject: text.subject,
    text: [greeting, '', text.intro, input.link, '', expires, text.outro].join('\n'),
    html: [
      `<p>${escapeHtml(greeting)}</p>`,
      `<p>${escapeHtml(text.intro)}</p>`,
      `<p><a href="${escapeHtml(input.link)}">${escapeHtml(input.link)}</a></p>`,
      `<p>${escapeHtml(expires)} ${escapeHtml(text.outro)}</p>`,
    ].join('\n'),
  };
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
