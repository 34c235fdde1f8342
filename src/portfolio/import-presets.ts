/**
 * Mappings for exports whose format is documented publicly (docs/portfolio.md, "Import"):
 *  - ghostfolio: Ghostfolio's activity CSV (Date, Code, Currency, Price, Quantity, Action, Fee, Note;
 *    dates DD-MM-YYYY as in its own example file; actions buy, sell, dividend, fee, interest).
 *  - wealthfolio: Wealthfolio's activity CSV (date, symbol, quantity, activityType, unitPrice, currency,
 *    fee, amount; ISO dates; upper-case activity types; cash rows name the symbol $CASH-<currency> and
 *    carry their sum in amount).
 * Rows these tools know and we do not (Ghostfolio's item or liability, Wealthfolio's tax or conversion)
 * are refused by line, like any unknown type.
 */
import { UserError } from '../errors.ts';
import { type Mapping, parseMapping } from './import-mapping.ts';

const PRESETS: Record<string, unknown> = {
  ghostfolio: {
    columns: {
      date: 'Date',
      symbol: 'Code',
      currency: 'Currency',
      price: 'Price',
      quantity: 'Quantity',
      type: 'Action',
      fee: 'Fee',
      note: 'Note',
    },
    date_format: 'DD-MM-YYYY',
    absolute: true,
  },
  wealthfolio: {
    columns: {
      date: 'date',
      symbol: 'symbol',
      quantity: 'quantity',
      type: 'activityType',
      price: 'unitPrice',
      currency: 'currency',
      fee: 'fee',
      amount: 'amount',
    },
    date_format: 'iso',
    cash_symbol: '^\\$CASH-[A-Za-z]{3}$',
    amount_for_cash: true,
  },
};

export const PRESET_NAMES = Object.keys(PRESETS);

export function presetMapping(name: string): Mapping {
  const p = PRESETS[name.trim().toLowerCase()];
  if (!p) throw new UserError(`unknown preset "${name}" (known: ${PRESET_NAMES.join(', ')})`);
  return parseMapping(p);
}
