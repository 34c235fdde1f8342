/**
 * The chart's view in its URL: `/chart/BTC?interval=1d&indicators=sma:20,rsi:14&range=1y&type=line&scale=log`
 * opens exactly that view, and every change is a new history entry (back and forward step through them).
 * What the URL leaves out comes from this browser's last choice (interval, indicators) or the default.
 */
import { type ActiveIndicator, INDICATORS, INTERVALS, loadChoice, saveChoice, specOf } from './catalog.ts';

export const RANGES = ['1d', '5d', '1m', '3m', '6m', 'ytd', '1y', '5y', 'all'] as const;
export type RangeKey = (typeof RANGES)[number];
export const CHART_TYPES = ['candles', 'line', 'area', 'bars', 'ha'] as const;
export type ChartType = (typeof CHART_TYPES)[number];
export const SCALES = ['normal', 'log', 'pct'] as const;
export type ScaleKey = (typeof SCALES)[number];

export interface ChartState {
  interval: string;
  indicators: ActiveIndicator[];
  range: RangeKey | null;
  type: ChartType;
  scale: ScaleKey;
  /** Symbols overlaid in percent (at most MAX_COMPARE). */
  compare: string[];
}

export const MAX_COMPARE = 3;

/** `MSFT,ETH-USD`: distinct symbols, at most MAX_COMPARE. */
export function parseCompare(text: string | null): string[] {
  const out: string[] = [];
  for (const part of (text ?? '').split(',')) {
    const s = part.trim();
    if (/^[\w.\-/:]{1,40}$/.test(s) && !out.includes(s) && out.length < MAX_COMPARE) out.push(s);
  }
  return out;
}

const one = <T extends string>(list: readonly T[], v: string | null): T | null =>
  v !== null && (list as readonly string[]).includes(v) ? (v as T) : null;

/**
 * `sma:20,macd:12:26:9,obv`: each indicator's type, then its parameters in the catalog's order; then,
 * when the user styled it, a colour per output (`c` and six hex digits) and a line width (`w1`…`w4`):
 * `sma:20:cdc2626:w2`.
 */
export function parseIndicators(text: string): ActiveIndicator[] {
  const out: ActiveIndicator[] = [];
  for (const part of text.split(',')) {
    const [type, ...rest] = part.trim().split(':');
    const spec = INDICATORS.find((s) => s.type === type);
    if (!spec) continue;
    const colors = rest.filter((x) => /^c[0-9a-f]{6}$/i.test(x)).map((x) => `#${x.slice(1).toLowerCase()}`);
    const width = rest.find((x) => /^w[1-4]$/.test(x));
    const nums = rest.filter((x) => !/^[cw]/.test(x));
    const params = { ...spec.params };
    Object.keys(params).forEach((k, i) => {
      const n = Number(nums[i]);
      if (nums[i] !== undefined && nums[i] !== '' && Number.isFinite(n)) params[k] = n;
    });
    const ind: ActiveIndicator = { id: out.length + 1, type: spec.type, params };
    if (colors.length === spec.colors.length) ind.colors = colors;
    if (width) ind.width = Number(width.slice(1));
    out.push(ind);
  }
  return out;
}

export function formatIndicators(list: ActiveIndicator[]): string {
  return list
    .map((i) =>
      [
        i.type,
        ...Object.keys(specOf(i.type).params).map((k) => String(i.params[k])),
        ...(i.colors ?? []).map((c) => `c${c.slice(1)}`),
        ...(i.width && i.width !== 1 ? [`w${i.width}`] : []),
      ].join(':'),
    )
    .join(',');
}

export function readState(search: string, username: string | undefined): ChartState {
  const q = new URLSearchParams(search);
  const indicators = q.get('indicators');
  return {
    interval: one(INTERVALS, q.get('interval')) ?? one(INTERVALS, localStorage.getItem('tm.interval')) ?? '1h',
    indicators: indicators === null ? loadChoice(username) : parseIndicators(indicators),
    range: one(RANGES, q.get('range')?.toLowerCase() ?? null),
    type: one(CHART_TYPES, q.get('type')) ?? 'candles',
    scale: one(SCALES, q.get('scale')) ?? 'normal',
    compare: parseCompare(q.get('compare')),
  };
}

/** The query string of a state: defaults are left out, the interval and indicators always written. */
export function writeState(s: ChartState): string {
  const q = new URLSearchParams();
  q.set('interval', s.interval);
  q.set('indicators', formatIndicators(s.indicators));
  if (s.range) q.set('range', s.range);
  if (s.type !== 'candles') q.set('type', s.type);
  if (s.scale !== 'normal') q.set('scale', s.scale);
  if (s.compare.length) q.set('compare', s.compare.join(','));
  // Commas and colons stay readable in the address bar.
  return q.toString().replace(/%2C/g, ',').replace(/%3A/g, ':');
}

/** Remembers the interval and indicators as this browser's choice for links without them. */
export function remember(s: ChartState, username: string | undefined): void {
  localStorage.setItem('tm.interval', s.interval);
  saveChoice(username, s.indicators);
}

/** Where a range preset starts, counted back from the newest bar (UTC calendar). */
export function rangeStart(range: RangeKey, last: number): number {
  const d = new Date(last * 1000);
  const days = (n: number) => last - n * 86_400;
  const months = (n: number) =>
    Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - n, d.getUTCDate(), d.getUTCHours()) / 1000;
  switch (range) {
    case '1d':
      return days(1);
    case '5d':
      return days(5);
    case '1m':
      return months(1);
    case '3m':
      return months(3);
    case '6m':
      return months(6);
    case 'ytd':
      return Date.UTC(d.getUTCFullYear(), 0, 1) / 1000;
    case '1y':
      return months(12);
    case '5y':
      return months(60);
    case 'all':
      return 0;
  }
}

export const RANGE_LABELS: Record<RangeKey, [string, string]> = {
  '1d': ['1D', '1 day'],
  '5d': ['5D', '5 days'],
  '1m': ['1M', '1 month'],
  '3m': ['3M', '3 months'],
  '6m': ['6M', '6 months'],
  ytd: ['YTD', 'Year to date'],
  '1y': ['1Y', '1 year'],
  '5y': ['5Y', '5 years'],
  all: ['All', 'All data'],
};
