/**
 * npm run bench:load-mixed -- [--seconds 60] [--importers 8] [--readers 50] [--batch 1000] [--symbols 4] [--nice] [--profile DIR]
 *
 * The API under mixed load, over loopback only: the server runs in a child process (so the load
 * generator does not share its event loop); `importers` loops POST /api/candles batches of `batch` 1m
 * candles over overlapping symbols (neighbours share one, every other importer sends newest-first),
 * while `readers` loops GET candles, the common queries and /health. Bounded by `seconds` (and at most
 * 1,000,000 requests). Prints errors, acknowledged vs stored candles (each must be stored exactly
 * once), and latency percentiles per kind. DATABASE_URL: a scratch server database (LOADMIX assets are
 * replaced); unset: a fresh embedded data dir in a temp directory.
 * Figures and chart (p50/p99 per kind): docs/bench/load-mixed.{json,svg} (--out DIR elsewhere).
 */
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { arg, machine, percentile, printTable } from './common.ts';
import { benchAdminToken, clearExchange, countStored as countRows } from './load-common.ts';
import { writeReport } from './report.ts';

const EXCHANGE = 'LOADMIX';
const T0 = Date.UTC(2020, 0, 1);

if (process.argv.includes('--serve')) await serve();
else if (process.argv.includes('--probe')) await probe();
else await drive();

/**
 * Child: asks /health every 100 ms, as a load balancer does, until its stdin closes; prints the latencies.
 * A process of its own at normal priority: the readers' /health figures also hold the load generator's
 * own waits, this one holds only the server's.
 */
async function probe(): Promise<void> {
  const url = process.argv[process.argv.indexOf('--probe') + 1];
  const ms: number[] = [];
  let errors = 0;
  let stop = false;
  process.stdin.on('end', () => {
    stop = true;
  });
  process.stdin.resume();
  while (!stop) {
    const t = performance.now();
    const res = await fetch(url).catch(() => null);
    if (res) await res.arrayBuffer();
    if (!res?.ok) errors++;
    ms.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(JSON.stringify({ ms, errors }));
}

/** Starts the /health prober; resolves with its latencies once `stop` is called. */
function startProber(address: string): { stop: () => Promise<{ ms: number[]; errors: number }> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--probe', `${address}/health`],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return {
    stop: async () => {
      child.stdin?.end();
      await new Promise((r) => child.once('exit', r));
      return JSON.parse(out) as { ms: number[]; errors: number };
    },
  };
}

