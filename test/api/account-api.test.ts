/**
 * The account API (issue 26, the account page), on both backends: preferences, email and password
 * confirmed with the current password, sessions listed and ended, personal API tokens with a scope.
 * Every route refuses another user's ids (404) and API tokens cannot manage the account (403).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createUser } from '../../src/accounts/users.ts';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/types.ts';
import { forEachBackend } from '../helpers/backends.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

forEachBackend('account API', (open) => {
  let db: Database;
  let app: FastifyInstance;
  before(async () => {
    db = await open();
    app = await buildApp({ db, config: loadConfig({ TM_LOGIN_MAX_PER_IP: '1000', TM_LOGIN_MAX_PER_USER: '1000' }) });
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  const call = (method: Method, url: string, token?: string, body?: unknown, ua = 'test-agent/1.0') =>
    app.inject({
      method,
      url,
      headers: { 'user-agent': ua, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
  const json = <T>(r: LightMyRequestResponse): T => r.json() as T;
  async function signUp(username: string, password = 'correct horse battery') {
    await createUser(db, { username, email: `${username}@example.com`, password });
    return login(username, password);
  }
  async function login(username: string, password: string, ua?: string) {
    const r = await call('POST', '/api/auth/login', undefined, { username, password }, ua);
    assert.equal(r.statusCode, 200, r.body);
    return json<{ access_token: string; refresh_token: string }>(r);
  }

  test('preferences: defaults, a partial change, and a time zone that does not exist is named', async () => {
    const { access_token: t } = await signUp('prefs');
    assert.deepEqual(json<{ preferences: unknown }>(await call('GET', '/api/account', t)).preferences, {
      timezone: 'UTC',
      clock: '24h',
      theme: 'auto',
    });
    const changed = await call('PUT', '/api/account/preferences', t, { timezone: 'Europe/Berlin', theme: 'dark' });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.deepEqual(changed.json(), { timezone: 'Europe/Berlin', clock: '24h', theme: 'dark' });
    assert.deepEqual((await call('PUT', '/api/account/preferences', t, { clock: '12h' })).json(), {
      timezone: 'Europe/Berlin',
      clock: '12h',
      theme: 'dark',
    });
    const bad = await call('PUT', '/api/account/preferences', t, { timezone: 'Mars/Olympus' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /timezone: \\"Mars\/Olympus\\" is not a time zone name/);
    assert.equal((await call('PUT', '/api/account/preferences', t, { theme: 'neon' })).statusCode, 400);
  });

  test('email and password need the current password; a new password ends the other sessions', async () => {
    const first = await signUp('pw_user');
    const second = await login('pw_user', 'correct horse battery', 'other-browser/2.0');
    const sessions = json<{ id: string; user_agent: string; current: boolean }[]>(
      await call('GET', '/api/account/sessions', first.access_token),
    );
    assert.deepEqual(sessions.map((s) => [s.user_agent, s.current]).sort(), [
      ['other-browser/2.0', false],
      ['test-agent/1.0', true],
    ]);

    const wrong = await call('PUT', '/api/account/email', first.access_token, {
      email: 'new@example.com',
      current_password: 'not it',
    });
    assert.equal(wrong.statusCode, 403);
    assert.match(wrong.body, /current password: not the password of this account/);
    const email = await call('PUT', '/api/account/email', first.access_token, {
      email: 'new@example.com',
      current_password: 'correct horse battery',
    });
    assert.equal(email.statusCode, 200, email.body);
    assert.equal(email.json().email, 'new@example.com');
    await signUp('pw_other');
    const taken = await call('PUT', '/api/account/email', first.access_token, {
      email: 'pw_other@example.com',
      current_password: 'correct horse battery',
    });
    assert.equal(taken.statusCode, 409);

    const short = await call('PUT', '/api/account/password', first.access_token, {
      current_password: 'correct horse battery',
      new_password: 'short',
    });
    assert.equal(short.statusCode, 400);
    const changed = await call('PUT', '/api/account/password', first.access_token, {
      current_password: 'correct horse battery',
      new_password: 'a much better passphrase',
    });
    assert.equal(changed.statusCode, 200, changed.body);
    // The asking session (named by its access token) goes on; the other one ends.
    assert.deepEqual(changed.json(), { other_sessions_ended: 1 });
    const ended = await call('POST', '/api/auth/refresh', undefined, { refresh_token: second.refresh_token });
    assert.equal(ended.statusCode, 401);
    const kept = await call('POST', '/api/auth/refresh', undefined, { refresh_token: first.refresh_token });
    assert.equal(kept.statusCode, 200);
    assert.equal(
      (await call('POST', '/api/auth/login', undefined, { username: 'pw_user', password: 'correct horse battery' }))
        .statusCode,
      401,
    );
    await login('pw_user', 'a much better passphrase');
  });

  test("sessions: listed with when they began, ended one by one, never another user's", async () => {
    const a = await signUp('sess_a');
    const b = await signUp('sess_b');
    const before = json<{ id: string; started_at: string }[]>(
      await call('GET', '/api/account/sessions', a.access_token),
    );
    assert.equal(before.length, 1);
    // A refresh rotates the token; the session keeps its start.
    const r = await call('POST', '/api/auth/refresh', undefined, { refresh_token: a.refresh_token });
    assert.equal(r.statusCode, 200);
    const after = json<{ id: string; started_at: string }[]>(
      await call('GET', '/api/account/sessions', a.access_token),
    );
    assert.equal(after.length, 1);
    assert.notEqual(after[0].id, before[0].id);
    assert.equal(after[0].started_at, before[0].started_at);
    const bSession = json<{ id: string }[]>(await call('GET', '/api/account/sessions', b.access_token))[0];
    assert.equal((await call('DELETE', `/api/account/sessions/${bSession.id}`, a.access_token)).statusCode, 404);
    assert.equal((await call('DELETE', `/api/account/sessions/${after[0].id}`, a.access_token)).statusCode, 204);
    assert.deepEqual(json(await call('GET', '/api/account/sessions', a.access_token)), []);
    assert.equal(json<unknown[]>(await call('GET', '/api/account/sessions', b.access_token)).length, 1);
  });

  test('API tokens: shown once, read scope only reads, revoked is 401, cannot manage the account', async () => {
    const a = await signUp('tok_a');
    const b = await signUp('tok_b');
    const made = await call('POST', '/api/account/tokens', a.access_token, { name: 'grafana', scope: 'read' });
    assert.equal(made.statusCode, 201, made.body);
    const read = made.json() as { id: string; token: string; scope: string };
    assert.match(read.token, /^tmk_[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
    const listed = json<Record<string, unknown>[]>(await call('GET', '/api/account/tokens', a.access_token));
    assert.deepEqual(
      listed.map((t) => [t.name, t.scope, 'token' in t]),
      [['grafana', 'read', false]],
    );

    const me = await call('GET', '/api/auth/me', read.token);
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().username, 'tok_a');
    const write = await call('POST', '/api/watchlists', read.token, { name: 'from a token' });
    assert.equal(write.statusCode, 403);
    assert.match(write.body, /read scope: it can only read/);
    const mint = await call('POST', '/api/account/tokens', read.token, { name: 'more', scope: 'write' });
    assert.equal(mint.statusCode, 403);
    const writer = (
      await call('POST', '/api/account/tokens', a.access_token, { name: 'bot', scope: 'write' })
    ).json() as {
      token: string;
    };
    assert.equal((await call('POST', '/api/watchlists', writer.token, { name: 'from a token' })).statusCode, 201);
    assert.equal(
      (await call('GET', '/api/account/tokens', writer.token)).statusCode,
      403,
      'tokens are not listed to tokens',
    );
    const fake = `${read.token.slice(0, -4)}AAAA`;
    assert.equal((await call('GET', '/api/auth/me', fake)).statusCode, 401);

    assert.equal((await call('DELETE', `/api/account/tokens/${read.id}`, b.access_token)).statusCode, 404);
    assert.equal((await call('DELETE', `/api/account/tokens/${read.id}`, a.access_token)).statusCode, 204);
    assert.equal((await call('GET', '/api/auth/me', read.token)).statusCode, 401);
    assert.equal((await call('DELETE', `/api/account/tokens/${read.id}`, a.access_token)).statusCode, 404);
    assert.equal(
      (await call('POST', '/api/account/tokens', a.access_token, { name: '', scope: 'read' })).statusCode,
      400,
    );
    assert.equal(
      (await call('POST', '/api/account/tokens', a.access_token, { name: 'x', scope: 'admin' })).statusCode,
      400,
    );
    assert.equal((await call('GET', '/api/account/tokens')).statusCode, 401);
  });
});
