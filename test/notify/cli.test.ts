/** tm channels and tm deliveries as a user runs them, on an embedded data dir. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TM_COMMAND_TIMEOUT_MS } from '../helpers/wait.ts';

const BIN = path.resolve('bin/tm.js');
let dir: string;
let env: NodeJS.ProcessEnv;

function tm(args: string[], extra: NodeJS.ProcessEnv = {}, input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '', TM_SMTP_URL: '', TM_WEBHOOK_ALLOW_PRIVATE: '', ...env, ...extra },
    input,
    timeout: TM_COMMAND_TIMEOUT_MS,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tm-channels-'));
  env = { TM_DATA_DIR: path.join(dir, 'data') };
  const u = tm(
    ['users', 'create', 'alice', '--email', 'alice@example.com', '--password-stdin'],
    {},
    'alice-password\n',
  );
  assert.equal(u.code, 0, u.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('[embedded] channels add, list, test, remove; deliveries list; bad input refused', () => {
  const refused = tm(['channels', 'add', 'alice', 'webhook', 'http://127.0.0.1:8080/hook']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /loopback, private or link-local address: refused/);
  assert.match(tm(['channels', 'add', 'alice', 'pager', 'x@y.z']).stderr, /kind must be webhook, email or telegram/);
  assert.match(
    tm(['channels', 'add', 'alice', 'email', 'a@b.c', '--events', 'price_alert,nope']).stderr,
    /unknown event type nope/,
  );
  assert.match(
    tm(['channels', 'add', 'alice', 'webhook', 'http://127.0.0.1/h', '--secret', 'whsec_short'], {
      TM_WEBHOOK_ALLOW_PRIVATE: '1',
    }).stderr,
    /whsec_/,
  );

  const hook = tm(['channels', 'add', 'alice', 'webhook', 'http://127.0.0.1:9/hook?token=abc', '--json'], {
    TM_WEBHOOK_ALLOW_PRIVATE: '1',
  });
  assert.equal(hook.code, 0, hook.stderr);
  const secret = JSON.parse(hook.stdout).secret as string;
  assert.match(secret, /^whsec_[A-Za-z0-9+/=]{32}$/);
  const mail = tm(['channels', 'add', 'alice', 'email', 'alice@example.com', '--events', 'price_alert', '--json']);
  assert.equal(mail.code, 0, mail.stderr);
  const mailId = JSON.parse(mail.stdout).id as string;

  const list = tm(['channels', 'list', 'alice']);
  assert.equal(list.code, 0, list.stderr);
  assert.ok(!list.stdout.includes(secret.slice(6)), 'no secret in the listing');
  assert.ok(!list.stdout.includes('token=abc'), 'no URL token in the listing');
  assert.match(list.stdout, /alice@example\.com/);

  const t = tm(['channels', 'test', mailId]);
  assert.equal(t.code, 1);
  assert.match(t.stderr, /email is not configured: set TM_SMTP_URL/);
  const failed = tm(['deliveries', 'list', '--user', 'alice', '--failed', '--json']);
  assert.equal(failed.code, 0, failed.stderr);
  const items = JSON.parse(failed.stdout).items as { event_type: string; status: string }[];
  assert.deepEqual(
    items.map((i) => [i.event_type, i.status]),
    [['test', 'failed']],
  );

  assert.equal(tm(['channels', 'remove', mailId]).code, 0);
  assert.match(tm(['channels', 'remove', mailId]).stderr, /no notification channel/);
  assert.equal(JSON.parse(tm(['channels', 'list', 'alice', '--json']).stdout).length, 1);
});

test('[embedded] a telegram channel: the token is taken with --token and never printed', () => {
  const token = '7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
  assert.match(tm(['channels', 'add', 'alice', 'telegram', '123456789']).stderr, /needs its bot token: --token/);
  assert.match(
    tm(['channels', 'add', 'alice', 'telegram', '123456789', '--secret', token]).stderr,
    /takes its bot token as --token/,
  );
  assert.match(
    tm(['channels', 'add', 'alice', 'email', 'a@b.c', '--token', token]).stderr,
    /--token applies to telegram only/,
  );
  const add = tm(['channels', 'add', 'alice', 'telegram', '123456789', '--token', token, '--events', 'price_alert']);
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stdout, /added telegram channel .* for alice: 123456789 \(price_alert\)/);
  assert.ok(!add.stdout.includes(token.split(':')[1]), 'the token is not echoed');
  const list = tm(['channels', 'list', 'alice']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /telegram\s+123456789\s+7012345678:…/);
  assert.ok(!list.stdout.includes(token.split(':')[1]), 'the token is not listed');
});
