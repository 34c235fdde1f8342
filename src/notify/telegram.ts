/**
 * Sends one message through the Telegram Bot API's sendMessage (POST {api}/bot{token}/sendMessage, JSON).
 * The answer decides what the outbox does next: a 429 carries `parameters.retry_after` (seconds) and is
 * retried after exactly that; 400/401/403/404 (chat not found, bot blocked, bad token) will never succeed
 * and fail at once; anything else (5xx, timeout, refused connection) takes the usual retry schedule.
 * The token is part of the URL, so no URL is ever put in an error; the token is scrubbed from any text.
 */
import type { SendResult } from './webhook.ts';

export interface TelegramRequest {
  apiUrl: string;
  token: string;
  chatId: string;
  /** HTML-formatted text (parse_mode HTML), at most 4096 characters. */
  text: string;
  timeoutMs: number;
}

/** A bot token as BotFather issues it: the bot's numeric id, a colon, then the secret part. */
export const BOT_TOKEN_RE = /^\d{1,20}:[A-Za-z0-9_-]{20,100}$/;
/** A chat id: a number (negative for groups and channels) or a public @channelusername. */
export const CHAT_ID_RE = /^(-?\d{3,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$/;

/** The token's public half (the bot's user id), for listings and per-destination limits. */
export const botId = (token: string): string => token.split(':', 1)[0];

interface BotAnswer {
  ok?: boolean;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

/** What the user can do about a permanent failure, from the Bot API's description. */
function hint(status: number, a: BotAnswer): string {
  const d = (a.description ?? '').toLowerCase();
  if (a.parameters?.migrate_to_chat_id !== undefined)
    return ` (the group became a supergroup: its chat id is now ${a.parameters.migrate_to_chat_id}; add a channel for it)`;
  if (d.includes('chat not found'))
    return ' (check the chat id, and that the chat has sent /start to the bot or added it to the group)';
  if (d.includes('blocked') || d.includes('kicked') || d.includes('deactivated'))
    return ' (the bot can no longer write to this chat: unblock or re-add it, then `tm channels enable`)';
  if (status === 401 || status === 404) return ' (the bot token is wrong or was revoked: add the channel again)';
  return '';
}

export async function sendTelegram(r: TelegramRequest): Promise<SendResult> {
  const scrub = (s: string) => s.replaceAll(r.token, '<token>').slice(0, 500);
  const chatId = /^-?\d+$/.test(r.chatId) && Number.isSafeInteger(Number(r.chatId)) ? Number(r.chatId) : r.chatId;
  let res: Response;
  try {
    res = await fetch(`${r.apiUrl}/bot${r.token}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'TradingManager-Telegram/1' },
      body: JSON.stringify({
        chat_id: chatId,
        text: r.text,
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
      }),
      redirect: 'manual',
      signal: AbortSignal.timeout(r.timeoutMs),
    });
  } catch (err) {
    const e = err as Error & { cause?: Error };
    if (e.name === 'TimeoutError') return { ok: false, error: `Telegram: timed out after ${r.timeoutMs} ms` };
    return { ok: false, error: scrub(`Telegram: ${e.cause?.message ?? e.message}`) };
  }
  let answer: BotAnswer = {};
  try {
    answer = (await res.json()) as BotAnswer;
  } catch {
    // not JSON (a proxy's error page): judged by the status alone
  }
  if (res.ok && answer.ok) return { ok: true };
  const what = scrub(`Telegram ${answer.error_code ?? res.status}: ${answer.description ?? `HTTP ${res.status}`}`);
  const retryAfter = answer.parameters?.retry_after;
  if (res.status === 429 && typeof retryAfter === 'number' && retryAfter >= 0)
    return { ok: false, error: what, retryAfterMs: retryAfter * 1000 };
  if ([400, 401, 403, 404].includes(res.status))
    return { ok: false, error: what + hint(res.status, answer), permanent: true };
  return { ok: false, error: what };
}
