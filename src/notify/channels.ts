/** The notification_channels table (revision 0008). Secrets are written, never read back into listings. */
import type { Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { EMAIL_RE } from '../accounts/users.ts';
import { STRATEGY_NAMES } from '../analysis/signals/names.ts';
import { checkSecret, generateSecret } from './signing.ts';
import { checkWebhookUrl, redactUrl } from './ssrf.ts';
import { BOT_TOKEN_RE, CHAT_ID_RE } from './telegram.ts';

export const EVENT_TYPES = [
  'price_alert',
  'signal',
  'condition_alert',
  'job_failed',
  'sync_failed',
  'paper_fill',
] as const;
/** What a new channel receives when it names no events. */
export const DEFAULT_EVENTS = ['price_alert', 'signal', 'condition_alert'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export const CHANNEL_KINDS = ['webhook', 'email', 'telegram'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export interface Channel {
  id: string;
  user_id: string;
  username: string;
  kind: ChannelKind;
  /** The address (a URL, an email address, a Telegram chat id); a webhook URL's query string is masked. */
  target: string;
  /** Telegram: the bot token redacted to its public half ("123456789:…"); null for other kinds. */
  token: string | null;
  events: string[];
  strategies: string[] | null;
  enabled: boolean;
  disabled_reason: string | null;
  consecutive_failures: number;
  created_at: Date;
}

export interface NewChannel {
  kind: string;
  target: string;
  secret?: string;
  events?: string[];
  strategies?: string[];
}

const COLUMNS = `c.id, c.user_id, u.username, c.kind, c.target,
  CASE WHEN c.kind = 'telegram' THEN split_part(c.secret, ':', 1) || ':…' END AS token, c.events, c.strategies, c.enabled, c.disabled_reason,
  c.consecutive_failures, c.created_at`;

const shown = (c: Channel): Channel => (c.kind === 'webhook' ? { ...c, target: redactUrl(c.target) } : c);

/** A bot token, checked before it is stored: the message names the flag, never the value. */
function checkBotToken(token: string | undefined): string {
  if (token === undefined || token.trim() === '')
    throw new UserError('a telegram channel needs its bot token: --token (the API\'s "secret") from @BotFather');
  if (!BOT_TOKEN_RE.test(token.trim()))
    throw new UserError('not a Telegram bot token: expected <bot id>:<secret> as @BotFather gives it');
  return token.trim();
}

/** Validates and stores a channel; returns it with the webhook secret, which is shown only now. */
export async function createChannel(
  q: Queryable,
  userId: string,
  input: NewChannel,
  opts: { allowPrivate: boolean; isAdmin: boolean },
): Promise<{ channel: Channel; secret: string | null }> {
  if (!(CHANNEL_KINDS as readonly string[]).includes(input.kind))
    throw new UserError(`channel kind must be webhook, email or telegram, got "${input.kind}"`);
  const events = [...new Set(input.events?.length ? input.events : DEFAULT_EVENTS)];
  const unknown = events.filter((e) => !(EVENT_TYPES as readonly string[]).includes(e));
  if (unknown.length)
    throw new UserError(`unknown event type ${unknown.join(', ')} (valid: ${EVENT_TYPES.join(', ')})`);
  const adminOnly = events.filter((e) => e === 'job_failed' || e === 'sync_failed');
  if (adminOnly.length && !opts.isAdmin)
    throw new UserError(`${adminOnly.join(', ')} events are for administrators`, 403);
  const strategies = input.strategies?.length ? [...new Set(input.strategies)] : null;
  const badStrategy = strategies?.filter((s) => !(STRATEGY_NAMES as readonly string[]).includes(s)) ?? [];
  if (badStrategy.length)
    throw new UserError(`unknown strategy ${badStrategy.join(', ')} (valid: ${STRATEGY_NAMES.join(', ')})`);
  let secret: string | null = null;
  let target = input.target.trim();
  if (input.kind === 'webhook') {
    target = (await checkWebhookUrl(target, opts.allowPrivate)).href;
    if (input.secret !== undefined) checkSecret(input.secret);
    secret = input.secret ?? generateSecret();
  } else if (input.kind === 'telegram') {
    if (!CHAT_ID_RE.test(target))
      throw new UserError(
        `not a Telegram chat id: "${target}" (a number such as 123456789 or -1001234567890, or @channelname)`,
      );
    secret = checkBotToken(input.secret);
  } else {
    if (input.secret !== undefined) throw new UserError('--secret applies to webhooks only');
    if (!EMAIL_RE.test(target)) throw new UserError(`not an email address: "${target}"`);
  }
  const r = await q.query<{ id: string }>(
    `INSERT INTO notification_channels (user_id, kind, target, secret, events, strategies)
     VALUES ($1, $2, $3, $4, $5::text[], $6::text[]) RETURNING id`,
    [userId, input.kind, target, secret, events, strategies],
  );
  const channel = await getChannel(q, r.rows[0].id);
  if (!channel) throw new Error('channel vanished after insert');
  // A bot token is the user's own: it is not echoed back, not even now.
  return { channel, secret: input.kind === 'webhook' ? secret : null };
}

export async function getChannel(q: Queryable, id: string): Promise<Channel | null> {
  const r = await q.query<Channel>(
    `SELECT ${COLUMNS} FROM notification_channels c JOIN users u ON u.id = c.user_id WHERE c.id = $1`,
    [id],
  );
  return r.rows[0] ? shown(r.rows[0]) : null;
}

/** A channel the caller may manage: their own, or anyone's for an administrator. 404 otherwise. */
export async function ownedChannel(q: Queryable, id: string, by: { id: string; is_admin: boolean }): Promise<Channel> {
  const c = /^[0-9a-f-]{36}$/i.test(id) ? await getChannel(q, id) : null;
  if (!c || (c.user_id !== by.id && !by.is_admin)) throw new UserError(`no notification channel ${id}`, 404);
  return c;
}

/** Channels of one user, or of everyone (userId null). */
export async function listChannels(q: Queryable, userId: string | null): Promise<Channel[]> {
  const r = await q.query<Channel>(
    `SELECT ${COLUMNS} FROM notification_channels c JOIN users u ON u.id = c.user_id
     WHERE $1::uuid IS NULL OR c.user_id = $1 ORDER BY u.username, c.created_at, c.id`,
    [userId],
  );
  return r.rows.map(shown);
}

export async function removeChannel(q: Queryable, id: string): Promise<void> {
  await q.query('DELETE FROM notification_channels WHERE id = $1', [id]);
}

/** Turns a channel back on after it was disabled (its failure count starts again). */
export async function enableChannel(q: Queryable, id: string): Promise<void> {
  await q.query(
    `UPDATE notification_channels SET enabled = true, disabled_reason = NULL, consecutive_failures = 0 WHERE id = $1`,
    [id],
  );
}

/** What a sender needs, secret included: used by the delivery worker only. */
export interface ChannelTarget {
  id: string;
  user_id: string;
  kind: ChannelKind;
  target: string;
  secret: string | null;
}

export async function channelTarget(q: Queryable, id: string): Promise<ChannelTarget | null> {
  const r = await q.query<ChannelTarget>(
    'SELECT id, user_id, kind, target, secret FROM notification_channels WHERE id = $1',
    [id],
  );
  return r.rows[0] ?? null;
}

/** A chat linked to a bot by an enabled telegram channel: who may ask that bot for prices and alerts. */
export interface TelegramLink {
  token: string;
  chat: string;
  user_id: string;
}

export async function telegramLinks(q: Queryable): Promise<TelegramLink[]> {
  const r = await q.query<TelegramLink>(
    `SELECT DISTINCT secret AS token, target AS chat, user_id FROM notification_channels
     WHERE kind = 'telegram' AND enabled ORDER BY 1, 2`,
  );
  return r.rows;
}
