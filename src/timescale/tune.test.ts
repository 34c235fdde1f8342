/** tm tune's formulas, checked by hand for 16 GB / 4 CPUs / 100 connections. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatConf, formatSql, parseMemory, pgSize, recommend } from './tune.ts';

test('16GB, 4 CPUs, 100 connections', () => {
  const s = Object.fromEntries(
    recommend({ memoryBytes: parseMemory('16GB'), cpus: 4, maxConnections: 100 }).map((x) => [x.name, x.value]),
  );
  // By hand: RAM/4 = 4GB; 3/4 RAM = 12GB; 16 x 128MB = 2048MB, capped at 2047MB.
  assert.equal(s.shared_buffers, '4GB');
  assert.equal(s.effective_cache_size, '12GB');
  assert.equal(s.maintenance_work_mem, '2047MB');
  // work_mem = 16 GB x (6.4 x 20 MB / 100 connections) / round(4 / 2)
  //          = 16 x 1.28 MB / 2 = 10.24 MB = 10737418.24 bytes = 10485.76 kB -> 10485kB.
  assert.equal(s.work_mem, '10485kB');
  // Parallelism: 3 built-in + 8 background workers + 4 CPUs; per gather round(4 / 2).
  assert.equal(s['timescaledb.max_background_workers'], '8');
  assert.equal(s.max_worker_processes, '15');
  assert.equal(s.max_parallel_workers, '4');
  assert.equal(s.max_parallel_workers_per_gather, '2');
  // WAL: 16MB buffers at 2GB of RAM or more; 1GB max WAL, half of it min.
  assert.equal(s.wal_buffers, '16MB');
  assert.equal(s.min_wal_size, '512MB');
  assert.equal(s.max_wal_size, '1GB');
  assert.equal(s.checkpoint_completion_target, '0.9');
  assert.equal(s.random_page_cost, '1.1');
  assert.equal(s.default_statistics_target, '500');
  assert.equal(s.effective_io_concurrency, '200');
  assert.equal(s.max_connections, '100');
  // 16GB is in [16GB, 32GB): 256 locks per transaction.
  assert.equal(s.max_locks_per_transaction, '256');
});

test('small machine: 1GB, 1 CPU, 20 connections', () => {
  const list = recommend({ memoryBytes: parseMemory('1GB'), cpus: 1, maxConnections: 20 });
  const s = Object.fromEntries(list.map((x) => [x.name, x.value]));
  assert.equal(s.shared_buffers, '256MB');
  assert.equal(s.effective_cache_size, '768MB');
  assert.equal(s.maintenance_work_mem, '128MB');
  // 1 x (128MB / 20) / round(0.5) = 6.4MB = 6710886.4 bytes = 6553.6 kB -> 6553kB
  assert.equal(s.work_mem, '6553kB');
  // below 2GB: 7864kB per GB of RAM
  assert.equal(s.wal_buffers, '7864kB');
  assert.equal(s.max_connections, '100');
  assert.equal(s.max_locks_per_transaction, '64');
  // No parallelism advice for one CPU, as timescaledb-tune.
  assert.equal(s.max_parallel_workers, undefined);
});

test('sizes and formats', () => {
  assert.equal(parseMemory('512MB'), 512 * 2 ** 20);
  assert.equal(parseMemory('1.5g'), 1.5 * 2 ** 30);
  assert.throws(() => parseMemory('lots'), /--memory "lots" is not a size/);
  assert.throws(() => parseMemory('1MB'), /too small/);
  assert.equal(pgSize(3 * 2 ** 30), '3GB');
  assert.equal(pgSize(1536 * 2 ** 20), '1536MB');
  assert.equal(pgSize(1025), '1kB');
  const settings = recommend({ memoryBytes: 8 * 2 ** 30, cpus: 2, maxConnections: 100 });
  assert.match(formatConf(settings), /^shared_buffers = '2GB'\s+# RAM \/ 4$/m);
  assert.match(formatConf(settings), /^max_parallel_workers = 2\s+# cpus$/m);
  assert.match(formatSql(settings), /^ALTER SYSTEM SET work_mem = '\d+kB';$/m);
  assert.throws(() => recommend({ memoryBytes: 2 ** 30, cpus: 0, maxConnections: 10 }), /--cpus/);
});
