/** What the chart offers: indicator types with their parameters and where they draw, strategies for backtests. */
export interface IndicatorSpec {
  type: string;
  label: string;
  /** true: drawn over the candles; false: in a pane of its own. */
  overlay: boolean;
  params: Record<string, number>;
  /**
   * One colour per output (outputs in the API's order); 'histogram' draws that output as bars. Each has
   * at least 3:1 contrast against both themes' backgrounds (test/web/chart-colors.test.ts).
   */
  colors: string[];
  /** The outputs' names, as the API gives them. */
  outputs: string[];
  histogram?: number;
}

export const INDICATORS: IndicatorSpec[] = [
  { type: 'sma', label: 'SMA', overlay: true, params: { period: 20 }, colors: ['#d97706'], outputs: ['value'] },
  { type: 'ema', label: 'EMA', overlay: true, params: { period: 20 }, colors: ['#8b5cf6'], outputs: ['value'] },
  {
    type: 'bbands',
    label: 'Bollinger Bands',
    overlay: true,
    params: { period: 20, stddev: 2 },
    colors: ['#0284c7', '#64748b', '#0284c7'],
    outputs: ['upper', 'middle', 'lower'],
  },
  { type: 'rsi', label: 'RSI', overlay: false, params: { period: 14 }, colors: ['#a855f7'], outputs: ['value'] },
  {
    type: 'macd',
    label: 'MACD',
    overlay: false,
    params: { fast: 12, slow: 26, signal: 9 },
    colors: ['#2563eb', '#ea580c', '#64748b'],
    outputs: ['macd', 'signal', 'histogram'],
    histogram: 2,
  },
  {
    type: 'stoch',
    label: 'Stochastic',
    overlay: false,
    params: { period: 14, smoothK: 3, smoothD: 3 },
    colors: ['#2563eb', '#ea580c'],
    outputs: ['k', 'd'],
  },
  {
    type: 'adx',
    label: 'ADX',
    overlay: false,
    params: { period: 14 },
    colors: ['#0891b2', '#16a34a', '#dc2626'],
    outputs: ['adx', 'plus_di', 'minus_di'],
  },
  { type: 'cci', label: 'CCI', overlay: false, params: { period: 20 }, colors: ['#0d9488'], outputs: ['value'] },
  { type: 'atr', label: 'ATR', overlay: false, params: { period: 14 }, colors: ['#db2777'], outputs: ['value'] },
  { type: 'obv', label: 'OBV', overlay: false, params: {}, colors: ['#6b7280'], outputs: ['value'] },
];

/** The API's rules for parameters (src/analysis/indicators/registry.ts): integers in [min, 100000]; stddev a real in (0, 100]. */
const MAX_PERIOD = 100_000;
const MIN_INT: Record<string, number> = { period: 2, fast: 2, slow: 2, signal: 1, smoothK: 1, smoothD: 1 };
/** ATR and Stochastic take a period of 1. */
const PERIOD_ONE = new Set(['atr', 'stoch']);

/** Why a parameter value is refused, in words (null when the API would take it). */
export function paramProblem(type: string, key: string, raw: string): string | null {
  if (raw.trim() === '') return 'Enter a number.';
  const n = Number(raw);
  if (!Number.isFinite(n)) return 'Enter a number.';
  if (key === 'stddev') return n > 0 && n <= 100 ? null : 'Must be more than 0 and at most 100.';
  const min = key === 'period' && PERIOD_ONE.has(type) ? 1 : (MIN_INT[key] ?? 1);
  if (!Number.isInteger(n)) return `Must be a whole number (${min} to ${MAX_PERIOD.toLocaleString('en-US')}).`;
  if (n < min || n > MAX_PERIOD) return `Must be from ${min} to ${MAX_PERIOD.toLocaleString('en-US')}.`;
  return null;
}

/** A rule between parameters (MACD: fast below slow), null when they fit together. */
export function paramsProblem(type: string, params: Record<string, number>): string | null {
  if (type === 'macd' && params.fast >= params.slow) return 'Fast must be less than slow.';
  return null;
}

export const STRATEGIES: Record<string, Record<string, number>> = {
  'ma-crossover': { fast: 20, slow: 50, exponential: 0 },
  'rsi-reversal': { period: 14, oversold: 30, overbought: 70 },
  'macd-crossover': { fast: 12, slow: 26, signal: 9 },
  bollinger: { period: 20, stddev: 2 },
  composite: { window: 3, strongVotes: 2 },
};

export const INTERVALS = ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w', '1M'] as const;
const MIN = 60;
export const INTERVAL_SECONDS: Record<string, number> = {
  '1m': MIN,
  '5m': 5 * MIN,
  '15m': 15 * MIN,
  '30m': 30 * MIN,
  '1h': 60 * MIN,
  '4h': 240 * MIN,
  '1d': 1440 * MIN,
  '1w': 7 * 1440 * MIN,
  '1M': 31 * 1440 * MIN,
};

/** An indicator the user added: its type and parameters. */
export interface ActiveIndicator {
  id: number;
  type: string;
  params: Record<string, number>;
  /** The user's colours per output (`#rrggbb`), when not the catalog's. */
  colors?: string[];
  /** Line width in pixels (1 to 4), when not 1. */
  width?: number;
}

/** The chart's background in each theme (styles.css: --bg). */
export const BACKGROUNDS = { light: '#ffffff', dark: '#0f172a' };

/** Compared symbols' line colours, with the same contrast as the indicators'. */
export const COMPARE_COLORS = ['#c026d3', '#0f766e', '#c2410c'];

/** WCAG contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrast(a: string, b: string): number {
  const lum = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => {
      const v = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

export function specOf(type: string): IndicatorSpec {
  const s = INDICATORS.find((i) => i.type === type);
  if (!s) throw new Error(`unknown indicator ${type}`);
  return s;
}

/** The user's indicator choice is remembered per user (no secret: a list of types and numbers). */
export function loadChoice(username: string | undefined): ActiveIndicator[] {
  try {
    const raw = localStorage.getItem(`tm.indicators.${username ?? 'guest'}`);
    const list = raw ? (JSON.parse(raw) as ActiveIndicator[]) : null;
    if (Array.isArray(list)) return list.filter((i) => INDICATORS.some((s) => s.type === i.type));
  } catch {
    // A broken entry falls back to the default.
  }
  return [{ id: 1, type: 'sma', params: { period: 20 } }];
}

export function saveChoice(username: string | undefined, list: ActiveIndicator[]): void {
  localStorage.setItem(`tm.indicators.${username ?? 'guest'}`, JSON.stringify(list));
}
