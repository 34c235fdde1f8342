/**
 * Issue 23, item 8: a job lease does not outlive its holder on the same host. `tm serve` killed with
 * SIGKILL keeps `signal-expiry` (TTL 180 s) in job_leases; the next `tm serve` on this host sees that
 * the holder's pid is gone and takes the lease at once. A live holder, or one on another host, keeps it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { holderGone, holderName, listLeases, takeLease } from '../../src/db/lease.ts';
import { serverDb, serverSkip, type ServerTestDb } from '../helpers/db.ts';
import { ServeProcess } from '../helpers/serve-process.ts';

const RUNS_IT = /lease signal-expiry: this process runs it/;

describe('leases of a process killed with SIGKILL [server]', { skip: serverSkip }, () => {
  let db: ServerTestDb;
  const started: ServeProcess[] = [];
  const serve = () => {
    const s = new ServeProcess([], { DATABASE_URL: db.url, TM_SYNC: '0' });
    started.push(s);
    return s;
  };
  before(async () => {
    db = await serverDb();
  });
  after(async () => {
    for (const s of started) await s.stop('SIGKILL');
    await db.close();
  });

  test('the restarted tm serve takes over the dead process’s lease at once', async () => {
    const first = serve();
    await first.waitFor(RUNS_IT);
    const held = (await listLeases(db)).find((l) => l.name === 'signal-expiry');
    assert.ok(held, 'signal-expiry is leased');
    assert.equal(held.holder.split(':')[1], String(first.child.pid), 'the holder names the pid');
    // A live holder keeps it, even from a process on the same host.
    assert.equal(await takeLease(db, 'signal-expiry', 180_000, holderName(process.pid)), false);

    await first.stop('SIGKILL');
    const stale = (await listLeases(db)).find((l) => l.name === 'signal-expiry');
    assert.ok(stale && stale.expires_at.getTime() > Date.now(), 'the dead holder still holds an unexpired lease');

    const second = serve();
    await second.waitFor(RUNS_IT);
    const now = (await listLeases(db)).find((l) => l.name === 'signal-expiry');
    assert.equal(now?.holder.split(':')[1], String(second.child.pid));
    await second.stop();
  });

  test('holders on another host, of older versions, or alive are not taken', async () => {
    assert.equal(holderGone(`elsewhere.example:${2 ** 22 + 7}:abcd1234:1:x`), false);
    assert.equal(holderGone(`${holderName(process.pid).split(':')[0]}:${2 ** 22 + 7}:abcd1234`), false);
    assert.equal(holderGone(holderName(process.pid)), false);
    // A pid that no process on this host has (above the kernel's pid_max): gone.
    assert.equal(holderGone(holderName(2 ** 22 + 7)), true);
    await db.query(
      `INSERT INTO job_leases (name, holder, acquired_at, expires_at) VALUES ('elsewhere', $1, now(), now() + interval '1 hour')`,
      [`elsewhere.example:${2 ** 22 + 7}:abcd1234:1:x`],
    );
    assert.equal(await takeLease(db, 'elsewhere', 60_000), false);
  });
});
