/**
 * npm run bench:load -- [--workers 1,2] [--seconds 10] [--connections 16] [--candles 2000] [--batch 500] [--label L]
 *                        [--replica] [--pgbouncer]
 *
 * Concurrent HTTP clients (autocannon) against the real `tm serve --workers N` on a server database, over
 * loopback: chart reads (candle ranges), the common queries, and imports (POST /api/candles), one phase
 * after the other, for each process count. Prints requests/s, p50/p99 latency, errors, and acknowledged
 * vs stored candles (each acknowledged candle stored exactly once); any error or lost write fails the run.
 *
 * The database comes from the environment, so one script measures every deployment:
 * - DATABASE_URL: a scratch server database (the LOADBENCH assets are replaced); unset: a throwaway
 *   PostgreSQL cluster (the test helpers' one, with TimescaleDB when installed), with --replica a
 *   streaming replica of it and with --pgbouncer Debian's pgbouncer in transaction mode in front of it.
 * - with a replica: also set DATABASE_READ_URL (reads then go to the replica, docs/replicas-and-pooling.md).
 * - through pgbouncer: DATABASE_URL pointing at pgbouncer (transaction mode), DATABASE_DIRECT_URL at the
 *   primary. The mode is named from these (or --label) and the figures go to docs/bench/load-<mode>.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import autocannon, { type Request, type Result } from 'autocannon';
import { openServer } from '../src/db/server.ts';
import { Migrator } from '../src/db/migrate/migrator.ts';
import type { Database } from '../src/db/types.ts';
import { countHit } from '../src/api/rate-limit-store.ts';
import { FixedWindowLimiter } from '../src/api/rate-limit.ts';
import { arg, machine, printTable } from './common.ts';
import { benchAdminToken, clearExchange, countStored } from './load-common.ts';
import { type BarGroup, writeReport } from './report.ts';

const EXCHANGE = 'LOADBENCH';
const T0 = Date.UTC(2021, 0, 1);
const READ_SYMBOLS = ['LR0', 'LR1', 'LR2', 'LR3'];
const TM = path.join(import.meta.dirname, '..', 'bin', 'tm.js');

function listArg(name: string, fallback: number[]): number[] {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const list = (process.argv[i + 1] ?? '').split(',').map(Number);
  if (!list.length || list.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--${name} must be like 1,2`);
  return list;
}

/** The mode's name from what tm serve is given: through pgbouncer (a direct URL beside), with replicas. */
function modeName(env: NodeJS.ProcessEnv): string {
  const i = process.argv.indexOf('--label');
  if (i >= 0 && process.argv[i + 1]) return process.argv[i + 1];
  const parts = [env.DATABASE_DIRECT_URL ? 'pgbouncer' : 'primary'];
  if (env.DATABASE_READ_URL) parts.push('replica');
  return parts.join('-');
}

