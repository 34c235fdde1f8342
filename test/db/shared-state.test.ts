/**
 * The shared state several tm serve processes keep in the database (revision 0009): job leases and
 * rate-limit counters, on both backends. Each "process" here is its own holder or its own RateLimits,
 * over one database, as separate processes would be.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import type { Database } from '../../src/db/types.ts';
import { leaseGate, listLeases, releaseLease, renewLease, takeLease } from '../../src/db/lease.ts';
import { databaseRateLimits } from '../../src/api/rate-limit-store.ts';

forEachBackend('job leases and shared rate limits', (open) => {
  let db: Database;
  before(async () => {
    db = await open();
  });
  after(async () => db.close());

  // The database clock times leases and windows: the tests end them by moving expires_at into the past
  // rather than sleeping past a short TTL, so a slow machine cannot expire one between two calls.
  const expire = (table: 'job_leases' | 'rate_limit_hits', where: string) =>
    db.exec(`UPDATE ${table} SET expires_at = now() - interval '1 second' WHERE ${where}`);
  const TTL = 60_000;

  test('a lease has one holder until it expires or is released; renewing keeps it', async () => {
    assert.equal(await takeLease(db, 'job', TTL, 'p1'), true);
    assert.equal(await takeLease(db, 'job', TTL, 'p2'), false, 'held by p1');
    assert.equal(await takeLease(db, 'job', TTL, 'p1'), true, 'p1 renews by taking it again');
    assert.equal(await renewLease(db, 'job', TTL, 'p2'), false, 'only the holder renews');
    await expire('job_leases', "name = 'job'");
    assert.equal(await renewLease(db, 'job', TTL, 'p1'), true, 'an expired lease is still its holder’s to renew');
    assert.equal(await takeLease(db, 'job', TTL, 'p2'), false);
    await expire('job_leases', "name = 'job'");
    assert.equal(await takeLease(db, 'job', TTL, 'p2'), true, 'expired: another process takes it');
    const [row] = await listLeases(db);
    assert.deepEqual([row.name, row.holder, row.runs], ['job', 'p2', '3'], 'three rounds: p1, p1, p2');
    await releaseLease(db, 'job', 'p1');
    assert.equal((await listLeases(db))[0].holder, 'p2', 'only the holder releases');
    await releaseLease(db, 'job', 'p2');
    assert.equal(await takeLease(db, 'job', 60_000, 'p1'), true, 'released: free at once');
    await releaseLease(db, 'job', 'p1');
  });

  test('a lease gate says yes in one process only, and hands over on release', async () => {
    const lines: string[] = [];
    const a = leaseGate(db, 'gate', 60_000, (l) => lines.push(l));
    assert.equal(await a(), true);
    assert.equal(await a(), true);
    // A second process has its own holder name; simulate it with the raw statement.
    assert.equal(await takeLease(db, 'gate', 60_000, 'other-process'), false);
    await a.release();
    assert.equal(await takeLease(db, 'gate', 60_000, 'other-process'), true);
    assert.equal(await a(), false);
    assert.deepEqual(lines, ['lease gate: this process runs it'], 'after its own release it logs no loss');
    await releaseLease(db, 'gate', 'other-process');
  });

  test('two processes count one limit together; windows end; reset and check', async () => {
    const [p1, p2] = [databaseRateLimits(db), databaseRateLimits(db)];
    const [l1, l2] = [p1.limiter('login-ip', 3, TTL), p2.limiter('login-ip', 3, TTL)];
    const hits = [];
    for (const l of [l1, l2, l1, l2]) hits.push((await l.hit('10.0.0.1')).allowed);
    assert.deepEqual(hits, [true, true, true, false]);
    assert.equal((await l1.check('10.0.0.1')).allowed, false);
    assert.equal((await l2.hit('10.0.0.2')).allowed, true, 'keys are independent');
    assert.equal((await p1.limiter('other', 3, TTL).hit('10.0.0.1')).allowed, true, 'limiters are independent');
    const refused = await l1.hit('10.0.0.1');
    // The rest of the 60 s window in whole seconds, never 0.
    assert.ok(
      Number.isInteger(refused.retryAfter) && refused.retryAfter >= 1 && refused.retryAfter <= TTL / 1000,
      `retry after ${refused.retryAfter} s`,
    );
    await expire('rate_limit_hits', "key = 'login-ip:10.0.0.1'");
    assert.equal((await l2.check('10.0.0.1')).allowed, true, 'a new window');
    assert.equal((await l2.hit('10.0.0.1')).allowed, true);
    await l1.hit('10.0.0.1');
    await l1.hit('10.0.0.1');
    assert.equal((await l2.check('10.0.0.1')).allowed, false);
    await l2.reset('10.0.0.1');
    assert.equal((await l1.hit('10.0.0.1')).allowed, true, 'reset from the other process');
  });
});
