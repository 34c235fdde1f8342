/** What `/health`, `tm db info` and `tm doctor` say about the database. */
import type { Database, Queryable } from './types.ts';
import { Migrator } from './migrate/migrator.ts';

export interface DatabaseInfo {
  backend: Database['backend'];
  target: string;
  postgres_version: string;
  timescaledb_version: string | null;
  /** The TimescaleDB version the server could install, when it is not installed in this database. */
  timescaledb_available: string | null;
  schema_revision: string | null;
  schema_head: string | null;
  migrations_pending: boolean;
  pending_revisions: string[];
}

export async function timescaleVersion(q: Queryable): Promise<string | null> {
  const r = await q.query<{ v: string }>("SELECT extversion AS v FROM pg_extension WHERE extname = 'timescaledb'");
  return r.rows[0]?.v ?? null;
}

/** `q`: where the queries go (default the database; /health passes its dedicated connection). */
export async function databaseInfo(
  db: Database,
  migrator = new Migrator(db),
  q: Queryable = db,
): Promise<DatabaseInfo> {
  const [version, ts, avail, status] = await Promise.all([
    q.query<{ v: string }>("SELECT current_setting('server_version') AS v"),
    timescaleVersion(q),
    q.query<{ v: string | null }>(
      "SELECT default_version AS v FROM pg_available_extensions WHERE name = 'timescaledb'",
    ),
    migrator.status(q),
  ]);
  return {
    backend: db.backend,
    target: db.target,
    postgres_version: version.rows[0].v,
    timescaledb_version: ts,
    timescaledb_available: avail.rows[0]?.v ?? null,
    schema_revision: status.current,
    schema_head: status.head,
    migrations_pending: status.pending.length > 0,
    pending_revisions: status.pending.map((m) => m.revision),
  };
}
