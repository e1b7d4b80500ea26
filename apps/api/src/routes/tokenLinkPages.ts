import { createHash } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';

interface TokenLinkPage {
  readonly path: string;
  readonly title: string;
  /** The form's fields besides the token, as HTML. */
  readonly fields: string;
  readonly button: string;
  /** The api route the page POSTs the token to, and the JSON body it sends. */
  readonly action: string;
  readonly body: string;
  readonly done: string;
}

/**
 * The pages the emailed links open (`VERIFY_EMAIL_URL` / `RESET_PASSWORD_URL` of the worker default to them):
 * the token must be POSTed, so each page is a small form whose script sends the token from its own URL to the
 * api route and shows the answer. The token is never written into the HTML, the page is not cached, sends no
 * referrer, and its content security policy allows only its own script and requests to this api.
 */
const PAGES: readonly TokenLinkPage[] = [
  {
    path: '/verify-email',
    title: 'Verify your email address',
    fields: '',
    button: 'Verify my email address',
    action: '/auth/verify-email',
    body: '{ token }',
    done: 'Your email address is verified.',
  },
  {
    path: '/reset-password',
    title: 'Choose a new password',
    fields:
      '<label>New password <input name="newPassword" type="password" minlength="10" maxlength="256" required autocomplete="new-password"></label>',
    button: 'Set my new password',
    action: '/auth/password-reset/confirm',
    body: '{ token, newPassword: form.newPassword.value }',
    done: 'Your password was changed. Sign in with it; every other session was ended.',
  },
];

function render(page: TokenLinkPage): { html: string; csp: string } {
  const script = `const form = document.querySelector('form');
const out = document.querySelector('output');
const token = new URLSearchParams(location.search).get('token') ?? '';
if (token === '') out.textContent = 'This link has no token: open the link from the email again.';
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const response = await fetch(${JSON.stringify(page.action)}, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(${page.body}),
  });
  const problem = response.ok ? null : await response.json().catch(() => null);
  out.textContent = response.ok ? ${JSON.stringify(page.done)} : (problem?.detail ?? problem?.title ?? 'HTTP ' + response.status);
});`;
  const hash = createHash('sha256').update(script).digest('base64');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${page.title}</title></head>
<body><h1>${page.title}</h1>
<form>${page.fields}<button type="submit">${page.button}</button></form>
<p><output></output></p>
<script>${script}</script></body></html>
`;
  const csp = `default-src 'none'; script-src 'sha256-${hash}'; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'`;
  return { html, csp };
}

/** GET pages for the emailed verification and password-reset links (hidden from the OpenAPI document). */
export function tokenLinkPages(): FastifyPluginAsync {
  return async (app) => {
    for (const page of PAGES) {
      const { html, csp } = render(page);
      app.get(page.path, { schema: { hide: true } }, async (_request, reply) =>
        reply
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .header('referrer-policy', 'no-referrer')
          .header('content-security-policy', csp)
          .send(html),
      );
    }
  };
}
