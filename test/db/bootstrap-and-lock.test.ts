import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initDatabase } from '../../src/db/bootstrap.ts';
import { scramVerifier, scramVerifies } from '../../src/db/scram.ts';
import { openEmbedded } from '../../src/db/pglite.ts';
import { openServer } from '../../src/db/server.ts';
import { withDatabase } from '../../src/db/url.ts';
import { plainServerSkip, serverSkip } from '../helpers/db.ts';

for (const [tag, skip, url] of [
  ['server', serverSkip, process.env.TM_TEST_PG_URL],
  ['server-plain', plainServerSkip, process.env.TM_TEST_PG_PLAIN_URL],
] as const) {
  test(`db init creates role and database once, grants, and is idempotent [${tag}]`, { skip }, async () => {
    await initTwice(url!, tag === 'server' ? (process.env.TM_TEST_PG_TIMESCALE ?? null) : null);
  });
}

async function initTwice(adminUrl: string, timescale: string | null): Promise<void> {
  const name = `tm_init_${process.pid}`;
  const logs: string[] = [];
  const first = await initDatabase({
    adminUrl,
    user: `${name}_user`,
    database: name,
    password: "it's secret",
    log: (l) => logs.push(l),
  });
  assert.equal(first.role_created, true);
  assert.equal(first.database_created, true);
  assert.equal(first.timescaledb, timescale);
  assert.equal(
    logs.some((l) => /TimescaleDB could not be enabled/.test(l)),
    !timescale,
  );
  assert.ok(
    !JSON.stringify(first).includes('secret') && !logs.join().includes('secret'),
    'the password is never echoed',
  );
  const second = await initDatabase({ adminUrl, user: `${name}_user`, database: name });
  assert.equal(second.role_created, false);
  assert.equal(second.database_created, false);
  const admin = await openServer(adminUrl, { max: 1 });
  try {
    const owner = await admin.query<{ owner: string }>(
      'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
      [name],
    );
    assert.equal(owner.rows[0].owner, `${name}_user`);
    // The server got a SCRAM verifier, not the plaintext; it belongs to the password.
    const pw = await admin.query<{ p: string }>('SELECT rolpassword AS p FROM pg_authid WHERE rolname = $1', [
      `${name}_user`,
    ]);
    assert.match(pw.rows[0].p, /^SCRAM-SHA-256\$4096:/);
    assert.ok(scramVerifies(pw.rows[0].p, "it's secret"));
    assert.ok(!scramVerifies(pw.rows[0].p, 'its secret'));
    const db = await openServer(withDatabase(adminUrl, name), { max: 1 });
    const priv = await db.query<{ ok: boolean }>("SELECT has_schema_privilege($1, 'public', 'CREATE') AS ok", [
      `${name}_user`,
    ]);
    await db.close();
    assert.equal(priv.rows[0].ok, true);
    await admin.exec(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.exec(`DROP ROLE ${name}_user`);
  } finally {
    await admin.close();
  }
  await assert.rejects(initDatabase({ adminUrl, user: 'bad name;', database: 'x' }), /not a valid PostgreSQL name/);
}

test('an embedded data dir opens in one process at a time', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-lock-'));
  try {
    const first = await openEmbedded({ dataDir: path.join(dir, 'data') });
    await assert.rejects(
      openEmbedded({ dataDir: path.join(dir, 'data') }),
      new RegExp(`in use by tm process ${process.pid} \\(`),
    );
    await first.close();
    const again = await openEmbedded({ dataDir: path.join(dir, 'data') });
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the client-side SCRAM verifier equals the one the server computes for the same salt', {
  skip: serverSkip,
}, async () => {
  const admin = await openServer(process.env.TM_TEST_PG_URL!, { max: 1 });
  const role = `tm_scram_${process.pid}`;
  try {
    for (const password of ["it's secret", 'pässwört Ω', '']) {
      if (!password) continue; // PostgreSQL refuses empty passwords
      await admin.exec("SET password_encryption = 'scram-sha-256'");
      const r = await admin.query<{ sql: string }>('SELECT format($1, $2::text, $3::text) AS sql', [
        'CREATE ROLE %I PASSWORD %L',
        role,
        password,
      ]);
      await admin.exec(r.rows[0].sql);
      const stored = (
        await admin.query<{ p: string }>('SELECT rolpassword AS p FROM pg_authid WHERE rolname = $1', [role])
      ).rows[0].p;
      await admin.exec(`DROP ROLE ${role}`);
      const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(stored);
      assert.ok(m, stored);
      assert.equal(scramVerifier(password, Buffer.from(m[2], 'base64'), Number(m[1])), stored, password);
      assert.ok(scramVerifies(stored, password));
    }
  } finally {
    await admin.exec(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await admin.close();
  }
});
