/** Issue 23 item 4: every textual form of a private address is refused, at registration and at connect time. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkWebhookUrl, guardedLookup, isPrivateAddress } from './ssrf.ts';
import { sendWebhook } from './webhook.ts';

// Each maps to loopback, private, link-local or another non-public address.
const REFUSED = [
  'http://[::127.0.0.1]:3970/',
  'http://[64:ff9b::7f00:1]:3970/',
  'http://[64:ff9b::10.0.0.1]/',
  'http://[64:ff9b:1::a00:1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://[::ffff:7f00:1]/',
  'http://[::ffff:0:7f00:1]/',
  'http://[0:0:0:0:0:ffff:169.254.169.254]/',
  'http://[2002:7f00:1::]/',
  'http://[2002:c0a8:101::1]/',
  'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/', // Teredo, client 127.0.0.1 (inverted)
  'http://[2001:0:a00:1::1]/', // Teredo, server 10.0.0.1
  'http://[::1]/',
  'http://[::]/',
  'http://[fe80::1]/',
  'http://[fd00::1]/',
  'http://[fec0::1]/',
  'http://[ff02::1]/',
  'http://[2001:db8::1]/',
  'http://[100::1]/',
  'http://0177.0.0.1/',
  'http://0x7f.1/',
  'http://2130706433/',
  'http://127.1/',
  'http://0/',
  'http://0xa9fea9fe/',
  'http://10.1/',
  'http://192.168.1.1/',
  'http://100.64.0.1/',
  'http://198.51.100.7/',
  'http://255.255.255.255/',
  'http://localhost:3970/',
];

test('webhook registration refuses every form that maps to a non-public address', async () => {
  for (const url of REFUSED) {
    await assert.rejects(checkWebhookUrl(url, false), /loopback, private or link-local/, url);
  }
});

test('public addresses, including public IPv4 inside IPv6 forms, are accepted', async () => {
  for (const url of [
    'http://93.184.215.14/',
    'http://[2606:4700::1111]/',
    'http://[::ffff:93.184.215.14]/',
    'http://[64:ff9b::5db8:d70e]/',
    'http://[2002:5db8:d70e::1]/',
  ]) {
    assert.equal((await checkWebhookUrl(url, false)).protocol, 'http:', url);
  }
  assert.equal(isPrivateAddress('2606:4700::1111'), false);
  assert.equal(isPrivateAddress('fe80::1%eth0'), true, 'a zone id is link-local');
  assert.equal(isPrivateAddress('not an ip'), true);
});

test('at connect time: the lookup hook refuses names resolving to private addresses, and literals are refused before any connection', async () => {
  const refused = await new Promise<Error | null>((resolve) =>
    guardedLookup(false)('localhost', {}, (err) => resolve(err)),
  );
  assert.match(String(refused?.message), /loopback, private or link-local/);
  for (const url of ['http://[::127.0.0.1]:3970/', 'http://[64:ff9b::7f00:1]:3970/', 'http://localhost:3970/']) {
    const r = await sendWebhook({ url, secret: 's', id: 'msg_1', body: '{}', timeoutMs: 2000, allowPrivate: false });
    assert.equal(r.ok, false);
    assert.match(String(r.error), /loopback, private or link-local/, url);
  }
});
