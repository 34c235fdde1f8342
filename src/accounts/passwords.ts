/** Password hashing: argon2id (OWASP's first choice), parameters kept in the PHC string itself. */
import { UserError } from '../errors.ts';

export const PASSWORD_MIN = 8;
// argon2 would hash megabytes happily: a bound keeps one request from costing seconds.
export const PASSWORD_MAX = 256;

// 19 MiB, 2 passes, 1 lane: OWASP's minimum recommendation for argon2id, ~30-50 ms here.
const OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function checkPasswordPolicy(password: string): void {
  if (password.length < PASSWORD_MIN) throw new UserError(`password: must be at least ${PASSWORD_MIN} characters`);
  if (password.length > PASSWORD_MAX) throw new UserError(`password: must be at most ${PASSWORD_MAX} characters`);
}

/** The native argon2 module loads on first use, not with every command that imports accounts code. */
const argon2 = () => import('@node-rs/argon2');

export async function hashPassword(password: string): Promise<string> {
  return (await argon2()).hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await (await argon2()).verify(passwordHash, password);
  } catch {
    return false; // a malformed stored hash never authenticates
  }
}

let dummy: Promise<string> | undefined;
/** Spends the time a real verification would, so unknown usernames cannot be told apart by timing. */
export async function burnVerification(password: string): Promise<void> {
  dummy ??= hashPassword('timing-equaliser-password');
  await verifyPassword(await dummy, password);
}
