/**
 * Issue 23 items 1 and 2, on both backends: one canonical form of a username for registration,
 * login, the login limit and lookups (a locked victim1 stays locked under any spelling, and victİm1
 * is not victim1); registration does the same work whether or not the email is taken.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { canonicalUsername } from '../../src/accounts/username.ts';
import { findByUsername, registerUser } from '../../src/accounts/users.ts';
import { hashPassword } from '../../src/accounts/passwords.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database, Queryable } from '../../src/db/types.ts';
import { forEachBackend } from '../helpers/backends.ts';

test('the canonical form: NFKC and case folding', () => {
  assert.equal(canonicalUsername('KiMi'), 'kimi');
  assert.equal(canonicalUsername('ｋｉｍｉ'), 'kimi', 'full width');
  assert.equal(canonicalUsername('\u212Aimi'), 'kimi', 'Kelvin sign');
  assert.equal(canonicalUsername('Straße'), 'strasse');
  assert.equal(canonicalUsername('ﬃ'), 'ffi');
  assert.notEqual(canonicalUsername('kİmi'), 'kimi', 'U+0130 folds to i + combining dot, not to i');
  assert.equal(canonicalUsername('kİmi'), canonicalUsername('KİMI'));
});

/** Counts the statements that reach the database. */
function counting(db: Database): { db: Database; count: () => number } {
  let n = 0;
  const proxy = new Proxy(db, {
    get(target, key) {
      const v = Reflect.get(target, key, target);
      if (key === 'query')
        return (...a: Parameters<Queryable['query']>) => {
          n++;
          return target.query(...a);
        };
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { db: proxy, count: () => n };
}

forEachBackend('usernames: one canonical form', (open) => {
  let db: Database;
  let app: FastifyInstance;
  let counted: Database;
  let statements: () => number;
  const post = (url: string, payload: object) => app.inject({ method: 'POST', url, payload });
  const login = (username: string, password: string) => post('/api/auth/login', { username, password });
  before(async () => {
    db = await open();
    const c = counting(db);
    statements = c.count;
    counted = c.db;
    app = await buildApp({
      db: c.db,
      config: loadConfig({ TM_LOGIN_MAX_PER_USER: '5', TM_LOGIN_MAX_PER_IP: '1000', TM_RATE_LIMIT_STORE: 'memory' }),
      webDir: false,
    });
    for (const username of ['kimi', 'victim1']) {
      const r = await post('/api/auth/register', {
        username,
        email: `${username}@example.com`,
        password: 'right-password',
      });
      assert.equal(r.statusCode, 202, r.body);
    }
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  test('a locked username stays locked under every spelling, and victİm1 never logs in as victim1', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await login('victim1', 'wrong-password')).statusCode, 401);
    for (const spelling of ['victim1', 'VICTIM1', 'ｖｉｃｔｉｍ１', 'victim\uFF11']) {
      assert.equal((await login(spelling, 'right-password')).statusCode, 429, spelling);
    }
    const dotted = await login('victİm1', 'right-password');
    assert.equal(dotted.statusCode, 401, `victİm1 is another name: ${dotted.body}`);
    for (let i = 0; i < 5; i++) assert.equal((await login('kimi', 'wrong-password')).statusCode, 401);
    assert.equal((await login('KIMI', 'right-password')).statusCode, 429);
    assert.equal((await login('kİmi', 'right-password')).statusCode, 401, 'kİmi reaches no account');
  });

  test('registration refuses a name whose canonical form is taken; lookups use the same form', async () => {
    const r = await post('/api/auth/register', {
      username: 'KiMi',
      email: 'other@example.com',
      password: 'right-pw-1',
    });
    assert.equal(r.statusCode, 409);
    assert.match(r.json().detail, /username "KiMi" is taken/);
    assert.equal((await findByUsername(db, 'ＫＩＭＩ'))?.username, 'kimi');
    assert.equal(await findByUsername(db, 'kİmi'), null);
    const rows = await db.query<{ username_key: string }>(
      "SELECT username_key FROM users WHERE username IN ('kimi', 'victim1') ORDER BY 1",
    );
    assert.deepEqual(
      rows.rows.map((x) => x.username_key),
      ['kimi', 'victim1'],
    );
  });

  test('rows written by SQL without a key get the canonical one; a non-ASCII name without a key is refused', async () => {
    const r = await db.query<{ username_key: string }>(
      "INSERT INTO users (username, email, password_hash) VALUES ('SqlMade', 'sql@example.com', 'x') RETURNING username_key",
    );
    assert.equal(r.rows[0].username_key, canonicalUsername('SqlMade'));
    await assert.rejects(
      db.query("INSERT INTO users (username, email, password_hash) VALUES ('sqlmadE', 'sql2@example.com', 'x')"),
      /users_username_key/,
    );
    await assert.rejects(
      db.query("INSERT INTO users (username, email, password_hash) VALUES ('sqİ', 'sql3@example.com', 'x')"),
      /username_key must be given/,
    );
  });

  test('registration costs the same whether the email is taken or not: one hash, the same statements', async () => {
    const work = async (username: string, email: string) => {
      const before = statements();
      const r = await post('/api/auth/register', { username, email, password: 'some-password' });
      assert.equal(r.statusCode, 202, r.body);
      return { statements: statements() - before, body: r.json() };
    };
    const fresh = await work('fresh1', 'fresh1@example.com');
    const taken = await work('fresh2', 'kimi@example.com');
    assert.equal(taken.statements, fresh.statements);
    assert.deepEqual({ ...taken.body, username: '' }, { ...fresh.body, username: '' });

    let hashes = 0;
    const hasher = (p: string) => {
      hashes++;
      return hashPassword(p);
    };
    const n0 = statements();
    assert.equal(
      await registerUser(counted, { username: 'lib1', email: 'lib1@example.com', password: 'pw-12345678' }, hasher),
      true,
    );
    const freshWork = [hashes, statements() - n0];
    assert.equal(
      await registerUser(counted, { username: 'lib2', email: 'LIB1@example.com', password: 'pw-12345678' }, hasher),
      false,
    );
    assert.deepEqual([hashes - freshWork[0], statements() - n0 - freshWork[1]], freshWork);
    assert.deepEqual(freshWork, [1, 1], 'one hash and one statement');
  });
});
