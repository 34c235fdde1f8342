/**
 * One `tm query price-changes` cut into phases, printed as JSON (ms): run by `npm run bench:startup -- --phases`.
 * The same steps as the command: the driver's import, opening the database (embedded: PGlite, the data dir lock,
 * LOAD 'timescaledb'), the schema check, the query, closing (embedded: CHECKPOINT).
 */
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config.ts';
import { ensureSchemaCurrent } from '../src/db/migrate/ensure.ts';
import type { Database } from '../src/db/types.ts';
import { priceChanges } from '../src/market/queries.ts';

const config = loadConfig();
const times: Record<string, number> = {};
let t = performance.now();
const lap = (name: string) => {
  const now = performance.now();
  times[name] = now - t;
  t = now;
};
let db: Database;
if (config.databaseUrl) {
  const { openServer } = await import('../src/db/server.ts');
  lap('import driver');
  db = await openServer(config.databaseUrl);
} else {
  const { openEmbedded } = await import('../src/db/pglite.ts');
  lap('import driver');
  db = await openEmbedded({ dataDir: config.dataDir, workload: 'brief' }); // as the command opens it
}
lap('open');
await ensureSchemaCurrent(db, () => {});
lap('schema check');
await priceChanges(db, { interval: '1d' });
lap('query');
await db.close();
lap('close');
console.log(JSON.stringify(times));
