import { describe, expect, it } from 'vitest';
import { renderTokenEmail } from '../src/mail/renderTokenEmail.js';

const base = {
  tokenId: '1f0c8e2a-0000-6000-8000-000000000001',
  to: 'ada@example.test',
  link: 'https://app.example.test/verify-email?token=abc_DEF-123',
  expiresAt: new Date('2030-01-01T00:00:00Z'),
  from: 'Accounts <no-reply@example.test>',
};

describe('renderTokenEmail', () => {
  it('derives the message id from the token, so every attempt sends the same message', () => {
    const message = renderTokenEmail({ ...base, kind: 'send-verification-email', firstName: 'Ada' });
    expect(message.messageId).toBe(`<send-verification-email.${base.tokenId}@worker.local>`);
    expect(message).toMatchObject({ to: base.to, from: base.from, subject: 'Confirm your email address' });
    expect(message.text).toContain(base.link);
    expect(message.text).toContain('2030-01-01T00:00:00.000Z');
  });

  it('escapes user-controlled text in the HTML part', () => {
    const message = renderTokenEmail({
      ...base,
      kind: 'send-password-reset',
      firstName: '<img src=x onerror=alert(1)>',
    });
    expect(message.html).not.toContain('<img');
    expect(message.html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(message.subject).toBe('Reset your password');
  });

  it('greets without a name when the user has none', () => {
    expect(renderTokenEmail({ ...base, kind: 'send-verification-email', firstName: '' }).text).toMatch(
      /^Hello,\n/,
    );
  });
});
