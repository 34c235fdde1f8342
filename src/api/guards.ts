/**
 * Route guards, run as onRequest hooks so a request without the right token is refused before its
 * body is read. A request is authenticated by `Authorization: Bearer <access token>`; the token's
 * user is read from the database on every request, so a deactivated or demoted user loses access at once. No or bad token: 401. A valid non-admin on an admin route: 403.
 * A personal API token (tmk_…) stands for its user too; with the read scope only reads pass.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticateApiToken, looksLikeApiToken, type ApiTokenScope } from '../accounts/api-tokens.ts';
import { authenticateSession } from '../accounts/auth.ts';
import type { User } from '../accounts/users.ts';
import { problem } from './problem.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated user, set by requireUser / requireAdmin. */
    user: User | null;
    /** Set when the request came with a personal API token instead of a session's access token. */
    apiTokenScope?: ApiTokenScope;
    /** The signed-in session an access token belongs to (null for API tokens and older tokens). */
    sessionId?: string | null;
  }
}

function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : null;
}

// Awaiting the reply ends the request here: Fastify skips the handler once a hook has replied.
async function deny(reply: FastifyReply, status: 401 | 403, detail: string): Promise<void> {
  if (status === 401) void reply.header('www-authenticate', 'Bearer');
  await reply.status(status).type('application/problem+json').send(problem(status, detail));
}

const NO_TOKEN = 'authentication required: send Authorization: Bearer <access token>';

async function resolveUser(req: FastifyRequest): Promise<User | null> {
  const token = bearer(req);
  if (!token) return null;
  if (looksLikeApiToken(token)) {
    const found = await authenticateApiToken(req.server.db, token);
    if (found) req.apiTokenScope = found.scope;
    return found?.user ?? null;
  }
  const found = await authenticateSession(req.server.db, await req.server.auth.secret(), token);
  if (found) req.sessionId = found.sessionId;
  return found?.user ?? null;
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Authenticates; a read-scoped API token may only read. Returns false when it has replied. */
async function authenticated(req: FastifyRequest, reply: FastifyReply): Promise<User | null> {
  const user = await resolveUser(req);
  if (!user) {
    await deny(reply, 401, req.headers.authorization ? 'invalid or expired access token' : NO_TOKEN);
    return null;
  }
  if (req.apiTokenScope === 'read' && !READS.has(req.method)) {
    await deny(reply, 403, 'this API token has the read scope: it can only read (create a write token to change data)');
    return null;
  }
  return user;
}

export async function requireUser(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const user = await authenticated(req, reply);
  if (user) req.user = user;
}

export async function requireAdmin(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const user = await authenticated(req, reply);
  if (!user) return;
  if (!user.is_admin) return deny(reply, 403, 'this route needs an administrator');
  req.user = user;
}

/** A signed-in session, not an API token: for managing tokens, the password and the email. */
export async function requireSession(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const user = await authenticated(req, reply);
  if (!user) return;
  if (req.apiTokenScope) return deny(reply, 403, 'an API token cannot manage the account: sign in to do this');
  req.user = user;
}

/** The user a guarded handler runs for (requireUser/requireAdmin ran first). */
export function currentUser(req: FastifyRequest): User {
  if (!req.user) throw new Error('route is missing its requireUser guard');
  return req.user;
}
