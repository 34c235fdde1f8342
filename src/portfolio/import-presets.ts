/**
 * Mappings for exports whose format is documented publicly (docs/portfolio.md, "Import"):
 *  - ghostfolio: Ghostfolio's activity CSV (Date, Code, Currency, Price, Quantity, Action, Fee, Note;
 *    dates DD-MM-YYYY as in its own example file; actions buy, sell, dividend, fee, interest).
 *  - wealthfolio: Wealthfolio's activity CSV (date, symbol, quantity, activityType, unitPrice, currency,
 *    fee, amount; ISO dates; upper-case activity types; cash rows name the symbol $CASH-<currency> and
 *    carry their sum in amount).
 *  - trading212: Trading 212's history export (Action, Time, Ticker, No. of shares, Price / share,
 *    Currency (Price / share), Total, Currency (Total), Notes; times YYYY-MM-DD HH:MM:SS; cash rows have no
 *    shares and their sum in Total).
 *  - degiro: DEGIRO's Transactions.csv in English (Date, Time, Product, ISIN, …, Quantity, Price, the
 *    price's currency in the unnamed column after it, …, the fees; dates DD-MM-YYYY; no type column: a
 *    negative quantity is a sale).
 *  - ibkr-flex: an Interactive Brokers Flex Query of trades as CSV with column headers (Symbol,
 *    CurrencyPrimary, DateTime or TradeDate as yyyyMMdd[;HHmmss], Quantity, TradePrice, IBCommission,
 *    Buy/Sell; signed quantities and commissions).
 * Rows these tools know and we do not (Ghostfolio's item or liability, Wealthfolio's tax or conversion,
 * Trading 212's currency conversions) are refused by line, like any unknown type.
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
  trading212: {
    columns: {
      date: 'Time',
      type: 'Action',
      symbol: 'Ticker',
      quantity: 'No. of shares',
      price: 'Price / share',
      amount: 'Total',
      currency: ['Currency (Price / share)', 'Currency (Total)'],
      note: 'Notes',
    },
    date_format: 'YYYY-MM-DD',
    types: {
      'Market buy': 'buy',
      'Limit buy': 'buy',
      'Stop buy': 'buy',
      'Stop limit buy': 'buy',
      'Market sell': 'sell',
      'Limit sell': 'sell',
      'Stop sell': 'sell',
      'Stop limit sell': 'sell',
      Deposit: 'deposit',
      Withdrawal: 'withdrawal',
      'Dividend*': 'dividend',
      'Interest on cash': 'interest',
      'Lending interest': 'interest',
    },
    absolute: true,
  },
  degiro: {
    columns: {
      date: 'Date',
      time: 'Time',
      symbol: 'ISIN',
      quantity: 'Quantity',
      price: 'Price',
      currency: '#9',
      fee: ['Transaction and/or third', 'Transaction and/or third party fees EUR', 'Transaction costs'],
      note: 'Order ID',
    },
    date_format: 'DD-MM-YYYY',
    sign_types: { positive: 'buy', negative: 'sell' },
    absolute: true,
  },
  'ibkr-flex': {
    columns: {
      date: ['DateTime', 'TradeDate'],
      type: 'Buy/Sell',
      symbol: 'Symbol',
      quantity: 'Quantity',
      price: 'TradePrice',
      fee: 'IBCommission',
      currency: 'CurrencyPrimary',
      note: 'TradeID',
    },
    date_format: 'YYYYMMDD',
    types: { BUY: 'buy', SELL: 'sell' },
    absolute: true,
  },
};

export const PRESET_NAMES = Object.keys(PRESETS);

export function presetMapping(name: string): Mapping {
  const p = PRESETS[name.trim().toLowerCase()];
  if (!p) throw new UserError(`unknown preset "${name}" (known: ${PRESET_NAMES.join(', ')})`);
  return parseMapping(p);
}
