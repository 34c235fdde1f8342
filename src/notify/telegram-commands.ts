/**
 * Chat commands through a Telegram bot (opt-in: TM_TELEGRAM_COMMANDS=1 on `tm serve`): /price SYMBOL and
 * /alerts, answered only in a chat that an enabled telegram channel links to that bot — the channel's
 * owner's chat. Messages from any other chat are read (so Telegram stops sending them) and ignored.
 * Each bot is long-polled with getUpdates; the offset acknowledges what was handled. One process polls
 * (a lease on a server): Telegram refuses two getUpdates on one bot at once.
 */
import type { Database } from '../db/types.ts';
import type { Leader } from '../db/lease.ts';
import { INTERVALS } from '../intervals.ts';
import { listAlerts } from '../accounts/alerts.ts';
import { findAsset, formatRef } from '../market/assets-repository.ts';
import { seriesOfAsset } from '../market/candle-series.ts';
import { latestCandles } from '../market/queries.ts';
import { telegramLinks, type TelegramLink } from './channels.ts';
import type { NotifySettings } from './settings.ts';
import { sendTelegram } from './telegram.ts';

interface Update {
  update_id: number;
  message?: { text?: string; chat: { id: number; username?: string } };
}

const esc = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] ?? c);
const when = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

const HELP = 'Commands: /price SYMBOL (the latest close), /alerts (your last price alerts).';

async function price(db: Database, ref: string, publicUrl: string | undefined): Promise<string> {
  if (!ref) return 'Usage: /price SYMBOL (e.g. /price BTCUSDT or /price AAPL:NASDAQ)';
  const asset = await findAsset(db, ref);
  if (!asset) return `No asset "${esc(ref)}".`;
  const series = await seriesOfAsset(db, asset.id);
  const interval = INTERVALS.find((i) => series.has(i)); // the finest stored: the freshest close
  const [c] = interval ? await latestCandles(db, { assetId: asset.id, interval, limit: 1 }) : [];
  if (!interval || !c) return `No candles stored for ${esc(formatRef(asset))}.`;
  const link = publicUrl
    ? `\n<a href="${esc(`${publicUrl}/chart/${encodeURIComponent(formatRef(asset))}`)}">Chart</a>`
    : '';
  return `<b>${esc(formatRef(asset))}</b> ${c.close} (${interval} candle of ${when(c.ts)})${link}`;
}

async function alerts(db: Database, userId: string): Promise<string> {
  const page = await listAlerts(db, userId, { limit: 5, offset: 0 });
  if (!page.items.length) return 'No price alert has fired yet.';
  const lines = page.items.map(
    (a) => `${esc(a.symbol)} ${a.direction} ${a.threshold}: ${a.price} (${when(new Date(a.triggered_at))})`,
  );
  return `Your last ${page.items.length} of ${page.total} price alerts:\n${lines.join('\n')}`;
}

/** The answer to one message, or null when it is no command of ours. */
export async function answer(
  db: Database,
  text: string,
  link: TelegramLink,
  s: NotifySettings,
): Promise<string | null> {
  const m = /^\/([a-z]+)(?:@\w+)?(?:\s+(.*))?$/i.exec(text.trim());
  if (!m) return null;
  const arg = (m[2] ?? '').trim();
  try {
    switch (m[1].toLowerCase()) {
      case 'price':
        return await price(db, arg, s.publicUrl);
      case 'alerts':
        return await alerts(db, link.user_id);
      case 'start':
      case 'help':
        return HELP;
      default:
        return `Unknown command /${esc(m[1])}. ${HELP}`;
    }
  } catch (err) {
    return esc((err as Error).message); // e.g. an ambiguous symbol: the message says how to name it
  }
}

export interface CommandPoller {
  stop(): Promise<void>;
}

export function startTelegramCommands(
  db: Database,
  opts: { log: (line: string) => void; settings: NotifySettings; leader?: Leader },
): CommandPoller {
  const s = opts.settings;
  const offsets = new Map<string, number>();
  const errors = new Map<string, string>();
  const abort = new AbortController();
  let stopped = false;

  /** One getUpdates round on one bot: waits up to telegramPollS for messages, answers them. */
  const poll = async (token: string, links: TelegramLink[]) => {
    const bot = token.split(':', 1)[0];
    const res = await fetch(`${s.telegramApiUrl}/bot${token}/getUpdates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ offset: offsets.get(token), timeout: s.telegramPollS, allowed_updates: ['message'] }),
      signal: AbortSignal.any([abort.signal, AbortSignal.timeout((s.telegramPollS + 10) * 1000)]),
    });
    const body = (await res.json().catch(() => ({}))) as { ok?: boolean; result?: Update[]; description?: string };
    if (!body.ok) throw new Error(`getUpdates: ${res.status} ${body.description ?? ''}`.trim());
    for (const u of body.result ?? []) {
      offsets.set(token, u.update_id + 1);
      const msg = u.message;
      if (!msg?.text) continue;
      const chat = String(msg.chat.id);
      const link = links.find((l) => l.chat === chat || (msg.chat.username && l.chat === `@${msg.chat.username}`));
      if (!link) continue; // not the linked chat: no answer, whatever it asks
      const text = await answer(db, msg.text, link, s);
      if (text === null) continue;
      const sent = await sendTelegram({
        apiUrl: s.telegramApiUrl,
        token,
        chatId: chat,
        text,
        timeoutMs: s.webhookTimeoutMs,
      });
      if (!sent.ok) opts.log(`telegram commands: bot ${bot}: answering chat ${chat} failed: ${sent.error}`);
    }
  };

  const loop = async () => {
    while (!stopped) {
      let busy = false;
      try {
        if (!opts.leader || (await opts.leader())) {
          const byBot = new Map<string, TelegramLink[]>();
          for (const l of await telegramLinks(db)) byBot.set(l.token, [...(byBot.get(l.token) ?? []), l]);
          busy = byBot.size > 0 && s.telegramPollS > 0;
          await Promise.all(
            [...byBot].map(([token, links]) =>
              poll(token, links).then(
                () => errors.delete(token),
                (err: unknown) => {
                  if (stopped) return;
                  // once per distinct problem (a revoked token, a webhook set on the bot), not every round
                  const msg = (err as Error).message.replaceAll(token, '<token>');
                  if (errors.get(token) !== msg) opts.log(`telegram commands: bot ${token.split(':', 1)[0]}: ${msg}`);
                  errors.set(token, msg);
                },
              ),
            ),
          );
        }
      } catch (err) {
        opts.log(`telegram commands: ${(err as Error).message}`);
      }
      // Long polls wait inside getUpdates; otherwise (no bot, short polls, not the leader) pause here.
      if (!stopped && !busy) await new Promise<void>((r) => setTimeout(r, s.pollMs).unref());
    }
  };
  const running = loop();
  return {
    async stop() {
      stopped = true;
      abort.abort();
      await running;
    },
  };
}
