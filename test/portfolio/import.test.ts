/** Importing transactions from CSV on both backends: all or nothing, line numbers, re-imports, mappings. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import { insertAsset } from '../helpers/market.ts';
import { createUser } from '../../src/accounts/users.ts';
import type { Database } from '../../src/db/types.ts';
import { createPortfolio, type Portfolio } from '../../src/portfolio/portfolios.ts';
import { importTransactions } from '../../src/portfolio/import.ts';
import { parseMapping } from '../../src/portfolio/import-mapping.ts';
import { presetMapping } from '../../src/portfolio/import-presets.ts';
import { listTransactions } from '../../src/portfolio/transactions.ts';
import { transactionView } from '../../src/portfolio/views.ts';

const CSV = `date,type,symbol,quantity,price,fee,currency
2024-01-02,deposit,,1,1000,0,USD
2024-01-03,buy,IMPA,5,100,1,USD
2024-01-03,buy,IMPA,5,100,1,USD
2024-02-01T15:30:00Z,sell,IMPA,2,110,0,
`;

forEachBackend(
  'portfolio import',
  (open) => {
    let db: Database;
    let p: Portfolio;
    before(async () => {
      db = await open();
      const u = await createUser(db, { username: 'imp', email: 'imp@example.com', password: 'correct horse' });
      await insertAsset(db, 'IMPA');
      p = await createPortfolio(db, u.id, { name: 'imported' });
    });
    after(() => db.close());

    test('the default columns; identical rows both count; importing again changes nothing', async () => {
      assert.deepEqual(await importTransactions(db, p, CSV), { rows: 4, inserted: 4, unchanged: 0 });
      const txs = (await listTransactions(db, p.id)).map(transactionView);
      assert.deepEqual(
        txs.map((t) => [t.ts, t.type, t.symbol, t.quantity, t.price, t.fee, t.currency]),
        [
          ['2024-01-02T00:00:00.000Z', 'deposit', null, '1', '1000', '0', 'USD'],
          ['2024-01-03T00:00:00.000Z', 'buy', 'IMPA:TEST', '5', '100', '1', 'USD'],
          ['2024-01-03T00:00:00.000Z', 'buy', 'IMPA:TEST', '5', '100', '1', 'USD'],
          ['2024-02-01T15:30:00.000Z', 'sell', 'IMPA:TEST', '2', '110', '0', 'USD'],
        ],
      );
      assert.deepEqual(await importTransactions(db, p, CSV), { rows: 4, inserted: 0, unchanged: 4 });
      const longer = `${CSV}2024-03-01,dividend,IMPA,,,0,USD\n`.replace(',,,0,USD\n', ',1,4,0,USD\n');
      assert.deepEqual(await importTransactions(db, p, longer), { rows: 5, inserted: 1, unchanged: 4 });
      assert.equal((await listTransactions(db, p.id)).length, 5);
    });

    test('all or nothing: every bad row named by its line; formula cells refused', async () => {
      const before = (await listTransactions(db, p.id)).length;
      const bad = `date,type,symbol,quantity,price,fee,currency
2024-04-01,buy,IMPA,1,10,0,USD
2024-13-01,buy,IMPA,1,10,0,USD
2024-04-02,bought,IMPA,1,10,0,USD
2024-04-03,buy,@SUM(A1),1,10,0,USD
2024-04-04,buy,IMPA,one,10,0,USD
2024-04-05,buy,IMPA,1,10,0,DOLLARS
`;
      await assert.rejects(importTransactions(db, p, bad), (err: Error) => {
        assert.match(err.message, /^import refused, nothing written:/);
        assert.match(err.message, /line 3: date: "2024-13-01" is not ISO 8601/);
        assert.match(err.message, /line 4: type: "bought" is not one of/);
        assert.match(err.message, /line 5: symbol: "@SUM\(A1\)" starts with "@" \(refused: a spreadsheet formula\)/);
        assert.match(err.message, /line 6: quantity: "one" is not a decimal number/);
        assert.match(err.message, /line 7: currency: "DOLLARS" is not a three-letter currency code/);
        assert.doesNotMatch(err.message, /line 2:/);
        return true;
      });
      await assert.rejects(
        importTransactions(
          db,
          p,
          'date,type,symbol,quantity,price\n2024-04-01,buy,NOPE,1,1\n2024-04-01,buy,IMPA,1,1\n',
        ),
        /line 2: symbol: no asset "NOPE"/,
      );
      await assert.rejects(
        importTransactions(db, p, 'date,type,symbol,quantity,price\n2024-04-01,sell,IMPA,100,1\n'),
        /100 IMPA:TEST is more than the 8 held/,
      );
      await assert.rejects(importTransactions(db, p, 'when,what\n2024-01-01,buy\n'), /no column "date", "type"/);
      assert.equal((await listTransactions(db, p.id)).length, before, 'nothing written');
    });

    test("a mapping reads a broker's export: its columns, dates, decimal comma and words", async () => {
      const mapping = parseMapping({
        columns: {
          date: 'Datum',
          type: 'Typ',
          symbol: 'Wertpapier',
          quantity: 'Stück',
          price: 'Kurs',
          fee: 'Gebühren',
          currency: 'Währung',
        },
        date_format: 'DD.MM.YYYY',
        decimal_comma: true,
        types: { Kauf: 'buy', Verkauf: 'sell', Einlage: 'deposit' },
        absolute: true,
      });
      const csv = `Datum;Typ;Wertpapier;Stück;Kurs;Gebühren;Währung
05.01.2024;Einlage;;1;1.500,00;0;EUR
06.01.2024 09:15;Kauf;IMPA;3;101,25;0,99;EUR
07.01.2024;verkauf;IMPA;-1;102,5;0;EUR
`;
      const q = await createPortfolio(db, p.user_id, { name: 'broker', base_currency: 'EUR' });
      assert.deepEqual(await importTransactions(db, q, csv, mapping), { rows: 3, inserted: 3, unchanged: 0 });
      const txs = (await listTransactions(db, q.id)).map(transactionView);
      assert.deepEqual(
        txs.map((t) => [t.ts, t.type, t.quantity, t.price, t.fee, t.currency]),
        [
          ['2024-01-05T00:00:00.000Z', 'deposit', '1', '1500', '0', 'EUR'],
          ['2024-01-06T09:15:00.000Z', 'buy', '3', '101.25', '0.99', 'EUR'],
          ['2024-01-07T00:00:00.000Z', 'sell', '1', '102.5', '0', 'EUR'],
        ],
      );
      assert.throws(() => parseMapping({ columns: { datum: 'x' } }), /mapping: columns/);
      assert.throws(() => parseMapping({ date_format: 'D-M-Y' }), /mapping: date_format/);
      assert.throws(() => parseMapping({ types: { Kauf: 'purchase' } }), /mapping: types.Kauf/);
    });

    test('presets read Ghostfolio and Wealthfolio activity exports', async () => {
      const rows = async (name: string, csv: string) => {
        const q = await createPortfolio(db, p.user_id, { name });
        const r = await importTransactions(db, q, csv, presetMapping(name));
        assert.deepEqual(await importTransactions(db, q, csv, presetMapping(name)), {
          ...r,
          inserted: 0,
          unchanged: r.rows,
        });
        return (await listTransactions(db, q.id))
          .map(transactionView)
          .map((t) => [t.ts.slice(0, 10), t.type, t.symbol, t.quantity, t.price, t.fee, t.currency, t.note]);
      };
      // Ghostfolio's example file's shape: day-month-year dates, lower-case actions.
      const ghostfolio = `Date,Code,Currency,Price,Quantity,Action,Fee,Note
16-09-2021,IMPA,USD,298.580,5,buy,19.00,My first order
17-11-2021,IMPA,USD,0.62,5,dividend,0.00,
`;
      assert.deepEqual(await rows('ghostfolio', ghostfolio), [
        ['2021-09-16', 'buy', 'IMPA:TEST', '5', '298.58', '19', 'USD', 'My first order'],
        ['2021-11-17', 'dividend', 'IMPA:TEST', '5', '0.62', '0', 'USD', null],
      ]);
      // Wealthfolio's: ISO dates, upper-case types, cash rows as $CASH-<currency> with the sum in amount.
      const wealthfolio = `date,symbol,quantity,activityType,unitPrice,currency,fee,amount
2024-01-15,$CASH-USD,1,DEPOSIT,1,USD,0,1000.00
2024-01-16T15:02:36.329Z,IMPA,2,BUY,380.50,USD,4.95,
2024-02-01,IMPA,1,DIVIDEND,0.75,USD,0,0.75
2024-02-15,$CASH-USD,600.03,DEPOSIT,1,USD,0,
2024-03-01,IMPA,1,SELL,375,USD,4.95,
`;
      assert.deepEqual(await rows('wealthfolio', wealthfolio), [
        ['2024-01-15', 'deposit', null, '1', '1000', '0', 'USD', null],
        ['2024-01-16', 'buy', 'IMPA:TEST', '2', '380.5', '4.95', 'USD', null],
        ['2024-02-01', 'dividend', 'IMPA:TEST', '1', '0.75', '0', 'USD', null],
        ['2024-02-15', 'deposit', null, '600.03', '1', '0', 'USD', null],
        ['2024-03-01', 'sell', 'IMPA:TEST', '1', '375', '4.95', 'USD', null],
      ]);
      assert.throws(
        () => presetMapping('nope'),
        /unknown preset "nope" \(known: ghostfolio, wealthfolio, trading212, degiro, ibkr-flex\)/,
      );
    });
  },
  { plain: true },
);