interface Target {
  /** The primary, for the bench's own setup and checks (never a pooler or a replica). */
  url: string;
  /** What tm serve gets: DATABASE_URL and, in those modes, DATABASE_DIRECT_URL and DATABASE_READ_URL. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

async function benchDatabase(): Promise<Target> {
  const url = process.env.DATABASE_URL;
  if (url) return { url: process.env.DATABASE_DIRECT_URL || url, env: {}, stop: async () => undefined };
  const { findPgBin, startCluster } = await import('../test/helpers/pg-cluster.ts');
  const bin = findPgBin();
  if (!bin) throw new Error('no DATABASE_URL and no PostgreSQL binaries to start a throwaway cluster');
  const cluster = await startCluster(bin);
  const stops: (() => void)[] = [() => cluster.stop()];
  const stop = async () => {
    for (const s of stops.reverse()) s();
  };
  try {
    const admin = await openServer(cluster.url, { max: 1 });
    await admin.exec('CREATE DATABASE bench_load');
    // Through pgbouncer the session's TimeZone option is dropped: UTC must be the database's own.
    await admin.exec(`ALTER DATABASE bench_load SET timezone TO 'UTC'`);
    await admin.close();
    const { withDatabase } = await import('../src/db/url.ts');
    const own = withDatabase(cluster.url, 'bench_load');
    const env: NodeJS.ProcessEnv = { DATABASE_URL: own };
    console.log(`throwaway cluster: PostgreSQL on port ${cluster.port}, TimescaleDB ${cluster.timescale ?? 'absent'}`);
    if (process.argv.includes('--replica')) {
      const { startReplica } = await import('../test/helpers/replica.ts');
      const replica = await startReplica(cluster.url);
      stops.push(() => replica.stop());
      env.DATABASE_READ_URL = withDatabase(replica.url, 'bench_load');
      console.log(`streaming replica on port ${replica.port}`);
    }
    if (process.argv.includes('--pgbouncer')) {
      const { startPgbouncer } = await import('../test/helpers/pgbouncer.ts');
      const bouncer = await startPgbouncer(cluster.url, { poolSize: 20 });
      stops.push(() => bouncer.stop());
      env.DATABASE_URL = withDatabase(bouncer.url, 'bench_load');
      env.DATABASE_DIRECT_URL = own;
      console.log(`pgbouncer (transaction mode, 20 server connections) on port ${bouncer.port}`);
    }
    return { url: own, env, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

interface Server {
  url: string;
  child: ChildProcess;
}

async function startServe(workers: number, env: NodeJS.ProcessEnv): Promise<Server> {
  const child = spawn(
    process.execPath,
    [TM, 'serve', '--no-migrate', '--port', '0', '--host', '127.0.0.1', '--workers', String(workers)],
    {
      env: {
        ...process.env,
        ...env,
        TM_LOG: '0',
        TM_DEMO: '0',
        TM_SYNC: '0',
        // Every client shares one loopback address: lift the per-IP limits meant for strangers.
        TM_STATS_PER_MINUTE: '100000000',
        TM_BACKTESTS_PER_MINUTE: '100000000',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  const ready = workers > 1 ? new RegExp(`${workers} workers listening`) : /listening on/;
  const end = Date.now() + 120_000;
  while (!ready.test(stderr)) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`tm serve did not start:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
  if (!url) throw new Error(`no address in:\n${stderr}`);
  return { url, child };
}

async function stopServe(s: Server): Promise<void> {
  const done = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  await done;
}

function candles(symbol: string, start: number, n: number) {
  return Array.from({ length: n }, (_, j) => {
    const p = 100 + (j % 17);
    return { symbol, ts: start + j * 60_000, open: p, high: p + 1, low: p - 1, close: p, volume: 1 + (j % 5) };
  });
}

async function post(url: string, token: string, body: unknown): Promise<void> {
  const r = await fetch(`${url}/api/candles`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`seeding failed: ${r.status} ${await r.text()}`);
}

interface Phase {
  phase: string;
  workers: number;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
}

function phaseOf(phase: string, workers: number, r: Result): Phase {
  return {
    phase,
    workers,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors + r.timeouts + r.non2xx,
  };
}

async function scenario(
  workers: number,
  env: NodeJS.ProcessEnv,
  db: Database,
  token: string,
  opts: { seconds: number; connections: number; candles: number; batch: number },
): Promise<{ phases: Phase[] } & Writes> {
  const server = await startServe(workers, env);
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const base = { url: server.url, connections: opts.connections, duration: opts.seconds };
  const phases: Phase[] = [];
  try {
    // Chart reads: 500-bar ranges from all over each series.
    const reads: Request[] = READ_SYMBOLS.flatMap((s) =>
      [0, 0.25, 0.5, 0.75].map((f) => ({
        method: 'GET' as const,
        path: `/api/candles?symbol=${s}:${EXCHANGE}&interval=1m&from=${new Date(T0 + Math.floor(f * opts.candles) * 60_000).toISOString()}&limit=500`,
      })),
    );
    phases.push(phaseOf('chart reads', workers, await autocannon({ ...base, requests: reads })));
    const queries: Request[] = [
      `/api/queries/latest-candles?symbol=${READ_SYMBOLS[0]}:${EXCHANGE}&interval=1m&limit=50`,
      '/api/queries/price-changes?interval=1m&limit=50',
      '/api/queries/price-stats?interval=1m&limit=50',
      '/api/queries/active-signals?limit=50',
    ].map((p) => ({ method: 'GET' as const, path: p }));
    phases.push(phaseOf('common queries', workers, await autocannon({ ...base, requests: queries })));

    // Imports: every request a new batch (its own minutes of its own symbol); counted when acknowledged.
    const symbols = Array.from({ length: 4 }, (_, i) => `LW${workers}_${i}`);
    let next = 0;
    const acked: { symbol: string; start: number }[] = [];
    const inFlight = new Map<object, { symbol: string; start: number }>();
    const imports = await autocannon({
      ...base,
      requests: [
        {
          method: 'POST',
          headers: auth,
          setupRequest: (req: Request, context: object) => {
            const k = next++;
            const symbol = symbols[k % symbols.length];
            const start = T0 + Math.floor(k / symbols.length) * opts.batch * 60_000;
            inFlight.set(context, { symbol, start });
            return {
              ...req,
              path: '/api/candles',
              body: JSON.stringify({
                interval: '1m',
                asset_type: 'stock',
                candles: candles(`${symbol}:${EXCHANGE}`, start, opts.batch),
              }),
            };
          },
          onResponse: (status: number, _body: string, context: object) => {
            const b = inFlight.get(context);
            if (b && status >= 200 && status < 300) acked.push(b);
            inFlight.delete(context);
          },
        },
      ],
    });
    phases.push(phaseOf('imports', workers, imports));
    await stopServe(server);
    return { phases, ...(await checkWrites(db, symbols, acked, opts.batch)) };
  } catch (err) {
    await stopServe(server);
    throw err;
  }
}

interface Writes {
  acknowledged: number;
  /** Acknowledged candles not stored (must be 0). */
  lost: number;
  stored: { rows: number; keys: number };
}

