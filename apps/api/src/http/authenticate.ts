import type { UserId } from '@org/db';
import type { Session } from '@org/sessions';
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { AppContext } from '../context.js';
import { ProblemError } from './ProblemError.js';
import { clearSessionCookies, LEGACY_COOKIE_NAMES, readSessionCookie } from './sessionCookie.js';

export interface Auth {
  session: Session<UserId>;
  token: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in session, set by `requireSession`. */
    auth: Auth | null;
  }
}

/**
 * Resolves the session cookie. An unknown cookie (expired, logged out, or from the old system) is not an
 * error: it is cleared and the request is treated as signed out, so an old browser is simply asked to sign
 * in again. Redis being down is an error (503), never "signed out".
 */
export async function resolveSession(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  options: { logUser?: boolean } = {},
): Promise<Auth | null> {
  const token = readSessionCookie(request, ctx.config);
  if (token === undefined) {
    if (LEGACY_COOKIE_NAMES.some((name) => request.cookies[name] !== undefined)) {
      clearSessionCookies(request, reply, ctx.config);
    }
    return null;
  }
  const session = await ctx.sessions.authenticate(token);
  if (session === null) {
    clearSessionCookies(request, reply, ctx.config);
    return null;
  }
  if (options.logUser ?? true) attachUserToLogs(request, reply, session.userId);
  const auth = { session, token };
  request.auth = auth;
  return auth;
}

/**
 * Every later line of the request carries `userId` (the user's UUID: logs are internal, ids never leave in
 * responses), including Fastify's "request completed", which it writes with `reply.log`.
 */
export function attachUserToLogs(request: FastifyRequest, reply: FastifyReply, userId: UserId): void {
  request.log = request.log.child({ userId });
  reply.log = request.log;
}

/**
 * onRequest hook for routes that need a signed-in user: 401 problem (and a cleared cookie) otherwise. It runs
 * before the body is parsed or validated, so anonymous requests learn nothing about the route's input.
 */
export function requireSession(ctx: AppContext): onRequestAsyncHookHandler {
  return async (request, reply) => {
    if ((await resolveSession(ctx, request, reply)) === null) throw ProblemError.unauthenticated();
  };
}

/** The session of a route guarded by `requireSession`. */
export function authOf(request: FastifyRequest): Auth {
  if (request.auth === null) throw ProblemError.unauthenticated();
  return request.auth;
}
