/** The users table: accounts, their password hashes (never leaving this module) and flags. */
import type { Queryable } from '../db/types.ts';
import { isUniqueViolation } from '../db/pg-errors.ts';
import { UserError } from '../errors.ts';
import type { Page, PageQuery } from '../db/page.ts';
import { checkPasswordPolicy, hashPassword } from './passwords.ts';
import { canonicalUsername } from './username.ts';

/** A user as it may be shown: everything but the password hash. */
export type User = {
  id: string;
  username: string;
  email: string;
  is_active: boolean;
  is_admin: boolean;
  created_at: Date;
  updated_at: Date;
  last_login: Date | null;
};

const COLUMNS = 'id, username, email, is_active, is_admin, created_at, updated_at, last_login';

export const USERNAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$/;
export const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface NewUser {
  username: string;
  email: string;
  password: string;
  is_admin?: boolean;
}

export function checkNewUser(u: NewUser): void {
  if (!USERNAME_RE.test(u.username)) {
    throw new UserError('username: 3-64 characters: letters, digits, "_", "." or "-", starting with a letter or digit');
  }
  if (u.email.length > 320 || !EMAIL_RE.test(u.email)) throw new UserError('email: not a valid email address');
  checkPasswordPolicy(u.password);
}

/** The email belongs to another account (the public registration route does not say so: docs/security.md). */
export class EmailTakenError extends UserError {
  constructor() {
    super('email is already registered', 409);
    this.name = 'EmailTakenError';
  }
}

/** Hashes a password; registration takes it as a parameter so tests can count the work done. */
export type Hasher = (password: string) => Promise<string>;

const usernameTaken = (username: string) =>
  new UserError(`username "${username}" is taken (usernames are compared ignoring case and width)`, 409);

export async function createUser(q: Queryable, u: NewUser, hash: Hasher = hashPassword): Promise<User> {
  checkNewUser(u);
  const passwordHash = await hash(u.password);
  try {
    const r = await q.query<User>(
      `INSERT INTO users (username, username_key, email, password_hash, is_admin) VALUES ($1, $2, $3, $4, $5)
       RETURNING ${COLUMNS}`,
      [u.username, canonicalUsername(u.username), u.email, passwordHash, u.is_admin ?? false],
    );
    return r.rows[0];
  } catch (err) {
    if (isUniqueViolation(err, 'users_username_key')) throw usernameTaken(u.username);
    if (isUniqueViolation(err, 'users_email_key')) throw new EmailTakenError();
    throw err;
  }
}

/**
 * Public registration: the same work whether the email is new or taken — one password hash and one
 * statement — so neither the answer nor its time tells which addresses have accounts. Returns whether
 * an account was created; a taken username is a 409 (usernames are public anyway).
 */
export async function registerUser(q: Queryable, u: NewUser, hash: Hasher = hashPassword): Promise<boolean> {
  checkNewUser(u);
  const passwordHash = await hash(u.password);
  const key = canonicalUsername(u.username);
  // The outer SELECT sees the table as it was before the INSERT (one snapshot): "taken" means by someone else.
  const r = await q.query<{ created: boolean; username_taken: boolean }>(
    `WITH ins AS (
       INSERT INTO users (username, username_key, email, password_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING id
     )
     SELECT EXISTS (SELECT 1 FROM ins) AS created,
            EXISTS (SELECT 1 FROM users WHERE username_key = $2) AS username_taken`,
    [u.username, key, u.email, passwordHash],
  );
  const { created, username_taken } = r.rows[0];
  if (!created && username_taken) throw usernameTaken(u.username);
  return created;
}

export async function getUser(q: Queryable, id: string): Promise<User | null> {
  const r = await q.query<User>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return r.rows[0] ?? null;
}

/** The user and their hash, for login only. Names match by their canonical form (./username.ts). */
export async function findForLogin(q: Queryable, username: string): Promise<(User & { password_hash: string }) | null> {
  const r = await q.query<User & { password_hash: string }>(
    `SELECT ${COLUMNS}, password_hash FROM users WHERE username_key = $1`,
    [canonicalUsername(username)],
  );
  return r.rows[0] ?? null;
}

export async function findByUsername(q: Queryable, username: string): Promise<User | null> {
  const r = await q.query<User>(`SELECT ${COLUMNS} FROM users WHERE username_key = $1`, [canonicalUsername(username)]);
  return r.rows[0] ?? null;
}

export async function requireUserByName(q: Queryable, username: string): Promise<User> {
  const u = await findByUsername(q, username);
  if (!u) throw new UserError(`no user named "${username}"`, 404);
  return u;
}

export async function listUsers(q: Queryable, page: PageQuery): Promise<Page<User>> {
  const r = await q.query<User & { total: number }>(
    `SELECT ${COLUMNS}, count(*) OVER () AS total FROM users ORDER BY username_key LIMIT $1 OFFSET $2`,
    [page.limit, page.offset],
  );
  const total = r.rows[0]?.total ?? (await q.query<{ n: number }>('SELECT count(*)::int AS n FROM users')).rows[0].n;
  return {
    items: r.rows.map(({ total: _t, ...u }) => u),
    limit: page.limit,
    offset: page.offset,
    total: Number(total),
  };
}

export async function recordLogin(q: Queryable, id: string): Promise<void> {
  await q.query('UPDATE users SET last_login = now() WHERE id = $1', [id]);
}

export async function setActive(q: Queryable, id: string, active: boolean): Promise<User> {
  const r = await q.query<User>(`UPDATE users SET is_active = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [id, active]);
  if (!r.rows[0]) throw new UserError('no such user', 404);
  return r.rows[0];
}

export async function setAdmin(q: Queryable, id: string, admin: boolean): Promise<User> {
  const r = await q.query<User>(`UPDATE users SET is_admin = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [id, admin]);
  if (!r.rows[0]) throw new UserError('no such user', 404);
  return r.rows[0];
}

/** Active administrators other than `exceptId`, under a lock so two concurrent demotions cannot both pass. */
export async function otherActiveAdmins(q: Queryable, exceptId: string): Promise<number> {
  const r = await q.query<{ id: string }>('SELECT id FROM users WHERE is_admin AND is_active AND id <> $1 FOR UPDATE', [
    exceptId,
  ]);
  return r.rows.length;
}

/** Whether any active administrator exists (tm serve tells a newcomer how to make the first one). */
export async function hasActiveAdmin(q: Queryable): Promise<boolean> {
  const r = await q.query<{ yes: boolean }>('SELECT EXISTS (SELECT 1 FROM users WHERE is_admin AND is_active) AS yes');
  return r.rows[0].yes;
}

export async function setPassword(q: Queryable, id: string, password: string): Promise<void> {
  checkPasswordPolicy(password);
  const h = await hashPassword(password);
  const r = await q.query('UPDATE users SET password_hash = $2 WHERE id = $1', [id, h]);
  if (r.rowCount === 0) throw new UserError('no such user', 404);
}

/** A new email for the user; a taken one is a 409 (the user is signed in: this is not the public route). */
export async function setEmail(q: Queryable, id: string, email: string): Promise<User> {
  if (email.length > 320 || !EMAIL_RE.test(email)) throw new UserError('email: not a valid email address');
  try {
    const r = await q.query<User>(
      `UPDATE users SET email = $2, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, email],
    );
    if (!r.rows[0]) throw new UserError('no such user', 404);
    return r.rows[0];
  } catch (err) {
    if (isUniqueViolation(err, 'users_email_key')) throw new EmailTakenError();
    throw err;
  }
}
