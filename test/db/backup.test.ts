/** Backup and restore round trips on both backends, the variants, and damaged files. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.ts';
import { baseBackup, createBackup, restoreBackup, verifyBackup } from '../../src/db/backup/backup.ts';
import { manifestPath, sha256File } from '../../src/db/backup/manifest.ts';
import { tableStats } from '../../src/db/backup/table-stats.ts';
import { Migrator } from '../../src/db/migrate/migrator.ts';
import { loadMigrations } from '../../src/db/migrate/files.ts';
import { openEmbedded } from '../../src/db/pglite.ts';
import type { Queryable } from '../../src/db/types.ts';
import { openServer } from '../../src/db/server.ts';
import { plainServerSkip, serverDb, serverHasTimescale, serverSkip } from '../helpers/db.ts';
import { must } from '../helpers/must.ts';

const quiet = () => undefined;

/** Three assets of hourly candles over 70 days: enough for several 7-day chunks. */
async function fillMarketData(q: Queryable): Promise<void> {
  await q.exec(`
    INSERT INTO assets (symbol, name, asset_type, exchange) VALUES
      ('AAA', 'Alpha', 'stock', 'NYSE'), ('BBB', 'Beta ''quoted''', 'crypto', NULL), ('CCC', 'Gamma', 'etf', 'NASDAQ');
    INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume, trades, vwap)
    SELECT a.id, g.ts, '1h', 100 + i * 0.01, 101 + i * 0.01, 99 + i * 0.01, 100.5 + i * 0.01, 1000 + i, i, 100.2
    FROM assets a
    CROSS JOIN LATERAL (
      SELECT timestamptz '2024-01-01 00:00+00' + make_interval(hours => n) AS ts, n AS i FROM generate_series(0, 70 * 24 - 1) n
    ) g;
    INSERT INTO indicators (asset_id, ts, indicator_type, name, value, parameters, timeframe)
    SELECT id, timestamptz '2024-03-01 00:00+00', 'rsi', 'rsi_14', 55.5, '{"period": 14}', '1h' FROM assets;
  `);
}

