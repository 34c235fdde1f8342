/**
 * doctorReport (src/doctor/report.ts), the report tm doctor and GET /api/admin/db/doctor share: a check
 * group that fails is a finding naming what could not be checked and why, never a gap in the report.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from './helpers/backends.ts';
import { must } from './helpers/must.ts';
import type { Database } from '../src/db/types.ts';
import { doctorReport } from '../src/doctor/report.ts';

const opts = { maxReplicaLagSeconds: 30, tune: { memoryBytes: 16 * 2 ** 30, cpus: 4, maxConnections: 100 } };

forEachBackend('doctor report', (open) => {
  let db: Database;
  before(async () => {
    db = await open();
  });
  after(async () => db.close());

  const syncCheck = async () => {
    const report = await doctorReport(db, opts);
    return { report, check: must(report.checks.find((c) => c.check === 'market data sync')) };
  };

  test('a healthy sync set-up is one ok line', async () => {
    const { check } = await syncCheck();
    assert.deepEqual(check, { check: 'market data sync', status: 'ok', detail: 'no sources linked' });
  });

  test('a sync check that fails is a problem naming the error, and the report is not ok', async () => {
    await db.exec('ALTER TABLE sync_state RENAME COLUMN failures TO failure_count');
    try {
      const { report, check } = await syncCheck();
      assert.equal(check.status, 'problem');
      assert.match(check.detail, /^could not check market data sync: .*failures.* does not exist/);
      assert.equal(report.ok, false);
      assert.ok(report.problems >= 1);
    } finally {
      await db.exec('ALTER TABLE sync_state RENAME COLUMN failure_count TO failures');
    }
  });

  test('absent sync tables (an older schema) are a warning with the fix, not an error', async () => {
    await db.exec('DROP TABLE sync_gaps');
    const { check } = await syncCheck();
    assert.equal(check.status, 'warning');
    assert.match(check.detail, /^not checked: its tables are absent \(.*sync_gaps.* does not exist\)/);
    assert.equal(check.fix, 'tm migrate');
  });
});
