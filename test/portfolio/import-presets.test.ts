/**
 * The broker presets (src/portfolio/import-presets.ts) on small files in each export's documented shape,
 * written for these tests: imported, imported again (nothing changes), and the positions they make.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import { insertAsset } from '../helpers/market.ts';
import { createUser } from '../../src/accounts/users.ts';
import type { Database } from '../../src/db/types.ts';
import { createPortfolio } from '../../src/portfolio/portfolios.ts';
import { importTransactions } from '../../src/portfolio/import.ts';
import { parseDate, parseMapping, typeCell } from '../../src/portfolio/import-mapping.ts';
import { PRESET_NAMES, presetMapping } from '../../src/portfolio/import-presets.ts';
import { positions } from '../../src/portfolio/positions.ts';
import { listTransactions } from '../../src/portfolio/transactions.ts';

// Trading 212's history export: cash rows without shares carry their sum in Total (a withdrawal negative).
const TRADING212 = `Action,Time,ISIN,Ticker,Name,No. of shares,Price / share,Currency (Price / share),Exchange rate,Result,Currency (Result),Total,Currency (Total),Withholding tax,Currency (Withholding tax),Notes,ID,Currency conversion fee,Currency (Currency conversion fee)
Deposit,2024-01-02 09:15:00,,,,,,,,,,1000.00,USD,,,,d1,,
Market buy,2024-01-03 14:30:05,US0000000001,PRSA,Preset A,4,101.50,USD,1.00,,,406.00,USD,,,,o1,,
Limit buy,2024-01-10 15:00:00.123,US0000000001,PRSA,Preset A,2,99.00,USD,1.00,,,198.00,USD,,,,o2,,
Market sell,2024-02-01 16:00:00,US0000000001,PRSA,Preset A,1.5,110.00,USD,1.00,5.25,USD,165.00,USD,,,,o3,,
Dividend (Ordinary),2024-02-15 08:00:00,US0000000001,PRSA,Preset A,4.5,0.25,USD,1.00,,,0.96,USD,0.17,USD,,,,
Interest on cash,2024-02-20 00:00:00,,,,,,,,,,0.42,USD,,,,,,
Withdrawal,2024-03-01 10:00:00,,,,,,,,,,-50.00,USD,,,,w1,,
`;

// DEGIRO's Transactions.csv (English): unnamed currency columns after each amount, newest first, no type:
// a negative quantity is a sale; fees negative, in the account's currency.
const DEGIRO = `Date,Time,Product,ISIN,Reference,Venue,Quantity,Price,,Local value,,Value,,Exchange rate,Transaction and/or third,,Total,,Order ID
12-02-2024,09:05,PRESET B INC,US0000000002,NDQ,XNAS,-4,55.50,USD,222.00,USD,203.00,EUR,1.0936,-1.00,EUR,202.00,EUR,b-2
05-01-2024,14:52,PRESET B INC,US0000000002,NDQ,XNAS,10,50.00,USD,-500.00,USD,-455.00,EUR,1.0989,-2.00,EUR,-457.00,EUR,b-1
`;

// An Interactive Brokers Flex Query of trades, CSV with column headers, dates yyyyMMdd;HHmmss.
const IBKR = `"ClientAccountID","CurrencyPrimary","Symbol","DateTime","TradeDate","Quantity","TradePrice","IBCommission","IBCommissionCurrency","Buy/Sell","TradeID"
"U1234567","USD","PRSC","20240108;093512","20240108","20","25.10","-1.00","USD","BUY","101"
"U1234567","USD","PRSC","20240122;154501","20240122","-5","27.00","-1.00","USD","SELL","102"
`;

test('mapping features: zone-less ISO times are UTC, HHMMSS times, checks, exact words before the longest prefix', () => {
  assert.equal(parseDate('2024-01-02 10:00', 'iso').toISOString(), '2024-01-02T10:00:00.000Z');
  assert.equal(parseDate('2024-01-02T10:00:05.25', 'iso').toISOString(), '2024-01-02T10:00:05.250Z');
  assert.equal(parseDate('20240102;101112', 'YYYYMMDD').toISOString(), '2024-01-02T10:11:12.000Z');
  assert.throws(() => parseMapping({ sign_types: { positive: 'buy' } }), /mapping: sign_types/);
  assert.throws(() => parseMapping({ columns: { fee: [] } }), /mapping: columns.fee/);
  const m = parseMapping({ types: { 'Div*': 'interest', 'Dividend*': 'dividend', 'Div special': 'fee' } });
  assert.deepEqual(
    ['Dividend (Ordinary)', 'Div x', 'DIV SPECIAL', 'other'].map((w) => typeCell(w, m)),
    ['dividend', 'interest', 'fee', 'other'],
  );
});

forEachBackend('portfolio import presets', (open) => {
  let db: Database;
  let userId: string;
  before(async () => {
    db = await open();
    userId = (await createUser(db, { username: 'presets', email: 'presets@example.com', password: 'correct horse' }))
      .id;
    for (const symbol of ['PRSA', 'US0000000002', 'PRSC']) await insertAsset(db, symbol);
  });
  after(() => db.close());

  /** Imports the file twice with the preset; answers its positions and first transaction times. */
  const imported = async (preset: string, csv: string) => {
    const p = await createPortfolio(db, userId, { name: preset });
    const first = await importTransactions(db, p, csv, presetMapping(preset));
    assert.equal(first.inserted, first.rows);
    assert.deepEqual(await importTransactions(db, p, csv, presetMapping(preset)), {
      rows: first.rows,
      inserted: 0,
      unchanged: first.rows,
    });
    const pos = await positions(db, p);
    const ts = (await listTransactions(db, p.id)).map((t) => t.ts.toISOString());
    return {
      rows: first.rows,
      held: pos.positions.map((x) => [x.symbol, x.currency, x.quantity, x.cost_basis, x.realized_pnl, x.income]),
      cash: pos.cash.map((c) => [c.currency, c.amount]),
      ts,
    };
  };

  test('the presets are listed', () => {
    assert.deepEqual(PRESET_NAMES, ['ghostfolio', 'wealthfolio', 'trading212', 'degiro', 'ibkr-flex']);
  });

  test('trading212: orders, a dividend, interest, a deposit and a withdrawal', async () => {
    const r = await imported('trading212', TRADING212);
    assert.equal(r.rows, 7);
    // 4 at 101.5 and 2 at 99; 1.5 of the first lot sold at 110.
    assert.deepEqual(r.held, [['PRSA:TEST', 'USD', '4.5', '451.75', '12.75', '1.125']]);
    assert.deepEqual(r.cash, [['USD', '512.545']]); // 1000 − 406 − 198 + 165 + 1.125 + 0.42 − 50
    assert.equal(r.ts[2], '2024-01-10T15:00:00.123Z');
  });

  test('degiro: the sign of the quantity is the type; the date and time columns join', async () => {
    const r = await imported('degiro', DEGIRO);
    assert.equal(r.rows, 2);
    // 10 at 50 + 2 fee = 502; 4 sold at 55.50 less 1 fee: 221 − 4/10 of 502.
    assert.deepEqual(r.held, [['US0000000002:TEST', 'USD', '6', '301.2', '20.2', '0']]);
    assert.deepEqual(r.cash, [['USD', '-281']]);
    assert.deepEqual(r.ts, ['2024-01-05T14:52:00.000Z', '2024-02-12T09:05:00.000Z']);
  });

  test('a header without the columns a preset needs names every alternative', async () => {
    const p = await createPortfolio(db, userId, { name: 'wrong-file' });
    await assert.rejects(
      importTransactions(db, p, 'Datum,Menge\n01-01-2024,1\n', presetMapping('degiro')),
      /no column "Date", "Quantity"/,
    );
    await assert.rejects(
      importTransactions(db, p, 'Symbol,Quantity\nPRSC,1\n', presetMapping('ibkr-flex')),
      /no column "DateTime" or "TradeDate", "Buy\/Sell"/,
    );
  });

  test('ibkr-flex: signed quantities and commissions, yyyyMMdd;HHmmss times', async () => {
    const r = await imported('ibkr-flex', IBKR);
    // 20 at 25.10 + 1 = 503; 5 sold at 27 less 1: 134 − 5/20 of 503.
    assert.deepEqual(r.held, [['PRSC:TEST', 'USD', '15', '377.25', '8.25', '0']]);
    assert.deepEqual(r.cash, [['USD', '-369']]);
    assert.deepEqual(r.ts, ['2024-01-08T09:35:12.000Z', '2024-01-22T15:45:01.000Z']);
  });
});
