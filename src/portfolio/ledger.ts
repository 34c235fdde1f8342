/**
 * The FIFO ledger: replays a portfolio's transactions in order (time, then id) into lots per asset,
 * realized P&L, income and cash per currency (docs/portfolio.md states the rules). Pure: the caller
 * supplies the exchange rate of a currency at a time, in the base currency. A sell or transfer out of
 * more than is held is an error naming the transaction.
 */
import { UserError } from '../errors.ts';
import { mul, mulDiv, str, ZERO, type Dec } from './decimal.ts';
import type { Transaction } from './transactions.ts';

export interface Lot {
  ts: Date;
  quantity: Dec;
  /** What the lot cost, fee included, in the asset's currency and in the base currency (at the buy's rate). */
  cost: Dec;
  cost_base: Dec;
}

export interface Holding {
  asset_id: string;
  symbol: string;
  asset_type: string | null;
  currency: string;
  lots: Lot[];
  realized: Dec;
  realized_base: Dec;
  income: Dec;
  income_base: Dec;
}

export interface Ledger {
  holdings: Map<string, Holding>;
  cash: Map<string, Dec>;
  /** Income and fees not tied to an asset, in the base currency. */
  other_income_base: Dec;
  other_fees_base: Dec;
}

export type RateAt = (currency: string, ts: Date) => Dec;

const quantityOf = (h: Holding): Dec => h.lots.reduce((s, l) => s + l.quantity, ZERO);

function fail(t: Transaction, why: string): never {
  throw new UserError(`transaction ${t.id} (${t.type} on ${t.ts.toISOString()}): ${why}`);
}

/** Takes `quantity` off the oldest lots first; answers the cost removed (asset and base currency). */
function takeFifo(h: Holding, quantity: Dec, t: Transaction): { cost: Dec; cost_base: Dec } {
  const held = quantityOf(h);
  if (quantity > held) fail(t, `${str(quantity)} ${h.symbol} is more than the ${str(held)} held`);
  let left = quantity;
  let cost = ZERO;
  let costBase = ZERO;
  while (left > ZERO) {
    const lot = h.lots[0];
    if (left >= lot.quantity) {
      // The whole lot goes: its whole remaining cost, so no rounding residue stays behind.
      left -= lot.quantity;
      cost += lot.cost;
      costBase += lot.cost_base;
      h.lots.shift();
    } else {
      const part = mulDiv(lot.cost, left, lot.quantity);
      const partBase = mulDiv(lot.cost_base, left, lot.quantity);
      lot.cost -= part;
      lot.cost_base -= partBase;
      lot.quantity -= left;
      cost += part;
      costBase += partBase;
      left = ZERO;
    }
  }
  return { cost, cost_base: costBase };
}

function holdingOf(ledger: Ledger, t: Transaction): Holding | null {
  if (!t.asset_id) return null;
  let h = ledger.holdings.get(t.asset_id);
  if (!h) {
    h = {
      asset_id: t.asset_id,
      symbol: t.symbol ?? t.asset_id,
      asset_type: t.asset_type,
      currency: t.currency,
      lots: [],
      realized: ZERO,
      realized_base: ZERO,
      income: ZERO,
      income_base: ZERO,
    };
    ledger.holdings.set(t.asset_id, h);
  } else if (h.currency !== t.currency) {
    fail(t, `${h.symbol} is held in ${h.currency}, not ${t.currency}`);
  }
  return h;
}

function addCash(ledger: Ledger, currency: string, amount: Dec): void {
  ledger.cash.set(currency, (ledger.cash.get(currency) ?? ZERO) + amount);
}

/** Applies one transaction to the ledger. */
export function apply(ledger: Ledger, t: Transaction, rateAt: RateAt): void {
  const h = holdingOf(ledger, t);
  const rate = rateAt(t.currency, t.ts);
  const gross = mul(t.quantity, t.price);
  switch (t.type) {
    case 'buy':
    case 'transfer_in':
      if (h) {
        const cost = gross + t.fee;
        h.lots.push({ ts: t.ts, quantity: t.quantity, cost, cost_base: mul(cost, rate) });
        // A buy pays price and fee; an asset transferred in brings its cost, only the fee is paid here.
        addCash(ledger, t.currency, t.type === 'buy' ? -cost : -t.fee);
      } else addCash(ledger, t.currency, gross - t.fee);
      return;
    case 'sell':
    case 'transfer_out':
      if (h) {
        const out = takeFifo(h, t.quantity, t);
        if (t.type === 'sell') {
          const proceeds = gross - t.fee;
          h.realized += proceeds - out.cost;
          h.realized_base += mul(proceeds, rate) - out.cost_base;
          addCash(ledger, t.currency, proceeds);
        } else {
          h.realized -= t.fee;
          h.realized_base -= mul(t.fee, rate);
          addCash(ledger, t.currency, -t.fee);
        }
      } else addCash(ledger, t.currency, -(gross + t.fee));
      return;
    case 'split':
      if (!h || t.ratio === null) fail(t, 'a split needs an asset and a ratio');
      for (const lot of h.lots) lot.quantity = mul(lot.quantity, t.ratio);
      if (t.fee > ZERO) {
        h.realized -= t.fee;
        h.realized_base -= mul(t.fee, rate);
        addCash(ledger, t.currency, -t.fee);
      }
      return;
    case 'dividend':
    case 'interest': {
      const net = gross - t.fee;
      if (h) {
        h.income += net;
        h.income_base += mul(net, rate);
      } else ledger.other_income_base += mul(net, rate);
      addCash(ledger, t.currency, net);
      return;
    }
    case 'fee': {
      const paid = gross + t.fee;
      if (h) {
        h.realized -= paid;
        h.realized_base -= mul(paid, rate);
      } else ledger.other_fees_base += mul(paid, rate);
      addCash(ledger, t.currency, -paid);
      return;
    }
    case 'deposit':
      addCash(ledger, t.currency, gross - t.fee);
      return;
    case 'withdrawal':
      addCash(ledger, t.currency, -(gross + t.fee));
      return;
  }
}

export function emptyLedger(): Ledger {
  return { holdings: new Map(), cash: new Map(), other_income_base: ZERO, other_fees_base: ZERO };
}

/** Replays transactions (already in order) into a ledger. */
export function replay(transactions: readonly Transaction[], rateAt: RateAt): Ledger {
  const ledger = emptyLedger();
  for (const t of transactions) apply(ledger, t, rateAt);
  return ledger;
}

export { quantityOf };
