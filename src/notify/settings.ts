/** Notification settings from the environment (docs/notifications.md lists them). */

/** Standard Webhooks' schedule: after the first attempt, retry after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const DEFAULT_RETRY_DELAYS_S = [5, 300, 1800, 7200, 18000, 36000, 36000];

export interface NotifySettings {
  /** Seconds to wait before each retry; a delivery fails after 1 + length attempts. */
  retryDelaysS: number[];
  /** How long a claimed delivery stays invisible to other senders (longer than any send). */
  leaseS: number;
  /** How often the worker looks for due deliveries, ms. */
  pollMs: number;
  /** Deliveries sent at the same time by one worker. */
  concurrency: number;
  /** Of those, at most this many to one destination (a webhook's origin, an email domain). */
  perDestination: number;
  /** A channel is disabled after this many deliveries in a row failed for good. */
  disableAfter: number;
  /** Webhook request timeout, ms. */
  webhookTimeoutMs: number;
  allowPrivate: boolean;
  /** How often failed jobs are looked for (administrators' job_failed events), ms. */
  adminCheckMs: number;
  smtpUrl?: string;
  smtpFrom: string;
  /** The Bot API's base URL (TM_TELEGRAM_API_URL): tests point it at a local stand-in. */
  telegramApiUrl: string;
  /** Where the web app is reachable from outside (TM_PUBLIC_URL): messages link to its charts; unset = no link. */
  publicUrl?: string;
  /** Chat commands (/price, /alerts) through the bots of telegram channels (TM_TELEGRAM_COMMANDS=1). */
  telegramCommands: boolean;
  /** getUpdates' long-poll timeout, seconds (0 = short polls every pollMs; tests). */
  telegramPollS: number;
}

function num(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number >= ${min}, got "${raw}"`);
  return n;
}

/** An http(s) base URL without its trailing slash; unset or empty = undefined. */
function baseUrl(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`${name} must be an http:// or https:// URL, got "${raw}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error(`${name} must be an http:// or https:// URL, got "${raw}"`);
  return u.href.replace(/\/+$/, '');
}

function delays(raw: string | undefined): number[] {
  if (!raw) return DEFAULT_RETRY_DELAYS_S;
  const list = raw.split(',').map((s) => Number(s.trim()));
  if (list.some((n) => !Number.isFinite(n) || n < 0))
    throw new Error(`TM_NOTIFY_RETRY_SCHEDULE must be comma-separated seconds, got "${raw}"`);
  return list;
}

export function notifySettings(env: NodeJS.ProcessEnv = process.env): NotifySettings {
  return {
    retryDelaysS: delays(env.TM_NOTIFY_RETRY_SCHEDULE),
    leaseS: num(env, 'TM_NOTIFY_LEASE_SECONDS', 120, 1),
    pollMs: num(env, 'TM_NOTIFY_POLL_MS', 500, 10),
    concurrency: num(env, 'TM_NOTIFY_CONCURRENCY', 16, 1),
    perDestination: num(env, 'TM_NOTIFY_PER_DESTINATION', 4, 1),
    disableAfter: num(env, 'TM_NOTIFY_DISABLE_AFTER', 3, 1),
    webhookTimeoutMs: num(env, 'TM_WEBHOOK_TIMEOUT_MS', 10_000, 1),
    allowPrivate: env.TM_WEBHOOK_ALLOW_PRIVATE === '1',
    adminCheckMs: 60_000,
    smtpUrl: env.TM_SMTP_URL || undefined,
    smtpFrom: env.TM_SMTP_FROM || 'Trading Manager <tm@localhost>',
    telegramApiUrl: baseUrl(env, 'TM_TELEGRAM_API_URL') ?? 'https://api.telegram.org',
    publicUrl: baseUrl(env, 'TM_PUBLIC_URL'),
    telegramCommands: env.TM_TELEGRAM_COMMANDS === '1',
    telegramPollS: 25,
  };
}

/** The delay before retry number `attempt` (1 = after the first failure), with ±20 % jitter; null = give up. */
export function retryDelayMs(
  s: Pick<NotifySettings, 'retryDelaysS'>,
  attempt: number,
  rnd = Math.random,
): number | null {
  const base = s.retryDelaysS[attempt - 1];
  if (base === undefined) return null;
  return Math.round(base * 1000 * (0.8 + 0.4 * rnd()));
}