/**
 * Every acknowledged batch must be stored whole, and nothing twice. Requests still in flight when a phase
 * ends are not acknowledged (autocannon stops listening) but may be stored: more stored is no error.
 */
async function checkWrites(
  db: Database,
  symbols: string[],
  acked: { symbol: string; start: number }[],
  batch: number,
): Promise<Writes> {
  const r = await db.query<{ n: number }>(
    `SELECT count(c.ts)::int AS n
     FROM unnest($1::text[], $2::timestamptz[]) AS b(symbol, start)
     JOIN assets a ON a.exchange = $3 AND a.symbol = b.symbol
     JOIN candles c ON c.asset_id = a.id AND c."interval" = '1m' AND c.ts >= b.start
                   AND c.ts < b.start + make_interval(mins => $4)`,
    [acked.map((b) => b.symbol), acked.map((b) => new Date(b.start)), EXCHANGE, batch],
  );
  const acknowledged = acked.length * batch;
  return { acknowledged, lost: acknowledged - r.rows[0].n, stored: await countStored(db, EXCHANGE, symbols) };
}

/** What one rate-limit count costs: the database upsert (shared) against the in-memory counter. */
async function rateLimitCost(db: Database): Promise<{ databaseMs: number; memoryUs: number }> {
  const n = 2000;
  await countHit(db, 'bench:warm', 60_000);
  let t = performance.now();
  for (let i = 0; i < n; i++) await countHit(db, `bench:${i % 50}`, 60_000);
  const databaseMs = (performance.now() - t) / n;
  await db.query(`DELETE FROM rate_limit_hits WHERE key LIKE 'bench:%'`);
  const l = new FixedWindowLimiter(1e9, 60_000);
  t = performance.now();
  for (let i = 0; i < 100_000; i++) l.hit(`k${i % 50}`);
  return { databaseMs, memoryUs: ((performance.now() - t) / 100_000) * 1000 };
}

