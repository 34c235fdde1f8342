/**
 * What a signed-in user changes about their own account: email and password, both confirmed with the
 * current password. A new password ends every other session (a thief holding one is out).
 */
import type { Database } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { checkCredentials } from './auth.ts';
import { checkPasswordPolicy } from './passwords.ts';
import { revokeOtherSessions } from './refresh-tokens.ts';
import { setEmail, setPassword, type User } from './users.ts';

async function confirm(db: Database, user: User, password: string): Promise<void> {
  if (!(await checkCredentials(db, user.username, password)))
    throw new UserError('current password: not the password of this account', 403, [
      { field: 'body/current_password', message: 'not the password of this account' },
    ]);
}

export async function changeEmail(db: Database, user: User, email: string, currentPassword: string): Promise<User> {
  await confirm(db, user, currentPassword);
  return setEmail(db, user.id, email.trim());
}

/** Sets the new password and ends the user's other sessions; returns how many ended. */
export async function changePassword(
  db: Database,
  user: User,
  o: { currentPassword: string; newPassword: string; keepSession: string | null },
): Promise<{ other_sessions_ended: number }> {
  checkPasswordPolicy(o.newPassword);
  await confirm(db, user, o.currentPassword);
  return db.transaction(async (tx) => {
    await setPassword(tx, user.id, o.newPassword);
    return { other_sessions_ended: await revokeOtherSessions(tx, user.id, o.keepSession) };
  });
}
