import type { Env } from '../env.js';
import { createFileMailTransport } from './fileMailTransport.js';
import type { MailTransport } from './mailTransport.js';
import { createSmtpMailTransport } from './smtpMailTransport.js';

/** The transport `MAIL_TRANSPORT` names: `file` (default, into `MAIL_DIR`) or `smtp` (`SMTP_*`). */
export function createMailTransport(env: Env): MailTransport {
  if (env.MAIL_TRANSPORT === 'file') return createFileMailTransport(env.MAIL_DIR);
  if (env.SMTP_HOST === undefined) throw new Error('SMTP_HOST is required when MAIL_TRANSPORT=smtp');
  return createSmtpMailTransport({
    host: env.SMTP_HOST,
    port: env.SMTP_PORT,
    secure: env.SMTP_SECURE,
    user: env.SMTP_USER,
    pass: env.SMTP_PASS,
  });
}