describe('embedded backups', () => {
  let work: string;
  let config: Config;
  let original: Awaited<ReturnType<typeof tableStats>>;
  const file = () => path.join(work, 'backup.tar.gz');

  before(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'tm-backup-'));
    config = { ...loadConfig({}), dataDir: path.join(work, 'data') };
    const db = await openEmbedded({ dataDir: config.dataDir });
    try {
      await new Migrator(db).upgrade('head');
      await fillMarketData(db);
      await db.exec(`
        ALTER TABLE candles SET (timescaledb.compress, timescaledb.compress_segmentby = 'asset_id', timescaledb.compress_orderby = 'ts DESC');
        SELECT add_compression_policy('candles', INTERVAL '30 days');
        SELECT add_retention_policy('candles', INTERVAL '10 years');
        SELECT compress_chunk(c, true) FROM show_chunks('candles', older_than => timestamptz '2024-02-01') c;
        CREATE MATERIALIZED VIEW candles_1d WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
          SELECT asset_id, time_bucket(INTERVAL '1 day', ts) AS ts, first(open, ts) AS open, max(high) AS high,
                 min(low) AS low, last(close, ts) AS close, sum(volume) AS volume
          FROM candles WHERE "interval" = '1h' GROUP BY asset_id, time_bucket(INTERVAL '1 day', ts) WITH NO DATA;
        SELECT add_continuous_aggregate_policy('candles_1d', start_offset => INTERVAL '30 days', end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '1 hour');
      `);
      await db.exec("CALL refresh_continuous_aggregate('candles_1d', NULL, NULL)");
      const compressed = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'candles' AND is_compressed",
      );
      assert.ok(compressed.rows[0].n >= 3, 'some chunks are compressed');
      original = await tableStats(db);
    } finally {
      await db.close();
    }
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('a snapshot restores into a fresh directory with identical tables, hypertable, compression, aggregate and policies', async () => {
    const m = await createBackup(config, { file: file(), content: 'full', log: quiet });
    assert.equal(m.kind, 'snapshot');
    assert.equal(m.backend, 'embedded');
    assert.equal(m.schema_revision, must(loadMigrations().at(-1)).revision);
    assert.match(m.timescaledb_version ?? '', /^2\./);
    assert.deepEqual(m.tables, original);
    assert.equal(m.tables.find((t) => t.table === 'candles')?.rows, 3 * 70 * 24);
    const manifest = JSON.parse(readFileSync(manifestPath(file()), 'utf8'));
    assert.equal(manifest.file.bytes, statSync(file()).size);

    const target = path.join(work, 'restored');
    const res = await restoreBackup(config, { file: file(), into: target, force: false, log: quiet });
    assert.deepEqual(res.problems, []);
    const db = await openEmbedded({ dataDir: target });
    try {
      assert.deepEqual(await tableStats(db), original);
      const ht = await db.query(
        "SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_name = 'candles' AND compression_enabled",
      );
      assert.equal(ht.rows.length, 1);
      const seg = await db.query<{ attname: string }>(
        "SELECT attname FROM timescaledb_information.compression_settings WHERE hypertable_name = 'candles' AND segmentby_column_index = 1",
      );
      assert.deepEqual(
        seg.rows.map((r) => r.attname),
        ['asset_id'],
      );
      const jobs = await db.query<{ proc_name: string }>(
        "SELECT proc_name FROM timescaledb_information.jobs WHERE proc_name IN ('policy_compression', 'policy_retention', 'policy_refresh_continuous_aggregate') ORDER BY 1",
      );
      assert.deepEqual(
        jobs.rows.map((r) => r.proc_name),
        // Two refresh policies: candles_1d's and migration 0011's candle_price_stats.
        [
          'policy_compression',
          'policy_refresh_continuous_aggregate',
          'policy_refresh_continuous_aggregate',
          'policy_retention',
        ],
      );
      const compressed = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'candles' AND is_compressed",
      );
      assert.ok(compressed.rows[0].n >= 3);
      const agg = await db.query<{ n: number; v: number }>(
        'SELECT count(*)::int AS n, sum(volume) AS v FROM candles_1d',
      );
      const direct = await db.query<{ n: number; v: number }>(
        "SELECT count(DISTINCT (asset_id, time_bucket('1 day', ts)))::int AS n, sum(volume) AS v FROM candles",
      );
      assert.deepEqual(agg.rows[0], direct.rows[0]);
    } finally {
      await db.close();
    }
  });

  test('verify loads the snapshot and finds it whole', async () => {
    const res = await verifyBackup(config, { file: file(), log: quiet });
    assert.deepEqual(res.problems, []);
    assert.equal(res.kind, 'snapshot');
  });

  test('a non-empty target is refused without --force and replaced with it', async () => {
    await assert.rejects(
      restoreBackup(config, { file: file(), into: config.dataDir, force: false, log: quiet }),
      /is not empty \(.*candles: 5040 rows.*use --force/,
    );
    const res = await restoreBackup(config, { file: file(), into: config.dataDir, force: true, log: quiet });
    assert.deepEqual(res.problems, []);
  });

  test('a truncated or corrupted file is refused and the target stays as it was', async () => {
    const bad = path.join(work, 'bad.tar.gz');
    copyFileSync(file(), bad);
    copyFileSync(manifestPath(file()), manifestPath(bad));
    truncateSync(bad, Math.floor(statSync(bad).size / 2));
    await assert.rejects(verifyBackup(config, { file: bad, log: quiet }), /corrupt or truncated/);
    await assert.rejects(
      restoreBackup(config, { file: bad, into: config.dataDir, force: true, log: quiet }),
      /corrupt or truncated.*nothing was restored/,
    );
    const db = await openEmbedded({ dataDir: config.dataDir });
    try {
      assert.deepEqual(await tableStats(db), original);
    } finally {
      await db.close();
    }
    rmSync(manifestPath(bad));
    await assert.rejects(verifyBackup(config, { file: bad, log: quiet }), /manifest\.json is missing/);
    writeFileSync(manifestPath(bad), '{not json');
    await assert.rejects(verifyBackup(config, { file: bad, log: quiet }), /is not valid JSON/);
  });

  test('schema-only and data-only make plain SQL dumps', async () => {
    const schema = path.join(work, 'schema.sql');
    const m = await createBackup(config, { file: schema, content: 'schema-only', log: quiet });
    assert.equal(m.kind, 'plain');
    const sql = readFileSync(schema, 'utf8');
    assert.match(sql, /CREATE TABLE public\.candles/);
    assert.doesNotMatch(sql, /COPY public\.assets|INSERT INTO public\.assets/);
    assert.doesNotMatch(sql, /OWNER TO|GRANT /);
    // TimescaleDB's catalog is dumped as data too: data-only is refused, saying what to use.
    const data = path.join(work, 'data.sql');
    await assert.rejects(
      createBackup(config, { file: data, content: 'data-only', log: quiet }),
      /--data-only is refused.*TimescaleDB.*full backup/,
    );
    await assert.rejects(
      createBackup(config, { file: schema, format: 'snapshot', content: 'schema-only', log: quiet }),
      /snapshot holds the whole database/,
    );
    await assert.rejects(
      restoreBackup(config, { file: schema, into: path.join(work, 'x'), force: false, log: quiet }),
      /restores into a server/,
    );
  });
});

