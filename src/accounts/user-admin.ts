/** Account administration (tm users): deactivation and password resets also end the user's sessions. */
import { randomBytes } from 'node:crypto';
import type { Database, Queryable } from '../db/types.ts';
import { revokeAllRefreshTokens } from './refresh-tokens.ts';
import { UserError } from '../errors.ts';
import { otherActiveAdmins, requireUserByName, setActive, setAdmin, setPassword, type User } from './users.ts';

/** Refuses a change that would leave no active administrator (nobody could then run admin routes). */
async function keepAnAdmin(tx: Queryable, user: User, what: string): Promise<void> {
  if (user.is_admin && user.is_active && (await otherActiveAdmins(tx, user.id)) === 0) {
    throw new UserError(
      `cannot ${what} ${user.username}: the only active administrator (make another user an administrator first)`,
      409,
    );
  }
}

export interface AccountChange {
  is_active?: boolean;
  is_admin?: boolean;
}

/**
 * Activates/deactivates and grants/revokes administrator rights in one transaction. Deactivating
 * revokes the refresh tokens; access tokens stop working at once too (every request re-reads
 * is_active). A change that leaves no active administrator is refused.
 */
export async function changeAccount(
  db: Database,
  username: string,
  change: AccountChange,
): Promise<{ user: User; revoked_tokens: number }> {
  return db.transaction(async (tx) => {
    const before = await requireUserByName(tx, username);
    const losesAdmin =
      (change.is_active === false && before.is_active) || (change.is_admin === false && before.is_admin);
    if (losesAdmin)
      await keepAnAdmin(tx, before, change.is_active === false ? 'deactivate' : 'revoke administrator rights from');
    let user = before;
    if (change.is_admin !== undefined) user = await setAdmin(tx, user.id, change.is_admin);
    if (change.is_active !== undefined) user = await setActive(tx, user.id, change.is_active);
    const revoked = change.is_active === false ? await revokeAllRefreshTokens(tx, user.id) : 0;
    return { user, revoked_tokens: revoked };
  });
}

export const deactivateUser = (db: Database, username: string) => changeAccount(db, username, { is_active: false });
export const activateUser = async (db: Database, username: string): Promise<User> =>
  (await changeAccount(db, username, { is_active: true })).user;
export const setAdminRole = async (db: Database, username: string, admin: boolean): Promise<User> =>
  (await changeAccount(db, username, { is_admin: admin })).user;

/** Sets a new password and revokes every refresh token, so other sessions must log in again. */
export async function resetPassword(
  db: Database,
  username: string,
  password: string,
): Promise<{ user: User; revoked_tokens: number }> {
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
