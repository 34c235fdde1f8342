/** Migrations on both backends: round trip, stamp, history, offline SQL, concurrency, failures. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { forEachBackend } from '../helpers/backends.ts';
import { catalogSnapshot } from '../helpers/catalog.ts';
import { plainServerSkip, serverDb, serverSkip } from '../helpers/db.ts';
import { openServer } from '../../src/db/server.ts';
import { loadMigrations, createRevisionFile, MIGRATIONS_DIR } from '../../src/db/migrate/files.ts';
import { Migrator, MigrationError } from '../../src/db/migrate/migrator.ts';
import { splitSql } from '../../src/db/migrate/split-sql.ts';
import type { Database } from '../../src/db/types.ts';

/** A migrations dir with the real ones plus extra files, for failure and multi-step tests. */
function migrationsWith(extra: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-mig-'));
  for (const f of readdirSync(MIGRATIONS_DIR)) cpSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
  for (const [name, body] of Object.entries(extra)) writeFileSync(path.join(dir, name), body);
  return dir;
}

/** The real migrations: fixture revisions are numbered after their head, so new migrations do not break these tests. */
const REAL = loadMigrations(MIGRATIONS_DIR).map((m) => m.revision);
const HEAD = REAL[REAL.length - 1];
const NEXT = String(Number(HEAD) + 1).padStart(4, '0');

const SECOND = `-- Message: add notes table
-- migrate:up
CREATE TABLE notes (id bigserial PRIMARY KEY, body text NOT NULL);
CREATE INDEX notes_body_idx ON notes (body);
-- migrate:down
DROP TABLE notes;
`;

const FAILING = `-- Message: breaks in the middle
-- migrate:up
CREATE TABLE half_done (id int);

INSERT INTO no_such_table VALUES (1);
-- migrate:down
DROP TABLE half_done;
`;

