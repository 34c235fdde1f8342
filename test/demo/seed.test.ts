/** The whole demo: candles, indicators, signals and a watchlist; idempotent; the starter set on serve. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import { embeddedDb } from '../helpers/db.ts';
import type { Database } from '../../src/db/types.ts';
import { UserError } from '../../src/errors.ts';
import { createUser } from '../../src/accounts/users.ts';
import { seedFullDemo, seedStarterIfEmpty } from '../../src/demo/seed.ts';
import { latestCandles } from '../../src/market/queries.ts';

const counts = async (db: Database, table: 'indicators' | 'signals') =>
  (
    await db.query<{ i: string; n: number }>(
      `SELECT timeframe::text AS i, count(*)::int AS n FROM ${table} GROUP BY 1 ORDER BY 1`,
    )
  ).rows;

forEachBackend('full demo seed', (open) => {
  let db: Database;
  before(async () => {
    db = await open();
  });
  after(async () => db.close());

  test('an unknown watchlist user or an unseeded analysis interval fails before anything is written', async () => {
    const end = new Date('2024-06-01T00:00:00Z');
    await assert.rejects(
      seedFullDemo(db, {
        assets: 2,
        days: 30,
        interval: '1d',
        seed: 1,
        end,
        analysis: ['1d'],
        watchlistUser: 'nobody',
      }),
      (e: unknown) => e instanceof UserError && /no user named "nobody"/.test(e.message),
    );
    await assert.rejects(
      seedFullDemo(db, { assets: 2, days: 30, interval: '1d', seed: 1, end, analysis: ['1h'] }),
      /analysis interval 1h is not seeded \(seeded: 1d\)/,
    );
    // No daily rollup of weekly or monthly candles.
    await assert.rejects(
      seedFullDemo(db, { assets: 2, days: 30, interval: '1w', seed: 1, end, analysis: ['1d'] }),
      /analysis interval 1d is not seeded \(seeded: 1w\)/,
    );
    assert.equal((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM assets')).rows[0].n, 0);
  });

  test('indicators, signals and a watchlist with alerts around the last close; seeding again adds nothing', async () => {
    const user = await createUser(db, {
      username: 'demo-owner',
      email: 'owner@example.com',
      password: 'correct horse battery staple',
    });
    const opts = {
      assets: 12,
      days: 200,
      interval: '1d' as const,
      seed: 3,
      end: new Date('2024-06-01T00:00:00Z'),
      analysis: ['1d' as const],
      watchlistUser: 'demo-owner',
    };
    const s = await seedFullDemo(db, opts);
    assert.equal(s.candles[0].inserted, 12 * 200);
    assert.equal(s.analysis.length, 1);
    // Every asset has all ten indicators on every bar after its warm-up: at least 12 x 10 x (200 - 60) rows.
    assert.ok(s.analysis[0].indicator_rows > 12 * 10 * 140, `indicator rows ${s.analysis[0].indicator_rows}`);
    const names = await db.query<{ n: number }>(
      "SELECT count(DISTINCT name)::int AS n FROM indicators WHERE timeframe = '1d'",
    );
    assert.equal(names.rows[0].n, 10);
    assert.ok(s.analysis[0].signals > 0);
    assert.deepEqual(await counts(db, 'signals'), [{ i: '1d', n: s.analysis[0].signals }]);

    assert.ok(s.watchlist);
    assert.equal(s.watchlist.added_items, 10);
    const items = await db.query<{ asset_id: string; high: number; low: number }>(
      'SELECT i.asset_id, i.price_alert_high AS high, i.price_alert_low AS low FROM watchlist_items i JOIN watchlists w ON w.id = i.watchlist_id WHERE w.user_id = $1',
      [user.id],
    );
    assert.equal(items.rows.length, 10);
    for (const it of items.rows) {
      const [last] = await latestCandles(db, { assetId: it.asset_id, interval: '1d', limit: 1 });
      assert.ok(it.low < last.close && last.close < it.high, `${it.low} < ${last.close} < ${it.high}`);
    }

    const before = { indicators: await counts(db, 'indicators'), signals: await counts(db, 'signals') };
    const again = await seedFullDemo(db, opts);
    assert.deepEqual(again.analysis, [{ interval: '1d', indicator_rows: 0, signals: 0 }]);
    assert.deepEqual(again.watchlist, { id: s.watchlist.id, user: 'demo-owner', added_items: 0 });
    assert.deepEqual({ indicators: await counts(db, 'indicators'), signals: await counts(db, 'signals') }, before);
  });
});

test('the starter demo seeds an empty embedded database once, with indicators and signals', async () => {
  const db = await embeddedDb();
  try {
    const lines: string[] = [];
    assert.equal(await seedStarterIfEmpty(db, (l) => lines.push(l)), true);
    assert.match(
      lines[0],
      /demo data: 10 assets, 1200 1h candles, 900 1d candles, \d+ 1h indicator rows, \d+ signals, \d+ 1d indicator rows, \d+ signals/,
    );
    const n = await db.query<{ i: string; n: number }>(
      'SELECT "interval"::text AS i, count(*)::int AS n FROM candles GROUP BY 1 ORDER BY 1',
    );
    assert.deepEqual(n.rows, [
      { i: '1d', n: 900 },
      { i: '1h', n: 1200 },
    ]);
    assert.deepEqual(
      (await counts(db, 'indicators')).map((r) => r.i),
      ['1d', '1h'],
    );
    assert.ok((await counts(db, 'signals')).length > 0);
    assert.equal(await seedStarterIfEmpty(db, () => undefined), false);
  } finally {
    await db.close();
  }
});
