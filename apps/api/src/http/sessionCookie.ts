import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../config.js';

/** Cookie names of the old system (Django's default); seen on a request, they are cleared. */
export const LEGACY_COOKIE_NAMES = ['sessionid'] as const;

/** `__Host-` binds the cookie to this host, https and path `/` (it requires `Secure`). */
export function sessionCookieName(config: AppConfig): string {
  return config.session.cookieSecure ? '__Host-sid' : 'sid';
}

export function readSessionCookie(request: FastifyRequest, config: AppConfig): string | undefined {
  return request.cookies[sessionCookieName(config)];
}

export function setSessionCookie(reply: FastifyReply, config: AppConfig, token: string): void {
  reply.setCookie(sessionCookieName(config), token, {
    httpOnly: true,
    secure: config.session.cookieSecure,
    sameSite: 'lax',
    path: '/',
    maxAge: config.session.absoluteTtlSeconds,
  });
}

/** Clears the session cookie (and any legacy one the request carried): the browser is signed out. */
export function clearSessionCookies(request: FastifyRequest, reply: FastifyReply, config: AppConfig): void {
  reply.clearCookie(sessionCookieName(config), {
    httpOnly: true,
    secure: config.session.cookieSecure,
    sameSite: 'lax',
    path: '/',
  });
  for (const name of LEGACY_COOKIE_NAMES) {
    if (request.cookies[name] !== undefined) reply.clearCookie(name, { path: '/' });
  }
}
