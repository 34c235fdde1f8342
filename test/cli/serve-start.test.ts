/**
 * What `tm serve` tells a newcomer: how to make the first administrator while there is none, and
 * nothing about it once there is one.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createUser } from '../../src/accounts/users.ts';
import { serverDb, serverSkip, type ServerTestDb } from '../helpers/db.ts';
import { ServeProcess } from '../helpers/serve-process.ts';

const HINT = /no administrator yet: create the first one[^\n]*\n[^\n]*npx tm users create NAME --email ADDRESS --admin/;
const STARTED = /lease signal-expiry: this process runs it/; // logged after the start-up lines

describe('tm serve start-up lines [server]', { skip: serverSkip }, () => {
  let db: ServerTestDb;
  const started: ServeProcess[] = [];
  const serve = () => {
    const s = new ServeProcess([], { DATABASE_URL: db.url, TM_SYNC: '0', TM_DEMO_FEED: '0' });
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

  test('without an administrator it says how to make one; with one it does not', async () => {
    const first = serve();
    await first.waitFor(STARTED);
    assert.match(first.stderr, HINT);
    await first.stop();

    await createUser(db, { username: 'boss', email: 'boss@example.com', password: 'correct horse', is_admin: true });
    const second = serve();
    await second.waitFor(STARTED);
    assert.doesNotMatch(second.stderr, /no administrator yet/);
  });
});
