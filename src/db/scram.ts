/**
 * SCRAM-SHA-256 password verifiers computed on the client (RFC 5802 / RFC 7677, in the form
 * PostgreSQL stores in pg_authid.rolpassword), so CREATE/ALTER ROLE ... PASSWORD never carries the
 * plaintext to the server, where statement logging could record it.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export const SCRAM_ITERATIONS = 4096;

const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();

/**
 * PostgreSQL runs the password through SASLprep first; for ASCII that changes nothing. Non-ASCII
 * passwords get NFKC normalization, SASLprep's main step (PostgreSQL falls back to the raw bytes
 * when SASLprep rejects a string, and so does this for strings NFKC leaves unchanged).
 */
function prepare(password: string): string {
  return /^\p{ASCII}*$/u.test(password) ? password : password.normalize('NFKC');
}

function keys(password: string, salt: Buffer, iterations: number): { storedKey: Buffer; serverKey: Buffer } {
  const salted = pbkdf2Sync(prepare(password), salt, iterations, 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  return { storedKey: createHash('sha256').update(clientKey).digest(), serverKey: hmac(salted, 'Server Key') };
}

/** `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, base64, with a random 16-byte salt. */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = SCRAM_ITERATIONS): string {
  const { storedKey, serverKey } = keys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** Whether a stored verifier belongs to the password (what the server checks at login, minus the exchange). */
export function scramVerifies(verifier: string, password: string): boolean {
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!m) return false;
  const { storedKey, serverKey } = keys(password, Buffer.from(m[2], 'base64'), Number(m[1]));
  const want = Buffer.concat([Buffer.from(m[3], 'base64'), Buffer.from(m[4], 'base64')]);
  const got = Buffer.concat([storedKey, serverKey]);
  return want.length === got.length && timingSafeEqual(want, got);
}