forEachBackend('migrations', (open) => {
  let db: Database;
  const dirs: string[] = [];
  before(async () => {
    db = await open({ migrated: false });
  });
  after(async () => {
    await db.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('offline SQL equals the statements an upgrade runs', async () => {
    const ran: string[] = [];
    const m = new Migrator(db, undefined, { onStatement: (s) => ran.push(s) });
    const offline = splitSql(new Migrator(null).offlineSql('up', 'head'))
      .map((s) => s.sql)
      .filter((s) => s !== 'BEGIN' && s !== 'COMMIT');
    await m.upgrade('head');
    assert.deepEqual(ran, offline);
    assert.equal((await m.status()).current, HEAD);
  });

  test('upgrade head, downgrade base, upgrade head leaves an identical catalog', async () => {
    const m = new Migrator(db);
    const before = await catalogSnapshot(db);
    assert.ok(before.columns.length > 50);
    const down = await m.downgrade('base');
    assert.deepEqual(
      down.map((s) => [s.direction, s.migration.revision]),
      loadMigrations()
        .map((m) => ['down', m.revision])
        .reverse(),
    );
    const empty = await catalogSnapshot(db);
    assert.deepEqual(
      empty.columns.map((c) => c.table_name),
      Array(empty.columns.length).fill('schema_migrations'),
    );
    assert.equal((await m.status()).current, null);
    await m.upgrade('head');
    assert.deepEqual(await catalogSnapshot(db), before);
  });

  test('relative targets, history of several revisions, and downgrade -1', async () => {
    const dir = migrationsWith({ '9001_add_notes.sql': SECOND });
    dirs.push(dir);
    const m = new Migrator(db, loadMigrations(dir));
    assert.equal(m.head, '9001');
    const status = await m.status();
    assert.deepEqual(
      status.pending.map((p) => p.revision),
      ['9001'],
    );
    await assert.rejects(m.upgrade('+2'), /only 1 revision\(s\) pending/);
    assert.deepEqual(
      (await m.upgrade('+1')).map((s) => s.migration.revision),
      ['9001'],
    );
    assert.equal((await m.status()).current, '9001');
    await db.query("INSERT INTO notes (body) VALUES ('x')");
    assert.deepEqual(
      (await m.downgrade('-1')).map((s) => s.migration.revision),
      ['9001'],
    );
    assert.equal((await m.status()).current, HEAD);
    assert.equal((await db.query("SELECT to_regclass('notes') AS t")).rows[0].t, null);
    await assert.rejects(m.downgrade('9001'), /above the current one/);
    await assert.rejects(m.upgrade('nope'), /unknown revision "nope"/);
  });

  test('stamp records a revision without running anything', async () => {
    const m = new Migrator(db);
    await m.stamp('base');
    assert.equal((await m.status()).current, null);
    // The tables are still there: stamp does not run migrations.
    assert.ok((await db.query("SELECT to_regclass('candles') AS t")).rows[0].t);
    await m.stamp('head');
    const s = await m.status();
    assert.equal(s.current, HEAD);
    assert.deepEqual(s.pending, []);
    assert.deepEqual(s.changed, []);
  });

  test('a failing migration names the statement and leaves the previous revision', async () => {
    const dir = migrationsWith({ '9001_breaks.sql': FAILING });
    dirs.push(dir);
    const m = new Migrator(db, loadMigrations(dir));
    const err = await m.upgrade('head').then(
      () => assert.fail('the upgrade should fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof MigrationError);
    assert.equal(err.revision, '9001');
    assert.match(err.message, /statement 2 of 2 \(9001_breaks\.sql line 5: INSERT INTO no_such_table VALUES \(1\)\)/);
    assert.match(err.message, /no_such_table/);
    assert.equal((await m.status()).current, HEAD);
    assert.equal((await db.query("SELECT to_regclass('half_done') AS t")).rows[0].t, null, 'statement 1 rolled back');
  });

  test('a failing no-transaction migration says which statements stayed applied', async () => {
    const dir = migrationsWith({
      '9001_breaks.sql': FAILING.replace('-- migrate:up', '-- migrate:up\n-- migrate:no-transaction').replace(
        /half_done/g,
        'half_kept',
      ),
    });
    dirs.push(dir);
    const m = new Migrator(db, loadMigrations(dir));
    await assert.rejects(m.upgrade('head'), (e: unknown) => {
      assert.ok(e instanceof MigrationError);
      assert.doesNotMatch(e.message, /Nothing of this revision was applied/);
      assert.match(
        e.message,
        /without a transaction.*statements 1 to 1 were applied and stay; the revision is not recorded/,
      );
      return true;
    });
    assert.equal((await m.status()).current, HEAD);
    assert.equal(
      (await db.query<{ t: string | null }>("SELECT to_regclass('half_kept')::text AS t")).rows[0].t,
      'half_kept',
    );
    await db.exec('DROP TABLE half_kept');
  });

  test('an applied migration edited afterwards is reported', async () => {
    const dir = migrationsWith({});
    dirs.push(dir);
    const file = path.join(dir, '0001_initial_schema.sql');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n-- edited\n`);
    const s = await new Migrator(db, loadMigrations(dir)).status();
    assert.deepEqual(s.changed, ['0001']);
  });

  test('a revision missing below the current one is reported, not skipped', async () => {
    const dir = migrationsWith({ '9001_add_notes.sql': SECOND, '9002_more.sql': SECOND.replace(/notes/g, 'notes3') });
    dirs.push(dir);
    const all = loadMigrations(dir);
    // Applied up to head and 9002 (as if 9001 arrived later from another branch).
    await new Migrator(
      db,
      all.filter((m) => m.revision !== '9001'),
    ).upgrade('head');
    await assert.rejects(
      new Migrator(db, all).upgrade('head'),
      /revision\(s\) 9001 were never applied although 9002 is/,
    );
    await new Migrator(
      db,
      all.filter((m) => m.revision !== '9001'),
    ).downgrade(HEAD);
  });

  test('two upgrades at once: one applies, the other finds nothing to do', async () => {
    const dir = migrationsWith({ '9001_add_notes.sql': SECOND });
    dirs.push(dir);
    const migrations = loadMigrations(dir);
    const results = await Promise.all([
      new Migrator(db, migrations).upgrade('head'),
      new Migrator(db, migrations).upgrade('head'),
    ]);
    assert.deepEqual(results.map((r) => r.length).sort(), [0, 1]);
    assert.equal((await new Migrator(db, migrations).status()).current, '9001');
    await new Migrator(db, migrations).downgrade(HEAD);
  });
});

test('two upgrades from separate connections on a server: the advisory lock lets one apply', {
  skip: serverSkip,
}, async () => {
  const a = await serverDb({ migrated: false });
  const b = await openServer(a.url, { max: 2 });
  try {
    const logs: string[] = [];
    const results = await Promise.all([
      new Migrator(a, undefined, { log: (l) => logs.push(l) }).upgrade('head'),
      new Migrator(b, undefined, { log: (l) => logs.push(l) }).upgrade('head'),
    ]);
    assert.deepEqual(results.map((r) => r.length).sort(), [0, loadMigrations().length]);
    const rows = await a.query<{ revision: string }>('SELECT revision FROM schema_migrations ORDER BY revision');
    assert.deepEqual(
      rows.rows.map((r) => r.revision),
      loadMigrations().map((m) => m.revision),
    );
  } finally {
    await b.close();
    await a.close();
  }
});

test('the plain-PostgreSQL upgrade warns that TimescaleDB is missing and still completes [server-plain]', {
  skip: plainServerSkip,
}, async () => {
  const db = await serverDb({ migrated: false, plain: true });
  try {
    const logs: string[] = [];
    await new Migrator(db, undefined, { log: (l) => logs.push(l) }).upgrade('head');
    assert.ok(
      logs.some((l) => /warning: TimescaleDB is not available on this server/.test(l)),
      logs.join('\n'),
    );
    assert.ok(
      logs.some((l) => /candles is a plain table/.test(l)),
      logs.join('\n'),
    );
  } finally {
    await db.close();
  }
});

test('offline downgrade SQL and FROM:TO ranges', () => {
  const m = new Migrator(null);
  const sql = m.offlineSql('down', 'base');
  assert.match(sql, /downgrade head -> base/);
  assert.match(sql, /DROP TABLE IF EXISTS candles;/);
  assert.match(sql, /DELETE FROM public.schema_migrations WHERE revision = '0001';/);
  assert.match(sql, new RegExp(`DELETE FROM public.schema_migrations WHERE revision = '${HEAD}';`));
  assert.match(m.offlineSql('up', 'base:0001'), /INSERT INTO public.schema_migrations/);
  assert.match(m.offlineSql('up', `${HEAD}:head`), /-- nothing to do/);
});

test('revision creates the next numbered file with up and down sections', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-rev-'));
  try {
    const first = createRevisionFile('Create things!', dir, new Date('2026-01-02T00:00:00Z'));
    assert.equal(path.basename(first), '0001_create_things.sql');
    const second = createRevisionFile('add price alerts', dir);
    assert.equal(path.basename(second), '0002_add_price_alerts.sql');
    const loaded = loadMigrations(dir);
    assert.deepEqual(
      loaded.map((m) => [m.revision, m.message]),
      [
        ['0001', 'Create things!'],
        ['0002', 'add price alerts'],
      ],
    );
    assert.deepEqual(loaded[0].up, []);
    assert.throws(() => createRevisionFile('  ', dir), /needs a message/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ensureSchemaCurrent: a server behind head is refused with the command to run', { skip: serverSkip }, async () => {
  const { ensureSchemaCurrent } = await import('../../src/db/migrate/ensure.ts');
  const db = await serverDb({ migrated: false });
  try {
    await assert.rejects(
      ensureSchemaCurrent(db, () => undefined),
      /the database schema is at base, \d+ migration\(s\) behind .*run: tm migrate upgrade head/,
    );
    await new Migrator(db).upgrade('head');
    await ensureSchemaCurrent(db, () => undefined);
  } finally {
    await db.close();
  }
});

test('a role with a schema of its own name ("$user" on search_path) migrates into public and reads its revision', {
  skip: serverSkip,
}, async () => {
  const db = await serverDb({ migrated: false });
  const role = `r_${db.name}`;
  try {
    await db.exec(
      `CREATE ROLE ${role} LOGIN; ALTER DATABASE ${db.name} OWNER TO ${role}; CREATE SCHEMA ${role} AUTHORIZATION ${role}`,
    );
    const u = new URL(db.url);
    u.username = role;
    u.password = '';
    const asRole = await openServer(u.toString(), { max: 2 });
    try {
      const path = await asRole.query<{ p: string }>('SELECT current_schemas(false)::text AS p');
      assert.match(path.rows[0].p, new RegExp(role), 'the role schema is on the search path');
      const m = new Migrator(asRole);
      await m.upgrade('head');
      assert.equal((await m.status()).current, HEAD);
      const own = await asRole.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1',
        [role],
      );
      assert.equal(own.rows[0].n, 0, 'nothing landed in the role schema');
      const t = await asRole.query<{ a: string | null; b: string | null }>(
        "SELECT to_regclass('public.schema_migrations')::text AS a, to_regclass('public.candles')::text AS b",
      );
      assert.ok(t.rows[0].a && t.rows[0].b);
      assert.equal((await new Migrator(asRole).upgrade('head')).length, 0, 'a second upgrade finds head');
    } finally {
      await asRole.close();
    }
  } finally {
    await db.close();
    const admin = await openServer(process.env.TM_TEST_PG_URL!, { max: 1 });
    await admin.exec(`DROP ROLE IF EXISTS ${role}`).finally(() => admin.close());
  }
});
