/**
 * Loading TimescaleDB into an embedded session (no PGlite import here: the migrator uses it without
 * pulling in the driver). Without it, reads skip compressed chunks and inserts into hypertables fail.
 */
/**
 * Loads TimescaleDB into the embedded session when the database has the extension: at open, and
 * after a migration that may just have created it (so the open instance uses it at once).
 */
export async function activateTimescale(pg: {
  query(sql: string): Promise<{ rows: unknown[] }>;
  exec(sql: string): Promise<unknown>;
}): Promise<void> {
  const ext = await pg.query("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'");
  if (ext.rows.length === 0) return;
  await pg.exec("LOAD 'timescaledb'");
  const check = await pg.query("SELECT 1 FROM pg_settings WHERE name LIKE 'timescaledb.%' LIMIT 1");
  if (check.rows.length === 0) throw new Error('TimescaleDB did not load in the embedded database');
}
