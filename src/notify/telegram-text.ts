/**
 * The text of a Telegram message for an event (parse_mode HTML: only <, > and & need escaping).
 * A message says what fired, for which symbol, at what price, and links to the chart when the web app's
 * public address is known (TM_PUBLIC_URL). Events this file does not know (added later) still read well:
 * their subject line, then their plain fields.
 */
import { subjectOf, type EventPayload } from './render.ts';

/** The Bot API refuses longer texts. */
const MAX_TEXT = 4096;

const esc = (v: unknown): string =>
  String(v).replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] ?? c);
const b = (v: unknown) => `<b>${esc(v)}</b>`;
const has = (v: unknown) => v !== null && v !== undefined && v !== '';

/** "2026-12-01T17:01:00+00:00" → "2026-12-01 17:01 UTC" (any ISO time; other text as it is). */
function when(v: unknown): string {
  const t = Date.parse(String(v));
  if (!Number.isFinite(t)) return String(v);
  const iso = new Date(t).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, iso.endsWith(':00.000Z') ? 16 : 19)} UTC`;
}

function symbolRef(d: Record<string, unknown>): string {
  return has(d.exchange) ? `${d.symbol}:${d.exchange}` : String(d.symbol);
}

function chartLink(d: Record<string, unknown>, publicUrl: string | undefined): string[] {
  if (!publicUrl || !has(d.symbol)) return [];
  return [
    `<a href="${esc(`${publicUrl}/chart/${encodeURIComponent(symbolRef(d))}`)}">Open the ${esc(d.symbol)} chart</a>`,
  ];
}

function priceAlert(d: Record<string, unknown>): string[] {
  return [
    `🔔 ${b(d.symbol)}${has(d.exchange) ? ` (${esc(d.exchange)})` : ''} crossed ${esc(d.direction)} ${esc(d.threshold)}`,
    `Price ${b(d.price)}${has(d.candle_ts) ? ` · ${esc(d.interval ?? '')} candle of ${esc(when(d.candle_ts))}` : ''}`,
  ];
}

function signal(d: Record<string, unknown>): string[] {
  const type = String(d.signal_type ?? '').replace('_', ' ');
  const icon = type.includes('sell') ? '📉' : type.includes('buy') ? '📈' : '📊';
  const levels = [
    has(d.price) ? `Price ${b(d.price)}` : '',
    has(d.target_price) ? `target ${esc(d.target_price)}` : '',
    has(d.stop_loss) ? `stop ${esc(d.stop_loss)}` : '',
  ].filter(Boolean);
  return [
    `${icon} ${b(d.symbol)}: ${b(type.toUpperCase())} signal (${esc(d.strategy)}, ${esc(d.timeframe)})`,
    levels.join(' · '),
    has(d.strength) ? `Strength ${esc(d.strength)} · confidence ${esc(d.confidence)}` : '',
    has(d.ts) ? `Bar of ${esc(when(d.ts))}` : '',
    has(d.rationale) ? `<i>${esc(d.rationale)}</i>` : '',
  ];
}

/** Any other event: its subject, then its plain (non-id) fields. */
function generic(p: EventPayload): string[] {
  const rows = Object.entries(p.data).filter(
    ([k, v]) => has(v) && typeof v !== 'object' && k !== 'user_id' && !k.endsWith('_id') && k !== 'message',
  );
  const message = has(p.data.message) ? [esc(p.data.message)] : [];
  return [
    `⚠️ ${b(subjectOf(p))}`,
    ...message,
    ...rows.map(([k, v]) => `${esc(k.replaceAll('_', ' '))}: ${esc(/(_at|_ts|^ts)$/.test(k) ? when(v) : v)}`),
  ];
}

export function renderTelegram(p: EventPayload, publicUrl?: string): string {
  const d = p.data;
  const body =
    p.type === 'price_alert'
      ? priceAlert(d)
      : p.type === 'signal'
        ? signal(d)
        : p.type === 'test'
          ? [`✅ ${b('Trading Manager')}: ${esc(d.message ?? 'test notification')}`]
          : generic(p);
  const text = [...body.filter(Boolean), ...chartLink(d, publicUrl)].join('\n');
  // Cut at a line boundary when too long, so no HTML tag is left open.
  if (text.length <= MAX_TEXT) return text;
  const lines = text.split('\n');
  let out = '';
  for (const l of lines) if (out.length + l.length + 2 < MAX_TEXT) out += (out ? '\n' : '') + l;
  return `${out}\n…`;
}