/** Table stats over a new connection: TimescaleDB caches catalog entries per connection, and a restore re-creates them. */
async function statsAfterRestore(url: string) {
  const db = await openServer(url, { max: 1 });
  try {
    return await tableStats(db);
  } finally {
    await db.close();
  }
}

const serverClusters = [
  { tag: 'server', skip: serverSkip, plain: false, url: process.env.TM_TEST_PG_URL, timescale: serverHasTimescale },
  { tag: 'server-plain', skip: plainServerSkip, plain: true, url: process.env.TM_TEST_PG_PLAIN_URL, timescale: false },
] as const;

for (const { tag, skip, plain: onPlain, url: clusterUrl, timescale } of serverClusters)
  describe(`server backups (pg_dump / pg_restore) [${tag}]`, { skip }, () => {
    let work: string;
    let source: Awaited<ReturnType<typeof serverDb>>;
    let config: Config;
    let original: Awaited<ReturnType<typeof tableStats>>;

    before(async () => {
      work = mkdtempSync(path.join(os.tmpdir(), 'tm-backup-srv-'));
      source = await serverDb({ plain: onPlain });
      await fillMarketData(source);
      original = await tableStats(source);
      config = { ...loadConfig({}), databaseUrl: source.url };
    });
    after(async () => {
      await source.close();
      rmSync(work, { recursive: true, force: true });
    });

    test('custom-format round trip into an empty database gives identical tables', async () => {
      const file = path.join(work, 'full.dump');
      const m = await createBackup(config, { file, content: 'full', log: quiet });
      assert.equal(m.kind, 'custom');
      assert.equal(m.backend, 'server');
      assert.deepEqual(m.tables, original);
      const target = await serverDb({ migrated: false, plain: onPlain });
      try {
        const res = await restoreBackup(config, { file, into: target.url, force: false, log: quiet });
        assert.deepEqual(res.problems, []);
        assert.deepEqual(await statsAfterRestore(target.url), original);
        const rev = await target.query<{ revision: string }>('SELECT max(revision) AS revision FROM schema_migrations');
        assert.equal(rev.rows[0].revision, must(loadMigrations().at(-1)).revision);
        // A second restore onto the now-filled database needs --force.
        await assert.rejects(
          restoreBackup(config, { file, into: target.url, force: false, log: quiet }),
          /not empty.*--force/,
        );
        const again = await restoreBackup(config, { file, into: target.url, force: true, log: quiet });
        assert.deepEqual(again.problems, []);
      } finally {
        await target.close();
      }
      const verified = await verifyBackup(config, { file, into: clusterUrl, log: quiet });
      assert.deepEqual(verified.problems, []);
    });

    test('schema-only and data-only round trips (data-only refused with TimescaleDB)', async () => {
      const schema = path.join(work, 'schema.dump');
      await createBackup(config, { file: schema, content: 'schema-only', log: quiet });
      const data = path.join(work, 'data.dump');
      if (timescale) {
        await assert.rejects(
          createBackup(config, { file: data, content: 'data-only', log: quiet }),
          /--data-only is refused for a database with TimescaleDB/,
        );
      } else {
        await createBackup(config, { file: data, content: 'data-only', log: quiet });
      }
      const target = await serverDb({ migrated: false, plain: onPlain });
      try {
        const s = await restoreBackup(config, { file: schema, into: target.url, force: false, log: quiet });
        assert.deepEqual(s.problems, []);
        const empty = await statsAfterRestore(target.url);
        assert.deepEqual(
          empty.map((t) => t.table),
          original.map((t) => t.table),
        );
        assert.ok(empty.every((t) => t.rows === 0));
        if (timescale) return;
        const d = await restoreBackup(config, { file: data, into: target.url, force: false, log: quiet });
        assert.deepEqual(d.problems, []);
        assert.deepEqual(await statsAfterRestore(target.url), original);
      } finally {
        await target.close();
      }
    });

    test('plain SQL format restores with psql', async () => {
      const file = path.join(work, 'full.sql');
      const m = await createBackup(config, { file, format: 'plain', content: 'full', log: quiet });
      assert.equal(m.kind, 'plain');
      const target = await serverDb({ migrated: false, plain: onPlain });
      try {
        const res = await restoreBackup(config, { file, into: target.url, force: false, log: quiet });
        assert.deepEqual(res.problems, []);
      } finally {
        await target.close();
      }
    });

    test('base backup with pg_basebackup writes a tar base and WAL, renamed into place when complete', async () => {
      const dir = path.join(work, 'base');
      const res = await baseBackup(config, { dir, log: quiet });
      assert.ok(res.files.includes('base.tar.gz'), res.files.join(', '));
      assert.ok(res.files.includes('pg_wal.tar.gz'));
      assert.ok(res.files.includes('backup_manifest'));
      await assert.rejects(baseBackup(config, { dir, log: quiet }), /exists and is not empty/);
      await assert.rejects(
        baseBackup({ ...config, databaseUrl: undefined }, { dir: path.join(work, 'b2'), log: quiet }),
        /needs a server/,
      );
    });

    test('plain dumps carry no OWNER or GRANT statements', () => {
      const sql = readFileSync(path.join(work, 'full.sql'), 'utf8');
      assert.doesNotMatch(sql, /OWNER TO|^GRANT |^REVOKE /m);
    });

    /** A copy of FILE changed by edit, with its manifest re-signed, so only the restore can notice. */
    async function damaged(file: string, name: string, edit: (b: Buffer) => Buffer): Promise<string> {
      const out = path.join(work, name);
      writeFileSync(out, edit(readFileSync(file)));
      const m = JSON.parse(readFileSync(manifestPath(file), 'utf8'));
      m.file = { ...m.file, name, bytes: statSync(out).size, sha256: await sha256File(out) };
      writeFileSync(manifestPath(out), JSON.stringify(m));
      return out;
    }

    test('a restore that fails midway leaves the target as it was, even with --force', async () => {
      const plain = await damaged(path.join(work, 'full.sql'), 'fails-late.sql', (b) => {
        const sql = b.toString('utf8');
        const at = sql.lastIndexOf('-- PostgreSQL database dump complete');
        assert.ok(at > 0);
        return Buffer.from(`${sql.slice(0, at)}SELECT 1 / 0;\n${sql.slice(at)}`);
      });
      // Cut off after the table of contents: the last tables' data blocks are missing, whatever lands where.
      // (Flipping bytes at a fixed offset was not enough: in CI they once fell where pg_restore does not look.)
      const custom = await damaged(path.join(work, 'full.dump'), 'bad-data.dump', (b) =>
        Buffer.from(b.subarray(0, Math.floor(b.length * 0.6))),
      );
      const target = await serverDb({ plain: onPlain });
      try {
        await target.exec("INSERT INTO assets (symbol, name, asset_type) VALUES ('KEEP', 'Keep me', 'stock')");
        const before = await tableStats(target);
        await assert.rejects(
          restoreBackup(config, { file: plain, into: target.url, force: true, log: quiet }),
          /restore failed.*division by zero.*left as it was/,
        );
        assert.deepEqual(await tableStats(target), before);
        await assert.rejects(
          restoreBackup(config, { file: custom, into: target.url, force: true, log: quiet }),
          /cannot be read by pg_restore|restore failed/,
        );
        assert.deepEqual(await tableStats(target), before);
      } finally {
        await target.close();
      }
    });

    test('a backup of another TimescaleDB version is refused before the target is touched', {
      skip: !timescale && 'needs TimescaleDB on the server',
    }, async () => {
      const file = path.join(work, 'full.dump');
      const other = path.join(work, 'other-version.dump');
      copyFileSync(file, other);
      const m = JSON.parse(readFileSync(manifestPath(file), 'utf8'));
      assert.equal(m.timescaledb_version, process.env.TM_TEST_PG_TIMESCALE);
      m.timescaledb_version = '2.27.0';
      m.file = { ...m.file, name: 'other-version.dump' };
      writeFileSync(manifestPath(other), JSON.stringify(m));
      const target = await serverDb({ plain: onPlain });
      try {
        await target.exec("INSERT INTO assets (symbol, name, asset_type) VALUES ('KEEP', 'Keep me', 'stock')");
        const before = await tableStats(target);
        await assert.rejects(
          restoreBackup(config, { file: other, into: target.url, force: true, log: quiet }),
          new RegExp(
            `made with TimescaleDB 2\\.27\\.0 but .* has TimescaleDB ${escapeRe(must(process.env.TM_TEST_PG_TIMESCALE))} installed.*nothing was restored`,
          ),
        );
        assert.deepEqual(await tableStats(target), before);
      } finally {
        await target.close();
      }
    });

    test('a corrupted dump is refused before the target is touched', async () => {
      const file = path.join(work, 'full.dump');
      const bad = path.join(work, 'bad.dump');
      const bytes = readFileSync(file);
      bytes[Math.floor(bytes.length / 2)] ^= 0xff;
      writeFileSync(bad, bytes);
      copyFileSync(manifestPath(file), manifestPath(bad));
      const target = await serverDb({ plain: onPlain });
      try {
        await target.exec("INSERT INTO assets (symbol, name, asset_type) VALUES ('KEEP', 'Keep me', 'stock')");
        const before = await tableStats(target);
        await assert.rejects(
          restoreBackup(config, { file: bad, into: target.url, force: true, log: quiet }),
          /corrupt or truncated/,
        );
        assert.deepEqual(await tableStats(target), before);
      } finally {
        await target.close();
      }
    });
  });

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