/** Child: migrate, clear the bench's assets, serve on an ephemeral loopback port, print port and an admin token. */
async function serve(): Promise<void> {
  const { buildApp } = await import('../src/api/app.ts');
  const { loadConfig } = await import('../src/config.ts');
  const { openDatabase } = await import('../src/db/connect.ts');
  const { Migrator } = await import('../src/db/migrate/migrator.ts');
  // Every reader shares one loopback address: lift the per-IP limits meant for strangers.
  const config = loadConfig({ ...process.env, TM_STATS_PER_MINUTE: '1000000', TM_BACKTESTS_PER_MINUTE: '1000000' });
  const db = await openDatabase(config);
  await new Migrator(db).upgrade('head');
  await clearExchange(db, EXCHANGE);
  const token = await benchAdminToken(db, 'loadmix_admin', config.auth.jwtSecret);
  const app = await buildApp({ db, config });
  // How long the server's event loop made callbacks wait: what every request, /health included, pays.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  console.log(JSON.stringify({ address, token, backend: db.backend }));
  process.stdin.once('data', () => loopDelay.enable()); // the measured phase starts
  const stop = async () => {
    loopDelay.disable();
    const ms = (p: number) => (loopDelay.percentile(p) / 1e6).toFixed(1);
    process.stderr.write(`server event-loop delay: p50 ${ms(50)} ms, p99 ${ms(99)} ms, max ${ms(100)} ms\n`);
    await app.close();
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

interface Sample {
  kind: string;
  ms: number;
  ok: boolean;
}

async function drive(): Promise<void> {
  const seconds = arg('seconds', 60);
  const importers = arg('importers', 8);
  const readers = arg('readers', 50);
  const batch = arg('batch', 1000);
  const nSymbols = arg('symbols', 4);
  const maxRequests = 1_000_000;
  const symbols = Array.from({ length: nSymbols }, (_, i) => `LM${i}:${EXCHANGE}`);
  // The symbols importers write (with fewer importers than symbols, some stay unused): what readers ask for.
  const written = [
    ...new Set(Array.from({ length: importers }, (_, i) => [i % nSymbols, (i + 1) % nSymbols]).flat()),
  ].map((i) => symbols[i]);

  const tmp = process.env.DATABASE_URL ? null : mkdtempSync(path.join(os.tmpdir(), 'tm-loadmix-'));
  // --profile DIR: a CPU profile of the server process, to see what holds its event loop.
  const profile = process.argv.indexOf('--profile');
  const prof = profile >= 0 ? ['--cpu-prof', `--cpu-prof-dir=${process.argv[profile + 1]}`] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', fileURLToPath(import.meta.url), '--serve'], {
    env: { ...process.env, ...(tmp ? { TM_DATA_DIR: path.join(tmp, 'data') } : {}), TM_DEMO: '0' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
    child.once('exit', (c) => reject(new Error(`server exited with ${c}`)));
  });
  const { address, token, backend } = JSON.parse(first) as { address: string; token: string; backend: string };
  if (!address.startsWith('http://127.0.0.1:')) throw new Error(`refusing a non-loopback address ${address}`);
  const admin = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  const samples: Sample[] = [];
  const failures = new Map<string, number>();
  const acknowledged = new Set<string>();
  let requests = 0;
  // Priming (window 0) gets a minute at most; the measured run then gets `seconds`.
  let deadline = Date.now() + 60_000;
  const running = () => Date.now() < deadline && requests < maxRequests;

  async function timed(kind: string, url: string, init?: RequestInit): Promise<Response | null> {
    requests++;
    const t = performance.now();
    try {
      const res = await fetch(`${address}${url}`, init);
      const body = await res.arrayBuffer();
      const ok = res.ok;
      samples.push({ kind, ms: performance.now() - t, ok });
      if (!ok) {
        const key = `${kind} ${res.status} ${Buffer.from(body).toString('utf8').slice(0, 120)}`;
        failures.set(key, (failures.get(key) ?? 0) + 1);
      }
      return ok ? new Response(body, { status: res.status }) : null;
    } catch (err) {
      samples.push({ kind, ms: performance.now() - t, ok: false });
      const key = `${kind} ${(err as Error).message}`;
      failures.set(key, (failures.get(key) ?? 0) + 1);
      return null;
    }
  }

  // Importer i writes window k (the same windows as everyone) for its two neighbouring symbols.
  async function importer(i: number, first = 0, last = Number.POSITIVE_INFINITY): Promise<void> {
    const mine = [symbols[i % nSymbols], symbols[(i + 1) % nSymbols]];
    const per = Math.ceil(batch / mine.length);
    for (let k = first; k <= last && running(); k++) {
      const start = T0 + k * per * 60_000;
      let items = mine.flatMap((symbol) =>
        Array.from({ length: per }, (_, j) => {
          const p = 100 + ((j + i) % 17);
          return { symbol, ts: start + j * 60_000, open: p, high: p + 1, low: p - 1, close: p, volume: 1 + i };
        }),
      );
      if (i % 2 === 1) items = items.reverse();
      const res = await timed('import', '/api/candles', {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ interval: '1m', asset_type: 'stock', candles: items }),
      });
      if (res) for (const c of items) acknowledged.add(`${c.symbol}|${c.ts}`);
    }
  }

  const from = new Date(T0).toISOString();
  const reads: [string, (n: number) => string][] = [
    ['candles', (n) => `/api/candles?symbol=${written[n % written.length]}&interval=1m&from=${from}&limit=500`],
    ['latest-candles', (n) => `/api/queries/latest-candles?symbol=${written[n % written.length]}&interval=1m&limit=50`],
    ['price-changes', () => '/api/queries/price-changes?interval=1m&limit=50'],
    ['active-signals', () => '/api/queries/active-signals?limit=50'],
    ['health', () => '/health'],
  ];
  async function reader(r: number): Promise<void> {
    for (let n = r; running(); n++) {
      const [kind, url] = reads[n % reads.length];
      await timed(kind, url(n));
    }
  }

  // Window 0 first, concurrently (the assets are created here), so readers find every symbol.
  await Promise.all(Array.from({ length: importers }, (_, i) => importer(i, 0, 0)));
  samples.length = 0;
  (child.stdin as NodeJS.WritableStream).write('go\n');
  const prober = startProber(address);
  // --nice: the load generator yields the CPU to the server and PostgreSQL, as if it ran on other machines
  // (on one small machine it otherwise takes a third of the cores from what it measures).
  if (process.argv.includes('--nice')) os.setPriority(10);
  const t0 = Date.now();
  deadline = t0 + seconds * 1000;
  await Promise.all([
    ...Array.from({ length: importers }, (_, i) => importer(i, 1)),
    ...Array.from({ length: readers }, (_, r) => reader(r)),
  ]);
  const elapsed = (Date.now() - t0) / 1000;
  const probed = await prober.stop();

  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  const stored = await countStored(symbols, tmp);
  if (tmp) rmSync(tmp, { recursive: true, force: true });

  const byKind = new Map<string, Sample[]>();
  for (const s of samples) byKind.set(s.kind, [...(byKind.get(s.kind) ?? []), s]);
  console.log(
    `load-mixed on ${backend}: ${importers} importers × ${batch}-candle batches, ${readers} readers, ${elapsed.toFixed(1)} s`,
  );
  console.log(machine());
  const kinds = [...byKind].map(([kind, list]) => {
    const ms = list.map((s) => s.ms).sort((a, b) => a - b);
    return {
      kind,
      requests: list.length,
      errors: list.filter((s) => !s.ok).length,
      'req/s': (list.length / elapsed).toFixed(1),
      'p50 ms': percentile(ms, 50).toFixed(1),
      'p99 ms': percentile(ms, 99).toFixed(1),
    };
  });
  printTable(kinds);
  const probeMs = [...probed.ms].sort((a, b) => a - b);
  console.log(
    `/health probe (own process, every 100 ms): ${probeMs.length} requests, ${probed.errors} errors, p50 ${percentile(probeMs, 50).toFixed(1)} ms, p99 ${percentile(probeMs, 99).toFixed(1)} ms`,
  );
  const bars = (p50: number, p99: number) => [
    { series: 'p50', value: p50 },
    { series: 'p99', value: p99 },
  ];
  writeReport({
    name: 'load-mixed',
    title: `Mixed load on ${backend}: ${importers} importers, ${readers} readers, ${elapsed.toFixed(0)} s`,
    unit: 'ms per request',
    better: 'lower',
    groups: [
      ...kinds.map((k) => ({
        label: k.kind,
        bars: bars(Number(k['p50 ms']), Number(k['p99 ms'])),
        note: `${k['req/s']} req/s`,
      })),
      ...(probeMs.length
        ? [{ label: '/health probe', bars: bars(percentile(probeMs, 50), percentile(probeMs, 99)) }]
        : []),
    ],
    details: {
      backend,
      importers,
      readers,
      batch,
      seconds: elapsed,
      kinds,
      healthProbe: { requests: probeMs.length, errors: probed.errors },
    },
  });
  const readSamples = samples.filter((s) => s.kind !== 'import' && s.kind !== 'health');
  const readMs = readSamples.map((s) => s.ms).sort((a, b) => a - b);
  console.log(
    `reads (all kinds but health): ${(readSamples.length / elapsed).toFixed(1)} req/s, p50 ${percentile(readMs, 50).toFixed(1)} ms, p99 ${percentile(readMs, 99).toFixed(1)} ms`,
  );
  const errors = samples.filter((s) => !s.ok).length + probed.errors;
  console.log(`errors: ${errors}`);
  for (const [k, n] of failures) console.log(`  ${n} × ${k}`);
  console.log(
    `candles acknowledged: ${acknowledged.size}; stored: ${stored.rows} rows, ${stored.keys} distinct (asset, ts): ${stored.rows === acknowledged.size && stored.keys === stored.rows ? 'each exactly once' : 'MISMATCH'}`,
  );
  if (errors > 0 || stored.rows !== acknowledged.size || stored.keys !== stored.rows) process.exitCode = 1;
}

/** Counts the bench's rows directly in the database, after the server has closed it. */
async function countStored(symbols: string[], tmp: string | null): Promise<{ rows: number; keys: number }> {
  const { openDatabase } = await import('../src/db/connect.ts');
  const db = await openDatabase({
    databaseUrl: process.env.DATABASE_URL || undefined,
    dataDir: tmp ? path.join(tmp, 'data') : '',
  });
  try {
    return await countRows(
      db,
      EXCHANGE,
      symbols.map((s) => s.split(':')[0]),
    );
  } finally {
    await db.close();
  }
}
