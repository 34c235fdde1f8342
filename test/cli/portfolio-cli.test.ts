/** tm portfolio as a user runs it, on an embedded data dir: names, transactions, positions, errors. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openEmbedded } from '../../src/db/pglite.ts';
import { insertAsset, insertCloses } from '../helpers/market.ts';
import { must } from '../helpers/must.ts';

const BIN = path.resolve('bin/tm.js');
let dir: string;
let env: NodeJS.ProcessEnv;

function tm(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '', ...env },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(args: string[]) {
  const r = tm(args);
  assert.equal(r.code, 0, `tm ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tm-portfolio-'));
  env = { TM_DATA_DIR: path.join(dir, 'data') };
  ok(['migrate', 'upgrade']);
  const db = await openEmbedded({ dataDir: must(env.TM_DATA_DIR) });
  try {
    const a = await insertAsset(db, 'CLIA');
    await insertCloses(db, a, [100, 110], { start: '2024-01-01T00:00:00Z', interval: '1d', stepMs: 86_400_000 });
    for (const u of ['alice', 'bob']) {
      await db.query(`INSERT INTO users (username, email, password_hash) VALUES ($1, $1 || '@example.com', 'x')`, [u]);
    }
  } finally {
    await db.close();
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('create, list, add, edit, delete, transactions, positions and remove; USER/NAME where names are shared', () => {
  assert.match(ok(['portfolio', 'create', 'Main', '--user', 'alice']), /created portfolio alice\/Main \(USD\)/);
  ok(['portfolio', 'create', 'main', '--user', 'bob', '--currency', 'eur']);
  const shared = tm(['portfolio', 'positions', 'main']);
  assert.equal(shared.code, 1);
  assert.match(shared.stderr, /used by several users: name one as USER\/NAME \(alice\/Main, bob\/main\)/);
  const list = JSON.parse(ok(['portfolio', 'list', '--json']));
  assert.deepEqual(
    list.map(
      (p: { username: string; name: string; base_currency: string }) => `${p.username}/${p.name}/${p.base_currency}`,
    ),
    ['alice/Main/USD', 'bob/main/EUR'],
  );

  ok(['portfolio', 'add', 'alice/main', '--type', 'deposit', '--amount', '5000', '--at', '2024-01-01']);
  const buy = JSON.parse(
    ok([
      'portfolio',
      'add',
      'alice/main',
      '--type',
      'buy',
      '--symbol',
      'CLIA',
      '--quantity',
      '10',
      '--price',
      '100',
      '--fee',
      '1.5',
      '--at',
      '2024-01-01T10:00:00Z',
      '--note',
      'first',
      '--json',
    ]),
  );
  assert.deepEqual(
    [buy.type, buy.symbol, buy.quantity, buy.price, buy.fee, buy.note],
    ['buy', 'CLIA:TEST', '10', '100', '1.5', 'first'],
  );
  const sell = JSON.parse(
    ok([
      'portfolio',
      'add',
      'main',
      '--user',
      'alice',
      '--type',
      'sell',
      '--symbol',
      'CLIA',
      '--quantity',
      '4',
      '--price',
      '105',
      '--at',
      '2024-01-02',
      '--json',
    ]),
  );
  const over = tm(['portfolio', 'edit', 'alice/main', sell.id, '--quantity', '11']);
  assert.equal(over.code, 1);
  assert.match(over.stderr, /11 CLIA:TEST is more than the 10 held/);
  ok(['portfolio', 'edit', 'alice/main', sell.id, '--quantity', '5']);

  const pos = JSON.parse(ok(['portfolio', 'positions', 'alice/main', '--json']));
  const p = pos.positions[0];
  // Cost 1001.5 for 10; 5 sold at 105: 525 − 500.75.
  assert.deepEqual(
    [p.symbol, p.quantity, p.cost_basis, p.realized_pnl, p.last_price, p.market_value, p.unrealized_pnl],
    ['CLIA:TEST', '5', '500.75', '24.25', '110', '550', '49.25'],
  );
  assert.deepEqual(pos.cash, [{ currency: 'USD', amount: '4523.5', base_amount: '4523.5' }]);
  assert.match(ok(['portfolio', 'positions', 'alice/main']), /CLIA:TEST\s+USD\s+5\s+100\.15/);

  const csv = path.join(dir, 'tx.csv');
  writeFileSync(csv, 'Day;Kind;Sym;Qty;Px\n03.01.2024;Kauf;CLIA;1;99,5\n');
  const mapping = path.join(dir, 'mapping.json');
  writeFileSync(
    mapping,
    JSON.stringify({
      columns: { date: 'Day', type: 'Kind', symbol: 'Sym', quantity: 'Qty', price: 'Px' },
      date_format: 'DD.MM.YYYY',
      decimal_comma: true,
      types: { Kauf: 'buy' },
    }),
  );
  assert.match(
    ok(['portfolio', 'import', 'alice/main', csv, '--mapping', mapping]),
    /1 row\(s\): 1 new transaction\(s\), 0 already imported/,
  );
  assert.match(
    ok(['portfolio', 'import', 'alice/main', csv, '--mapping', mapping]),
    /1 row\(s\): 0 new transaction\(s\), 1 already imported/,
  );
  const noMapping = tm(['portfolio', 'import', 'alice/main', csv]);
  assert.equal(noMapping.code, 1);
  assert.match(noMapping.stderr, /CSV: Invalid Record Length: columns length is 1, got 2 on line 2/); // ";"-separated read with ","
  const missing = tm(['portfolio', 'import', 'alice/main', path.join(dir, 'nope.csv')]);
  assert.match(missing.stderr, /CSV file .*nope\.csv: ENOENT/);

  const perf = JSON.parse(
    ok(['portfolio', 'performance', 'alice/main', '--to', '2024-01-02', '--benchmark', 'CLIA', '--json']),
  );
  assert.deepEqual(
    perf.days.map((d: { day: string; value: number }) => [d.day, d.value]),
    [
      ['2024-01-01', 5000 - 1.5 + 10 * (100 - 100)],
      ['2024-01-02', 5 * 110 + 4523.5],
    ],
  );
  assert.equal(perf.benchmark.return, 0.1);

  ok(['portfolio', 'delete', 'alice/main', sell.id]);
  const txs = JSON.parse(ok(['portfolio', 'transactions', 'alice/main', '--json']));
  assert.deepEqual(
    txs.map((t: { type: string; ts: string }) => [t.type, t.ts.slice(0, 10)]),
    [
      ['deposit', '2024-01-01'],
      ['buy', '2024-01-01'],
      ['buy', '2024-01-03'], // imported above
    ],
  );
  assert.match(ok(['portfolio', 'remove', 'bob/main']), /removed portfolio bob\/main and its 0 transaction/);
  assert.equal(JSON.parse(ok(['portfolio', 'list', '--json'])).length, 1);
});

test('clear errors and usage', () => {
  const cases: [string[], number, RegExp][] = [
    [['portfolio', 'create', 'x'], 2, /required option '--user <username>'/],
    [['portfolio', 'create', 'x', '--user', 'nobody'], 1, /no user named "nobody"/],
    [['portfolio', 'positions', 'nope'], 1, /no portfolio named "nope"/],
    [['portfolio', 'add', 'alice/main', '--type', 'buy', '--symbol', 'CLIA', '--price', '1'], 1, /quantity: required/],
    [
      ['portfolio', 'add', 'alice/main', '--type', 'buy', '--symbol', 'ZZZ', '--quantity', '1', '--price', '1'],
      1,
      /no asset "ZZZ"/,
    ],
    [['portfolio', 'add', 'alice/main', '--type', 'gift'], 1, /type: "gift" is not one of buy, sell/],
    [
      ['portfolio', 'add', 'alice/main', '--type', 'deposit', '--amount', '1', '--at', 'yesterday'],
      2,
      /--at must be an ISO 8601 date/,
    ],
    [
      ['portfolio', 'add', 'alice/main', '--type', 'deposit', '--amount', '1,5'],
      1,
      /price: "1,5" is not a decimal number/,
    ],
    [['portfolio', 'edit', 'alice/main', '999'], 2, /nothing to change/],
    [['portfolio', 'edit', 'alice/main', '999', '--fee', '1'], 1, /transaction 999 not found/],
    [['portfolio', 'delete', 'alice/main', 'abc'], 1, /transaction abc not found/],
  ];
  for (const [args, code, re] of cases) {
    const r = tm(args);
    assert.equal(r.code, code, `tm ${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
  }
  for (const sub of [
    'create',
    'list',
    'remove',
    'add',
    'edit',
    'delete',
    'transactions',
    'positions',
    'import',
    'performance',
  ]) {
    assert.match(ok(['portfolio', sub, '--help']), /^Usage: tm portfolio /, sub);
  }
});
