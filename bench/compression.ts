/**
 * Compression ratio of candles under different segmentby/orderby settings, on synthetic but realistic
 * data generated in SQL: random-walk 1m candles per asset, and the 5m/15m/1h/1d candles rolled up from
 * them stored in the same table (as an import of several intervals does).
 *
 *   npm run bench:compression -- [--assets 50] [--days 60] [--dir .bench/compression] [--out DIR]
 *
 * Prints, per setting: size before and after, ratio, compress time, and two query timings on the
 * compressed data. Runs on the embedded database (a data dir, deleted at the end).
 * Figures and chart (ratio per setting): docs/bench/compression.{json,svg}.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openEmbedded, type EmbeddedDatabase } from '../src/db/pglite.ts';
import { Migrator } from '../src/db/migrate/migrator.ts';
import { writeReport, type BarGroup } from './report.ts';

const { values } = parseArgs({
  options: {
    assets: { type: 'string', default: '50' },
    days: { type: 'string', default: '60' },
    dir: { type: 'string', default: '.bench/compression' },
    out: { type: 'string' }, // read by report.ts
  },
});
const ASSETS = Number(values.assets);
const DAYS = Number(values.days);
const dir = path.resolve(values.dir ?? '.bench/compression');

const SETTINGS = [
  { name: "seed: segmentby 'asset_id', orderby 'ts DESC'", short: 'seed', segmentby: 'asset_id', orderby: 'ts DESC' },
  {
    name: "segmentby 'asset_id, interval', orderby 'ts DESC'",
    short: 'segment by interval too',
    segmentby: 'asset_id, "interval"',
    orderby: 'ts DESC',
  },
  {
    name: "segmentby 'asset_id', orderby 'interval, ts DESC'",
    short: 'order by interval first',
    segmentby: 'asset_id',
    orderby: '"interval", ts DESC',
  },
];

const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
const t = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const r = await fn();
  return [r, performance.now() - t0];
};

async function median(db: EmbeddedDatabase, sql: string, params: unknown[], runs = 7): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await t(() => db.query(sql, params)))[1]);
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)];
}

async function generate(db: EmbeddedDatabase): Promise<number> {
  await db.query(
    `INSERT INTO assets (symbol, name, asset_type) SELECT 'B' || lpad(i::text, 4, '0'), 'bench ' || i, 'crypto' FROM generate_series(1, $1::int) i`,
    [ASSETS],
  );
  const assets = (await db.query<{ id: string }>('SELECT id FROM assets ORDER BY symbol')).rows;
  let rows = 0;
  for (const [i, a] of assets.entries()) {
    // A random walk of log prices with per-minute volatility, volume and trade counts; the seed makes runs repeatable.
    await db.query('SELECT setseed($1)', [((i + 1) % 1000) / 1000]);
    const r = await db.query(
      `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume, trades, vwap)
       WITH steps AS (
         SELECT g AS ts, (random() - 0.5) * 0.002 AS r1, random() AS u1, random() AS u2, random() AS u3
           FROM generate_series(date_trunc('day', now()) - make_interval(days => $2::int), date_trunc('day', now()) - interval '1 minute', interval '1 minute') g),
       walk AS (
         SELECT ts, u1, u2, u3, (50 + $3::int * 7) * exp(sum(r1) OVER (ORDER BY ts)) AS close,
                (50 + $3::int * 7) * exp(coalesce(sum(r1) OVER (ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)) AS open
           FROM steps)
       SELECT $1::uuid, ts, '1m', round(open::numeric, 4), round((greatest(open, close) * (1 + u1 * 0.001))::numeric, 4),
              round((least(open, close) * (1 - u2 * 0.001))::numeric, 4), round(close::numeric, 4),
              round((10 + 990 * u3 * u3)::numeric, 3), (1 + 50 * u3)::int,
              round(((open + close) / 2)::numeric, 4)
         FROM walk`,
      [a.id, DAYS, i],
    );
    rows += r.rowCount;
  }
  // The coarser intervals, rolled up from the 1m candles as an import of several intervals stores them.
  for (const [iv, width] of [
    ['5m', '5 minutes'],
    ['15m', '15 minutes'],
    ['1h', '1 hour'],
    ['1d', '1 day'],
  ] as const) {
    const r = await db.query(
      `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume, trades, vwap)
       SELECT asset_id, time_bucket($2::interval, ts), $1::candle_interval, first(open, ts), max(high), min(low), last(close, ts),
              sum(volume), sum(trades), sum(vwap * volume) / nullif(sum(volume), 0)
         FROM candles WHERE "interval" = '1m' GROUP BY asset_id, time_bucket($2::interval, ts)`,
      [iv, width],
    );
    rows += r.rowCount;
  }
  await db.exec('CHECKPOINT');
  await db.exec('ANALYZE candles');
  return rows;
}

async function chunks(db: EmbeddedDatabase, compressed: boolean): Promise<string[]> {
  const r = await db.query<{ c: string }>(
    `SELECT format('%I.%I', chunk_schema, chunk_name) AS c FROM timescaledb_information.chunks
      WHERE hypertable_name = 'candles' AND is_compressed = $1 ORDER BY range_start`,
    [compressed],
  );
  return r.rows.map((x) => x.c);
}

rmSync(dir, { recursive: true, force: true });
const db = await openEmbedded({ dataDir: dir });
try {
  await new Migrator(db).upgrade('head');
  const [rows, genMs] = await t(() => generate(db));
  const size = (await db.query<{ total_bytes: number }>("SELECT total_bytes FROM hypertable_detailed_size('candles')"))
    .rows[0].total_bytes;
  console.log(
    `${ASSETS} assets x ${DAYS} days: ${rows} candles (1m + 5m/15m/1h/1d), ${mb(size)}, generated in ${(genMs / 1000).toFixed(1)} s`,
  );
  const asset = (await db.query<{ id: string }>('SELECT id FROM assets ORDER BY symbol LIMIT 1')).rows[0].id;
  const q1 = `SELECT ts, open, high, low, close, volume FROM candles WHERE asset_id = $1 AND "interval" = '1m' ORDER BY ts DESC LIMIT 30`;
  const q2 = `SELECT time_bucket('1 day', ts) AS d, max(high), min(low), sum(volume) FROM candles
               WHERE asset_id = $1 AND "interval" = '1h' AND ts >= now() - interval '30 days' GROUP BY 1 ORDER BY 1`;
  console.log(
    `uncompressed: latest 30 1m candles of one asset ${(await median(db, q1, [asset])).toFixed(1)} ms; 30 days of 1h rolled to days ${(await median(db, q2, [asset])).toFixed(1)} ms`,
  );
  console.log('');
  // The ratio is against the size measured once, before any compression: after a decompress the
  // heap is not the same as freshly loaded, so TimescaleDB's own "before" varies between settings.
  console.log('| setting | before | after | ratio | compress time | latest 30 (1m) | 30 days of 1h |');
  console.log('|---|---|---|---|---|---|---|');
  const groups: BarGroup[] = [];
  const figures: Record<string, unknown>[] = [];
  for (const s of SETTINGS) {
    for (const c of await chunks(db, true)) await db.query('SELECT decompress_chunk($1::regclass)', [c]);
    await db.exec(
      `ALTER TABLE candles SET (timescaledb.compress, timescaledb.compress_segmentby = '${s.segmentby}', timescaledb.compress_orderby = '${s.orderby}')`,
    );
    const [, ms] = await t(async () => {
      for (const c of await chunks(db, false)) await db.query('SELECT compress_chunk($1::regclass)', [c]);
    });
    await db.exec('CHECKPOINT');
    const st = (
      await db.query<{ a: number }>(
        "SELECT after_compression_total_bytes AS a FROM hypertable_compression_stats('candles')",
      )
    ).rows[0];
    const m1 = await median(db, q1, [asset]);
    const m2 = await median(db, q2, [asset]);
    console.log(
      `| ${s.name} | ${mb(size)} | ${mb(st.a)} | ${(size / st.a).toFixed(1)}x | ${(ms / 1000).toFixed(1)} s | ${m1.toFixed(1)} ms | ${m2.toFixed(1)} ms |`,
    );
    groups.push({
      label: s.short,
      bars: [{ series: 'size before / after', value: size / st.a }],
      note: mb(st.a),
    });
    figures.push({
      setting: s.name,
      beforeBytes: size,
      afterBytes: st.a,
      compressMs: ms,
      latest30Ms: m1,
      days30Ms: m2,
    });
  }
  writeReport({
    name: 'compression',
    title: `Candle compression, embedded: ${ASSETS} assets × ${DAYS} days (${rows} candles)`,
    unit: '× smaller',
    better: 'higher',
    groups,
    details: { assets: ASSETS, days: DAYS, rows, settings: figures },
  });
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
