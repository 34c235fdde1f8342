/** Account administration (tm users): deactivation and password resets also end the user's sessions. */
import { randomBytes } from 'node:crypto';
import type { Database } from '../db/types.ts';
import { revokeAllRefreshTokens } from './refresh-tokens.ts';
import { UserError } from '../errors.ts';
import { otherActiveAdmins, requireUserByName, setActive, setAdmin, setPassword, type User } from './users.ts';
import type { Queryable } from '../db/types.ts';

/** Refuses a change that would leave no active administrator (nobody could then run admin routes). */
async function keepAnAdmin(tx: Queryable, user: User, what: string): Promise<void> {
  if (user.is_admin && user.is_active && (await otherActiveAdmins(tx, user.id)) === 0) {
    throw new UserError(`cannot ${what} ${user.username}: the only active administrator (make another user an administrator first)`, 409);
  }
}

/** Deactivates the account and revokes its refresh tokens; access tokens stop working at once too
 *  (every request re-reads is_active). */
export async function deactivateUser(db: Database, username: string): Promise<{ user: User; revoked_tokens: number }> {
  return db.transaction(async (tx) => {
    const u = await requireUserByName(tx, username);
    await keepAnAdmin(tx, u, 'deactivate');
    const user = await setActive(tx, u.id, false);
    return { user, revoked_tokens: await revokeAllRefreshTokens(tx, u.id) };
  });
}

export async function activateUser(db: Database, username: string): Promise<User> {
  return db.transaction(async (tx) => setActive(tx, (await requireUserByName(tx, username)).id, true));
}

/** Grants or revokes administrator rights; revoking them from the last active administrator is refused. */
export async function setAdminRole(db: Database, username: string, admin: boolean): Promise<User> {
  return db.transaction(async (tx) => {
    const u = await requireUserByName(tx, username);
    if (!admin) await keepAnAdmin(tx, u, 'revoke administrator rights from');
    return setAdmin(tx, u.id, admin);
  });
}

/** Sets a new password and revokes every refresh token, so other sessions must log in again. */
export async function resetPassword(db: Database, username: string, password: string): Promise<{ user: User; revoked_tokens: number }> {
  return db.transaction(async (tx) => {
    const user = await requireUserByName(tx, username);
    await setPassword(tx, user.id, password);
    return { user, revoked_tokens: await revokeAllRefreshTokens(tx, user.id) };
  });
}

/** A random password for accounts created without one (shown once to the operator). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