async function main(): Promise<void> {
  const workerCounts = listArg('workers', [1, 2]);
  const opts = {
    seconds: arg('seconds', 10),
    connections: arg('connections', 16),
    candles: arg('candles', 2000),
    batch: arg('batch', 500),
  };
  const target = await benchDatabase();
  const mode = modeName({ ...process.env, ...target.env });
  const db = await openServer(target.url, { max: 2 });
  try {
    await new Migrator(db).upgrade('head');
    await clearExchange(db, EXCHANGE);
    const token = await benchAdminToken(db, 'loadbench_admin', process.env.TM_JWT_SECRET || undefined);
    // The read phases' data, written once through the API (a single process).
    const seeder = await startServe(1, target.env);
    try {
      for (const s of READ_SYMBOLS)
        for (let i = 0; i < opts.candles; i += 1000)
          await post(seeder.url, token, {
            interval: '1m',
            asset_type: 'stock',
            candles: candles(`${s}:${EXCHANGE}`, T0 + i * 60_000, Math.min(1000, opts.candles - i)),
          });
    } finally {
      await stopServe(seeder);
    }

    const phases: Phase[] = [];
    const writes: Record<string, unknown>[] = [];
    let failed = false;
    for (const w of workerCounts) {
      const r = await scenario(w, target.env, db, token, opts);
      phases.push(...r.phases);
      const exact = r.lost === 0 && r.stored.keys === r.stored.rows && r.stored.rows >= r.acknowledged;
      failed ||= !exact || r.phases.some((p) => p.errors > 0);
      writes.push({
        processes: w,
        'candles acknowledged': r.acknowledged,
        'acknowledged, not stored': r.lost,
        'stored rows': r.stored.rows,
        'distinct (asset, ts)': r.stored.keys,
        result: exact ? 'none lost, none doubled' : 'LOST OR DOUBLED',
      });
    }
    const cost = await rateLimitCost(db);

    console.log(
      `load (${mode}): ${opts.connections} connections, ${opts.seconds} s per phase, ${READ_SYMBOLS.length}×${opts.candles} candles read, imports of ${opts.batch}`,
    );
    console.log(machine());
    printTable(
      phases.map((p) => ({
        phase: p.phase,
        processes: p.workers,
        'req/s': p.rps.toFixed(1),
        'p50 ms': p.p50.toFixed(1),
        'p99 ms': p.p99.toFixed(1),
        requests: p.requests,
        errors: p.errors,
      })),
    );
    printTable(writes as Record<string, string | number>[]);
    console.log(
      `rate-limit count: ${cost.databaseMs.toFixed(3)} ms per request in the database (shared), ${cost.memoryUs.toFixed(2)} µs in memory`,
    );

    const groups: BarGroup[] = [...new Set(phases.map((p) => p.phase))].map((phase) => {
      const mine = phases.filter((p) => p.phase === phase);
      return {
        label: phase,
        bars: mine.map((p) => ({ series: `${p.workers} process${p.workers > 1 ? 'es' : ''}`, value: p.rps })),
        note: mine.map((p) => `p99 ${p.p99.toFixed(0)}`).join(' / '),
      };
    });
    writeReport({
      name: `load-${mode}`,
      title: `tm serve under concurrent clients (${mode})`,
      unit: 'requests/s',
      better: 'higher',
      groups,
      scale: 'group',
      details: { mode, ...opts, phases, writes, rateLimit: cost },
    });
    if (failed) {
      console.log('FAILED: errors or lost writes (see above)');
      process.exitCode = 1;
    }
  } finally {
    await db.close();
    await target.stop();
  }
}

await main();
