/**
 * Access tokens: compact JWTs signed with HMAC-SHA256 (node:crypto, no dependency). Only HS256 is
 * accepted, whatever the header says, so "alg: none" and key-confusion tricks fail.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface AccessClaims {
  sub: string;
  iat: number;
  exp: number;
  typ: 'access';
  /** The session (its refresh token's id when issued) the token belongs to, so the account page can mark it. */
  sid?: string;
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');
const HEADER = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function sign(input: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(input).digest();
}

export function signAccessToken(
  userId: string,
  secret: string,
  ttlSeconds: number,
  now = Date.now(),
  sid?: string,
): string {
  const iat = Math.floor(now / 1000);
  const claims: AccessClaims = { sub: userId, iat, exp: iat + ttlSeconds, typ: 'access', ...(sid ? { sid } : {}) };
  const body = `${HEADER}.${b64(JSON.stringify(claims))}`;
  return `${body}.${sign(body, secret).toString('base64url')}`;
}

/** The claims of a valid, unexpired access token, or null (the reason stays private: 401 either way). */
export function verifyAccessToken(token: string, secret: string, now = Date.now()): AccessClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [header, payload, signature] = parts;
  let given: Buffer;
  try {
    given = Buffer.from(signature, 'base64url');
  } catch {
    return null;
  }
  const expected = sign(`${header}.${payload}`, secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const h = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown };
    if (h.alg !== 'HS256') return null;
    const c = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<AccessClaims>;
    if (c.typ !== 'access' || typeof c.sub !== 'string' || typeof c.exp !== 'number') return null;
    if (c.exp * 1000 <= now) return null;
    return c as AccessClaims;
  } catch {
    return null;
  }
}
