/** What /api/portfolios and /api/paper answer (docs/portfolio.md); exact figures are decimal strings. */
export interface Portfolio {
  id: string;
  name: string;
  base_currency: string;
  transactions: number;
}

export interface Transaction {
  id: string;
  type: string;
  ts: string;
  symbol: string | null;
  quantity: string;
  price: string;
  fee: string;
  ratio: string | null;
  currency: string;
  note: string | null;
}

export interface PositionRow {
  symbol: string;
  asset_type: string | null;
  currency: string;
  quantity: string;
  cost_basis: string;
  average_cost: string | null;
  realized_pnl: string;
  income: string;
  last_price: string | null;
  market_value: string | null;
  unrealized_pnl: string | null;
  base: { market_value: string | null; unrealized_pnl: string | null; realized_pnl: string };
}

export interface Positions {
  base_currency: string;
  positions: PositionRow[];
  cash: { currency: string; amount: string; base_amount: string }[];
  totals: {
    cost_basis: string;
    market_value: string | null;
    cash: string;
    value: string | null;
    realized_pnl: string;
    unrealized_pnl: string | null;
    income: string;
  };
}

export interface Performance {
  from: string;
  to: string;
  days: { day: string; value: number; twr_index: number; benchmark_index: number | null; priced: boolean }[];
  end_value: number;
  time_weighted_return: number;
  money_weighted_return: number | null;
  max_drawdown: number;
  benchmark: { symbol: string; return: number | null; max_drawdown: number } | null;
}

export interface PaperAccount {
  id: string;
  name: string;
  strategy: string;
  strategy_version: number;
  symbol: string;
  interval: string;
  from: string;
  last_bar: string | null;
}

export interface PaperStatus extends PaperAccount {
  cash: number;
  position: { size: number; entry_time: string; entry_price: number; last_price: number } | null;
  equity: number;
}

export interface PaperTrade {
  entry_time: string;
  entry_price: number;
  exit_time: string;
  exit_price: number;
  size: number;
  pnl: number;
  exit_reason: string;
}

export const TRANSACTION_TYPES = [
  'buy',
  'sell',
  'deposit',
  'withdrawal',
  'dividend',
  'interest',
  'fee',
  'split',
  'transfer_in',
  'transfer_out',
] as const;

/** Types recorded as an amount of cash (quantity 1 at that price). */
export const CASH_TYPES = ['deposit', 'withdrawal', 'dividend', 'interest', 'fee'];

/** A decimal string as a number for display and proportions (never written back). */
export const num = (s: string | null | undefined): number | null => (s === null || s === undefined ? null : Number(s));
