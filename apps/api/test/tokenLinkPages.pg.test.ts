import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestApp } from './testApp.js';

// One Redis only: static pages that read nothing from Redis.
const t = useTestApp();

/**
 * Issue 13, item 17: the emailed links opened a 404 (the token must be POSTed). The worker's default links
 * (`http://localhost:3000/verify-email?token=…`, `/reset-password?token=…`) now open these pages.
 */
describe.each([
  ['/verify-email', '/auth/verify-email'],
  ['/reset-password', '/auth/password-reset/confirm'],
])('GET %s', (page, action) => {
  it(`is a page whose script POSTs the token of its own URL to ${action}`, async () => {
    const token = 'a'.repeat(43);
    const res = await t.app.inject({ method: 'GET', url: `${page}?token=${token}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain(`fetch(${JSON.stringify(action)}`);
    expect(res.body).not.toContain(token);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('allows exactly its own inline script under its content security policy', async () => {
    const res = await t.app.inject({ method: 'GET', url: page });
    const script = /<script>([\s\S]*)<\/script>/.exec(res.body)?.[1] ?? '';
    const hash = createHash('sha256').update(script).digest('base64');
    expect(res.headers['content-security-policy']).toContain(`script-src 'sha256-${hash}'`);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  });
});
