/**
 * Positions of a portfolio: the FIFO ledger over its transactions, valued at each asset's newest close
 * (docs/portfolio.md). Figures are exact decimal strings, in the asset's currency and in the base one.
 */
import type { Queryable } from '../db/types.ts';
import { latestCloses } from '../market/closes.ts';
import { dec, div, mul, str, sum, ZERO, type Dec } from './decimal.ts';
import { FxRates } from './fx.ts';
import { quantityOf, replay, type Holding } from './ledger.ts';
import type { Portfolio } from './portfolios.ts';
import { listTransactions } from './transactions.ts';

export type PositionRow = {
  symbol: string;
  asset_id: string;
  asset_type: string | null;
  currency: string;
  quantity: string;
  cost_basis: string;
  average_cost: string | null;
  realized_pnl: string;
  income: string;
  last_price: string | null;
  last_price_at: string | null;
  market_value: string | null;
  unrealized_pnl: string | null;
  base: {
    cost_basis: string;
    realized_pnl: string;
    income: string;
    market_value: string | null;
    unrealized_pnl: string | null;
  };
};

export type Positions = {
  portfolio: string;
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
    fees: string;
  };
};

const strOrNull = (v: Dec | null): string | null => (v === null ? null : str(v));

function positionRow(h: Holding, last: { close: Dec; ts: Date } | null, fxNow: Dec): PositionRow {
  const quantity = quantityOf(h);
  const cost = sum(h.lots.map((l) => l.cost));
  const costBase = sum(h.lots.map((l) => l.cost_base));
  const value = last ? mul(quantity, last.close) : null;
  const valueBase = value === null ? null : mul(value, fxNow);
  return {
    symbol: h.symbol,
    asset_id: h.asset_id,
    asset_type: h.asset_type,
    currency: h.currency,
    quantity: str(quantity),
    cost_basis: str(cost),
    average_cost: quantity === ZERO ? null : str(div(cost, quantity)),
    realized_pnl: str(h.realized),
    income: str(h.income),
    last_price: last ? str(last.close) : null,
    last_price_at: last ? last.ts.toISOString() : null,
    market_value: strOrNull(value),
    unrealized_pnl: value === null ? null : str(value - cost),
    base: {
      cost_basis: str(costBase),
      realized_pnl: str(h.realized_base),
      income: str(h.income_base),
      market_value: strOrNull(valueBase),
      unrealized_pnl: valueBase === null ? null : str(valueBase - costBase),
    },
  };
}

/** The positions of a portfolio as of its transactions and the newest candles. */
export async function positions(q: Queryable, p: Portfolio): Promise<Positions> {
  const txs = await listTransactions(q, p.id);
  const currencies = new Set(txs.map((t) => t.currency));
  const fx = await FxRates.load(q, p.base_currency, txs, currencies);
  const ledger = replay(txs, (c, ts) => fx.rate(c, ts));
  const rows: PositionRow[] = [];
  const closes = await latestCloses(q, [...ledger.holdings.keys()]);
  for (const h of ledger.holdings.values()) {
    const c = closes.get(h.asset_id);
    rows.push(positionRow(h, c ? { close: dec(c.close), ts: c.ts } : null, fx.current(h.currency)));
  }
  rows.sort((a, b) => a.symbol.localeCompare(b.symbol));
  const cash = [...ledger.cash.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, amount]) => ({ currency, amount, base: mul(amount, fx.current(currency)) }));
  const cashBase = sum(cash.map((c) => c.base));
  const values = rows.map((r) => r.base.market_value);
  const marketValue = values.includes(null) ? null : sum(values.map((v) => dec(v as string)));
  const costBase = sum(rows.map((r) => dec(r.base.cost_basis)));
  return {
    portfolio: p.name,
    base_currency: p.base_currency,
    positions: rows,
    cash: cash.map((c) => ({ currency: c.currency, amount: str(c.amount), base_amount: str(c.base) })),
    totals: {
      cost_basis: str(costBase),
      market_value: strOrNull(marketValue),
      cash: str(cashBase),
      value: marketValue === null ? null : str(marketValue + cashBase),
      realized_pnl: str(sum(rows.map((r) => dec(r.base.realized_pnl)))),
      unrealized_pnl: marketValue === null ? null : str(marketValue - costBase),
      income: str(sum(rows.map((r) => dec(r.base.income))) + ledger.other_income_base),
      fees: str(ledger.other_fees_base),
    },
  };
}
