/** Registration, login, token refresh and logout: the library behind /api/auth. */
import { pgError } from '../db/pg-errors.ts';
import type { AuthConfig } from '../config.ts';
import type { Database, Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { signAccessToken, verifyAccessToken } from './jwt.ts';
import { burnVerification, verifyPassword } from './passwords.ts';
import {
  findRefreshToken,
  issueRefreshToken,
  pruneRefreshTokens,
  revokeAllRefreshTokens,
  revokeRefreshToken,
  type SessionMeta,
} from './refresh-tokens.ts';
import { findForLogin, getUser, recordLogin, type User } from './users.ts';

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  /** Seconds until the access token expires. */
  expires_in: number;
}

export interface AuthContext {
  config: AuthConfig;
  secret: string;
}

/** One message for unknown users and wrong passwords, so login does not reveal which usernames exist. */
export const BAD_CREDENTIALS = 'invalid username or password';

async function issue(q: Queryable, ctx: AuthContext, userId: string, meta: SessionMeta = {}): Promise<TokenPair> {
  const refresh = await issueRefreshToken(q, userId, ctx.config.refreshTokenTtl, meta);
  return {
    access_token: signAccessToken(userId, ctx.secret, ctx.config.accessTokenTtl, Date.now(), refresh.id),
    refresh_token: refresh.token,
    token_type: 'Bearer',
    expires_in: ctx.config.accessTokenTtl,
  };
}

/** Checks a password; returns the user on success, or null (callers count failures for rate limits). */
export async function checkCredentials(q: Queryable, username: string, password: string): Promise<User | null> {
  const found = await findForLogin(q, username);
  if (!found) {
    await burnVerification(password);
    return null;
  }
  const { password_hash, ...user } = found;
  return (await verifyPassword(password_hash, password)) ? user : null;
}

export async function login(db: Database, ctx: AuthContext, user: User, meta: SessionMeta = {}): Promise<TokenPair> {
  if (!user.is_active) throw new UserError('this account is deactivated', 403);
  return db.transaction(async (tx) => {
    await recordLogin(tx, user.id);
    await pruneRefreshTokens(tx, user.id);
    return issue(tx, ctx, user.id, { userAgent: meta.userAgent });
  });
}

/** The answer to a refresh that lost a race with a parallel refresh of the same token: nothing is revoked. */
export const REFRESH_RACE =
  'this refresh token was rotated a moment ago by a parallel request; use the pair that request received';

/**
 * Trades a live refresh token for a new pair; the old one is revoked (rotation). A rotated token
 * presented again within `refreshGraceSeconds` is a parallel request (two browser tabs): 409, nothing
 * revoked. Later it means someone kept a copy: every refresh token of the user is revoked.
 */
export async function refresh(
  db: Database,
  ctx: AuthContext,
  token: string,
  meta: SessionMeta = {},
): Promise<TokenPair> {
  const stored = await findRefreshToken(db, token);
  if (!stored || stored.expired) throw new UserError('invalid or expired refresh token', 401);
  if (stored.revoked) {
    if (stored.rotated && (stored.revoked_seconds_ago ?? Infinity) <= ctx.config.refreshGraceSeconds) {
      throw new UserError(REFRESH_RACE, 409);
    }
    // A rotated token came back: someone holds a copy. End every session of that user.
    if (stored.rotated) await revokeAllRefreshTokens(db, stored.user_id);
    throw new UserError('invalid or expired refresh token', 401);
  }
  const user = await getUser(db, stored.user_id);
  if (!user?.is_active) throw new UserError('invalid or expired refresh token', 401);
  return db.transaction(async (tx) => {
    // The session goes on: it keeps its start, and shows the browser that refreshed it last.
    const pair = await issue(tx, ctx, user.id, {
      startedAt: stored.session_started_at,
      userAgent: meta.userAgent ?? stored.user_agent ?? undefined,
    });
    const newId = pair.refresh_token.slice(0, pair.refresh_token.indexOf('.'));
    if (!(await revokeRefreshToken(tx, stored.id, newId))) {
      // Another request rotated it first: this one must not get a second live token.
      throw new UserError(REFRESH_RACE, 409);
    }
    return pair;
  });
}

/** Revokes the given refresh token (if it is this user's), or all of the user's when none is given. */
export async function logout(q: Queryable, userId: string, token?: string): Promise<void> {
  if (token === undefined) {
    await revokeAllRefreshTokens(q, userId);
    return;
  }
  const stored = await findRefreshToken(q, token);
  if (stored && stored.user_id === userId) await revokeRefreshToken(q, stored.id);
}

/** The active user a bearer token stands for, or null. The user row is read every time, so
 *  deactivation and demotion take effect at once, not when the token expires. */
export async function authenticate(q: Queryable, secret: string, token: string): Promise<User | null> {
  return (await authenticateSession(q, secret, token))?.user ?? null;
}

/** The user and the session id (when the token carries one) an access token stands for, or null. */
export async function authenticateSession(
  q: Queryable,
  secret: string,
  token: string,
): Promise<{ user: User; sessionId: string | null } | null> {
  const claims = verifyAccessToken(token, secret);
  if (!claims) return null;
  // A subject that is not a uuid is a bad token (22P02); any other error is the database's, not a 401.
  const user = await getUser(q, claims.sub).catch((err: unknown) => {
    if (pgError(err).code === '22P02') return null;
    throw err;
  });
  return user?.is_active ? { user, sessionId: claims.sid ?? null } : null;
}
