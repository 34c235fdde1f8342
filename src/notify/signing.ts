/** Standard Webhooks 1.0 signatures: HMAC-SHA256 over "id.timestamp.body" with the secret after "whsec_". */
import { createHmac, randomBytes } from 'node:crypto';
import { UserError } from '../errors.ts';

const PREFIX = 'whsec_';

export function generateSecret(): string {
  return PREFIX + randomBytes(24).toString('base64');
}

/** Checks a user-given secret: whsec_ then base64 of 24 to 64 bytes. */
export function checkSecret(secret: string): void {
  const b64 = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : '';
  const ok = /^[A-Za-z0-9+/]+={0,2}$/.test(b64) && b64.length % 4 === 0;
  const bytes = ok ? Buffer.from(b64, 'base64').length : 0;
  if (bytes < 24 || bytes > 64)
    throw new UserError('a webhook secret is "whsec_" followed by base64 of 24 to 64 random bytes');
}

/** The webhook-signature header value. */
export function sign(secret: string, id: string, timestampS: number, body: string): string {
  const key = Buffer.from(secret.slice(PREFIX.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampS}.${body}`).digest('base64')}`;
}

export function webhookHeaders(secret: string, id: string, body: string, now = Date.now()): Record<string, string> {
  const ts = Math.floor(now / 1000);
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': sign(secret, id, ts, body),
  };
}
