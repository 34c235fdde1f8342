/**
 * The browser's session: the refresh token lives in an httpOnly, SameSite=Strict cookie scoped to
 * /api/auth, so page scripts never see it. Writes that the cookie authenticates (refresh, logout)
 * also need the CSRF token in the X-CSRF-Token header: a double-submit value that is an HMAC of the
 * refresh token, so a cookie planted by a sibling origin cannot be paired with a header it chose.
 * The CSRF value rides in a readable cookie so a reloaded page can refresh before it has any state.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UserError } from '../errors.ts';

export const REFRESH_COOKIE = 'tm_refresh';
export const CSRF_COOKIE = 'tm_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export function csrfToken(secret: string, refreshToken: string): string {
  return createHmac('sha256', secret).update(`csrf:${refreshToken}`).digest('base64url');
}

function secure(req: FastifyRequest): boolean {
  return req.protocol === 'https';
}

/** Sets both cookies for a new refresh token; returns the CSRF token for the response body. */
export function setSessionCookies(
  req: FastifyRequest,
  reply: FastifyReply,
  secret: string,
  refreshToken: string,
  maxAgeSeconds: number,
): string {
  const csrf = csrfToken(secret, refreshToken);
  const base = { sameSite: 'strict' as const, secure: secure(req), maxAge: maxAgeSeconds };
  void reply.setCookie(REFRESH_COOKIE, refreshToken, { ...base, httpOnly: true, path: '/api/auth' });
  void reply.setCookie(CSRF_COOKIE, csrf, { ...base, httpOnly: false, path: '/' });
  return csrf;
}

export function clearSessionCookies(reply: FastifyReply): void {
  void reply.clearCookie(REFRESH_COOKIE, { path: '/api/auth' });
  void reply.clearCookie(CSRF_COOKIE, { path: '/' });
}

/**
 * The refresh token from the cookie when the request carries one, after checking the CSRF header;
 * undefined without the cookie. A cookie without a matching header is refused (403).
 */
export function cookieRefreshToken(req: FastifyRequest, secret: string): string | undefined {
  const token = req.cookies[REFRESH_COOKIE];
  if (!token) return undefined;
  const header = req.headers[CSRF_HEADER];
  const sent = Buffer.from(typeof header === 'string' ? header : '');
  const want = Buffer.from(csrfToken(secret, token));
  if (sent.length !== want.length || !timingSafeEqual(sent, want))
    throw new UserError(`missing or wrong ${CSRF_HEADER} header for the session cookie`, 403);
  return token;
}
