/**
 * The seed's "Create Database and User" on a server, idempotent: the role and database if missing,
 * the extension, the grants. The password never appears in output or logs, nor reaches the server:
 * tm sends a SCRAM-SHA-256 verifier computed here (what PostgreSQL would store anyway), so a
 * statement log records no plaintext.
 */
import { openServer } from './server.ts';
import { describeUrl, withDatabase } from './url.ts';
import { UserError } from '../errors.ts';
import { assertPreloaded } from './preload.ts';
import { scramVerifier } from './scram.ts';

export interface InitOptions {
  adminUrl: string;
  user: string;
  database: string;
  password?: string;
  log?: (line: string) => void;
}

export interface InitResult {
  role_created: boolean;
  password_set: boolean;
  database_created: boolean;
  timescaledb: string | null;
  database_url: string;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/;

export async function initDatabase(opts: InitOptions): Promise<InitResult> {
  const log = opts.log ?? (() => undefined);
  for (const [what, v] of [
    ['--user', opts.user],
    ['--database', opts.database],
  ] as const) {
    if (!IDENT.test(v))
      throw new UserError(`${what} "${v}" is not a valid PostgreSQL name (letters, digits, _ $ -; at most 63)`);
  }
  const admin = await openServer(opts.adminUrl, { max: 1 });
  let roleCreated = false;
  let databaseCreated = false;
  try {
    const role = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [opts.user]);
    if (role.rows.length === 0) {
      if (!opts.password)
        throw new UserError(
          `role ${opts.user} does not exist: give its password with --password-stdin or TM_DB_PASSWORD`,
        );
      await execFormatted(admin, 'CREATE ROLE %I LOGIN PASSWORD %L', [opts.user, scramVerifier(opts.password)]);
      roleCreated = true;
      log(`created role ${opts.user}`);
    } else if (opts.password) {
      await execFormatted(admin, 'ALTER ROLE %I WITH LOGIN PASSWORD %L', [opts.user, scramVerifier(opts.password)]);
      log(`role ${opts.user} exists; password updated`);
    } else {
      log(`role ${opts.user} exists`);
    }
    const db = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [opts.database]);
    if (db.rows.length === 0) {
      await execFormatted(admin, 'CREATE DATABASE %I OWNER %I', [opts.database, opts.user]);
      databaseCreated = true;
      log(`created database ${opts.database} owned by ${opts.user}`);
    } else {
      log(`database ${opts.database} exists`);
    }
    await execFormatted(admin, 'GRANT ALL PRIVILEGES ON DATABASE %I TO %I', [opts.database, opts.user]);
  } finally {
    await admin.close();
  }

  const target = await openServer(withDatabase(opts.adminUrl, opts.database), { max: 1 });
  let timescale: string | null = null;
  try {
    try {
      await assertPreloaded(target, 'server');
      await target.exec('CREATE EXTENSION IF NOT EXISTS timescaledb CASCADE');
    } catch (err) {
      log(
        `warning: TimescaleDB could not be enabled (${(err as Error).message}); candles will be a plain table until it is installed`,
      );
    }
    timescale =
      (await target.query<{ v: string }>("SELECT extversion AS v FROM pg_extension WHERE extname = 'timescaledb'"))
        .rows[0]?.v ?? null;
    if (timescale) log(`TimescaleDB ${timescale} enabled`);
    await execFormatted(target, 'GRANT ALL ON SCHEMA public TO %I', [opts.user]);
    await execFormatted(target, 'GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO %I', [opts.user]);
    await execFormatted(target, 'GRANT ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA public TO %I', [opts.user]);
  } finally {
    await target.close();
  }
  const u = new URL(withDatabase(opts.adminUrl, opts.database));
  u.username = opts.user;
  u.password = opts.password ? 'PASSWORD' : '';
  return {
    role_created: roleCreated,
    password_set: !!opts.password,
    database_created: databaseCreated,
    timescaledb: timescale,
    database_url: describeUrl(u.toString()).replace('****', 'PASSWORD'),
  };
}

async function execFormatted(
  db: {
    query: (t: string, p: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;
    exec: (t: string) => Promise<void>;
  },
  fmt: string,
  args: string[],
): Promise<void> {
  const placeholders = args.map((_, i) => `$${i + 2}::text`).join(', ');
  const r = await db.query(`SELECT format($1, ${placeholders}) AS sql`, [fmt, ...args]);
  await db.exec(r.rows[0].sql as string);
}
