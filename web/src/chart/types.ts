/** What the chart shows and reports: bars, signals, indicator series, the crosshair and the visible window. */
export interface Bar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface Signal {
  id: number;
  ts: string;
  signal_type: string;
  strategy: string;
  confidence: number;
  strength: number;
  price: number;
  target_price: number | null;
  stop_loss: number | null;
  rationale: string;
  is_active: boolean;
}

export interface SeriesData {
  /** Output names in the order of values (e.g. macd, signal, histogram). */
  outputs: string[];
  ts: number[];
  values: (number | null)[][];
}

export interface Crosshair {
  bar: Bar | null;
  signals: Signal[];
  values: { label: string; value: number }[];
}

/** The window shown: its first bar's time and whether it reaches the oldest loaded bar. */
export interface Visible {
  first: number | null;
  atStart: boolean;
}
