/** The seed's schema, checked from the catalog on both backends. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import type { Database } from '../../src/db/types.ts';
import { untilTrue } from '../helpers/wait.ts';

// [column, udt_name, nullable] per table, as the seed lists them.
const EXPECTED: Record<string, [string, string, boolean][]> = {
  users: [
    ['id', 'uuid', false],
    ['username', 'text', false],
    ['email', 'text', false],
    ['password_hash', 'text', false],
    ['is_active', 'bool', false],
    ['is_admin', 'bool', false],
    ['created_at', 'timestamptz', false],
    ['updated_at', 'timestamptz', false],
    ['last_login', 'timestamptz', true],
    ['username_key', 'text', false], // migration 0013: the canonical username
  ],
  assets: [
    ['id', 'uuid', false],
    ['symbol', 'text', false],
    ['name', 'text', false],
    ['asset_type', 'asset_type', false],
    ['exchange', 'text', true],
    ['sector', 'text', true],
    ['industry', 'text', true],
    ['created_at', 'timestamptz', false],
    ['updated_at', 'timestamptz', false],
  ],
  watchlists: [
    ['id', 'uuid', false],
    ['user_id', 'uuid', false],
    ['name', 'text', false],
    ['description', 'text', true],
    ['color', 'text', true],
    ['icon', 'text', true],
    ['is_default', 'bool', false],
    ['created_at', 'timestamptz', false],
    ['updated_at', 'timestamptz', false],
  ],
  watchlist_items: [
    ['id', 'uuid', false],
    ['watchlist_id', 'uuid', false],
    ['asset_id', 'uuid', false],
    ['position', 'int4', false],
    ['notes', 'text', true],
    ['price_alert_high', 'float8', true],
    ['price_alert_low', 'float8', true],
    ['created_at', 'timestamptz', false],
    ['updated_at', 'timestamptz', false],
    ['price_alert_enabled', 'bool', false],
  ],
  candles: [
    ['id', 'int8', false],
    ['asset_id', 'uuid', false],
    ['ts', 'timestamptz', false],
    ['interval', 'candle_interval', false],
    ['open', 'float8', false],
    ['high', 'float8', false],
    ['low', 'float8', false],
    ['close', 'float8', false],
    ['volume', 'float8', false],
    ['trades', 'int8', true],
    ['vwap', 'float8', true],
    ['created_at', 'timestamptz', false],
  ],
  indicators: [
    ['id', 'int8', false],
    ['asset_id', 'uuid', false],
    ['ts', 'timestamptz', false],
    ['indicator_type', 'indicator_type', false],
    ['name', 'text', false],
    ['value', 'float8', true],
    ['value2', 'float8', true],
    ['value3', 'float8', true],
    ['parameters', 'jsonb', false],
    ['timeframe', 'candle_interval', false],
    ['computed_at', 'timestamptz', false],
  ],
  signals: [
    ['id', 'int8', false],
    ['asset_id', 'uuid', false],
    ['ts', 'timestamptz', false],
    ['signal_type', 'signal_type', false],
    ['strength', 'float8', false],
    ['confidence', 'float8', false],
    ['price', 'float8', false],
    ['target_price', 'float8', true],
    ['stop_loss', 'float8', true],
    ['strategy', 'text', false],
    ['rationale', 'text', false],
    ['indicators_used', 'jsonb', false],
    ['timeframe', 'candle_interval', false],
    ['is_active', 'bool', false],
    ['generated_at', 'timestamptz', false],
    ['expires_at', 'timestamptz', true],
    // Not the seed's: the writing transaction, for the live event stream (revision 0010).
    ['xid', 'xid8', true],
    // Not the seed's: whose strategy and which version made a signal, NULL for the built-in ones (revision 0017).
    ['user_id', 'uuid', true],
    ['strategy_id', 'uuid', true],
    ['strategy_version', 'int4', true],
  ],
};

const ENUMS: Record<string, string[]> = {
  asset_type: ['stock', 'etf', 'crypto', 'forex', 'commodity'],
  candle_interval: ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w', '1M'],
  indicator_type: ['sma', 'ema', 'rsi', 'macd', 'bbands', 'atr', 'obv', 'stoch', 'adx', 'cci'],
  signal_type: ['buy', 'sell', 'hold', 'strong_buy', 'strong_sell'],
};

// The seed's indexes, as (table, columns).
const SEED_INDEXES: [string, string][] = [
  ['candles', 'asset_id, ts, "interval"'],
  ['candles', 'ts, asset_id'],
  ['indicators', 'asset_id, indicator_type, ts'],
  ['indicators', 'asset_id, name, ts'],
  ['signals', 'asset_id, ts'],
  ['signals', 'asset_id, signal_type, ts'],
  ['signals', 'is_active, ts'],
];

forEachBackend(
  'schema',
  (open, _backend, name) => {
    let db: Database;
    before(async () => {
      db = await open();
    });
    after(() => db.close());

    test('every table and column of the seed, with its type and nullability', async () => {
      const r = await db.query<{ table_name: string; column_name: string; udt_name: string; is_nullable: string }>(
        "SELECT table_name, column_name, udt_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ANY($1) ORDER BY table_name, ordinal_position",
        [Object.keys(EXPECTED)],
      );
      for (const [table, cols] of Object.entries(EXPECTED)) {
        const actual = r.rows
          .filter((c) => c.table_name === table)
          .map((c) => [c.column_name, c.udt_name, c.is_nullable === 'YES']);
        assert.deepEqual(actual, cols, `columns of ${table}`);
      }
    });

    test('enum types hold exactly the seed values, in order', async () => {
      const r = await db.query<{ typname: string; labels: string[] }>(
        'SELECT t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder)::text[] AS labels FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname',
      );
      for (const [name, labels] of Object.entries(ENUMS)) {
        assert.deepEqual(r.rows.find((x) => x.typname === name)?.labels, labels, name);
      }
    });

    test('primary keys: UUIDs generated by the server, bigserial for time series, (id, ts) for candles', async () => {
      const pk = await db.query<{ t: string; def: string }>(
        "SELECT conrelid::regclass::text AS t, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'p' AND connamespace = 'public'::regnamespace",
      );
      const byTable = Object.fromEntries(pk.rows.map((r) => [r.t, r.def]));
      for (const t of ['users', 'assets', 'watchlists', 'watchlist_items', 'indicators', 'signals'])
        assert.equal(byTable[t], 'PRIMARY KEY (id)', t);
      assert.equal(byTable.candles, 'PRIMARY KEY (id, ts)');
      const defaults = await db.query<{ table_name: string; column_default: string }>(
        "SELECT table_name, column_default FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'id'",
      );
      for (const d of defaults.rows) {
        if (['candles', 'indicators', 'signals'].includes(d.table_name))
          assert.match(d.column_default, /^nextval\(/, d.table_name);
        else if (d.table_name in EXPECTED) assert.equal(d.column_default, 'gen_random_uuid()', d.table_name);
      }
    });

    test('foreign keys with deliberate ON DELETE rules', async () => {
      const r = await db.query<{ t: string; def: string }>(
        "SELECT conrelid::regclass::text AS t, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace ORDER BY 1, 2",
      );
      // The seed's tables; later migrations add their own keys.
      const fks = r.rows.filter((x) => x.t in EXPECTED).map((x) => `${x.t}: ${x.def}`);
      assert.deepEqual(fks.sort(), [
        'candles: FOREIGN KEY (asset_id) REFERENCES assets(id) ON DELETE RESTRICT',
        'indicators: FOREIGN KEY (asset_id) REFERENCES assets(id) ON DELETE CASCADE',
        'signals: FOREIGN KEY (asset_id) REFERENCES assets(id) ON DELETE CASCADE',
        // revision 0017: a user's strategy signals go with the strategy version, or the user
        'signals: FOREIGN KEY (strategy_id, strategy_version) REFERENCES strategy_versions(strategy_id, version) ON DELETE CASCADE',
        'signals: FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE',
        'watchlist_items: FOREIGN KEY (asset_id) REFERENCES assets(id) ON DELETE CASCADE',
        'watchlist_items: FOREIGN KEY (watchlist_id) REFERENCES watchlists(id) ON DELETE CASCADE',
        'watchlists: FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE',
      ]);
    });

    test('unique keys: (watchlist_id, asset_id) and the idempotency keys', async () => {
      const r = await db.query<{ def: string; t: string }>(
        "SELECT conrelid::regclass::text AS t, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'u' AND connamespace = 'public'::regnamespace",
      );
      const uniques = r.rows.map((x) => `${x.t}: ${x.def}`);
      for (const u of [
        'watchlist_items: UNIQUE (watchlist_id, asset_id)',
        'candles: UNIQUE (asset_id, "interval", ts)',
        'indicators: UNIQUE (asset_id, timeframe, name, ts)',
        'signals: UNIQUE (asset_id, strategy, timeframe, ts)',
      ])
        assert.ok(uniques.includes(u), `missing ${u}; have ${uniques.join('; ')}`);
    });

    test("the seed's indexes exist", async () => {
      const r = await db.query<{ tablename: string; indexdef: string }>(
        "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'",
      );
      for (const [table, cols] of SEED_INDEXES) {
        assert.ok(
          r.rows.some((i) => i.tablename === table && i.indexdef.endsWith(`(${cols})`)),
          `index on ${table} (${cols})`,
        );
      }
    });

    test('timestamps are set by the database and updated_at follows updates', async () => {
      const a = await db.query<{ id: string; created_at: Date; updated_at: Date }>(
        "INSERT INTO assets (symbol, name, asset_type) VALUES ('T1', 'Test', 'stock') RETURNING id, created_at, updated_at",
      );
      assert.match(a.rows[0].id, /^[0-9a-f-]{36}$/);
      assert.ok(a.rows[0].created_at instanceof Date);
      // now() is the transaction start: a later statement sees a later time once the database clock has
      // moved on (the embedded one ticks in milliseconds).
      await untilTrue('the database clock past the insert', async () => {
        const r = await db.query<{ later: boolean }>('SELECT now() > $1::timestamptz AS later', [a.rows[0].updated_at]);
        return r.rows[0].later;
      });
      const u = await db.query<{ created_at: Date; updated_at: Date }>(
        "UPDATE assets SET name = 'Renamed' WHERE id = $1 RETURNING created_at, updated_at",
        [a.rows[0].id],
      );
      assert.equal(u.rows[0].created_at.getTime(), a.rows[0].created_at.getTime());
      assert.ok(u.rows[0].updated_at > a.rows[0].updated_at);
    });

    test('times are stored and read as UTC whatever the input offset', async () => {
      const a = await db.query<{ id: string }>(
        "INSERT INTO assets (symbol, name, asset_type) VALUES ('T2', 'Test', 'crypto') RETURNING id",
      );
      await db.query(
        `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume) VALUES ($1, '2024-03-10 09:00:00+05:00', '1h', 1, 2, 1, 2, 10)`,
        [a.rows[0].id],
      );
      const r = await db.query<{ ts: Date; txt: string }>(
        'SELECT ts, ts::text AS txt FROM candles WHERE asset_id = $1',
        [a.rows[0].id],
      );
      assert.equal(r.rows[0].ts.toISOString(), '2024-03-10T04:00:00.000Z');
      assert.equal(r.rows[0].txt, '2024-03-10 04:00:00+00');
    });

    test('constraints reject impossible rows', async () => {
      const a = await db.query<{ id: string }>(
        "INSERT INTO assets (symbol, name, asset_type) VALUES ('T3', 'Test', 'etf') RETURNING id",
      );
      const id = a.rows[0].id;
      await assert.rejects(
        db.query(
          `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close) VALUES ($1, now(), '1d', 5, 4, 3, 4)`,
          [id],
        ),
        /candles_ohlc_valid/,
      );
      await assert.rejects(
        db.query("INSERT INTO assets (symbol, name, asset_type) VALUES ('T3', 'Again', 'etf')"),
        /assets_symbol_exchange_key/,
      );
      await assert.rejects(
        db.query("INSERT INTO assets (symbol, name, asset_type) VALUES ('X', 'Bad', 'bond')"),
        /invalid input value for enum asset_type/,
      );
    });

    if (name !== 'server-plain') {
      test('candles is a hypertable on ts with 7-day chunks', async () => {
        const r = await db.query<{ column_name: string; time_interval: string }>(
          "SELECT column_name, time_interval::text AS time_interval FROM timescaledb_information.dimensions WHERE hypertable_name = 'candles'",
        );
        assert.deepEqual(r.rows, [{ column_name: 'ts', time_interval: '7 days' }]);
      });
    } else {
      test('without TimescaleDB candles stays a plain table and the migration recorded why', async () => {
        const ext = await db.query("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'");
        assert.equal(ext.rows.length, 0);
        const kind = await db.query<{ relkind: string }>("SELECT relkind FROM pg_class WHERE relname = 'candles'");
        assert.equal(kind.rows[0].relkind, 'r');
        const meta = await db.query<{ value: { reason: string } }>(
          "SELECT value FROM app_meta WHERE key = 'timescaledb_missing'",
        );
        assert.match(meta.rows[0].value.reason, /timescaledb/i);
      });
    }
  },
  { plain: true },
);
