/**
 * Commands that use the schema need it current. The embedded database is ours to manage, so it is
 * migrated on the spot; a server's schema belongs to its operator, so tm refuses with the fix.
 */
import { UserError } from '../../errors.ts';
import type { Database } from '../types.ts';
import { Migrator } from './migrator.ts';

export async function ensureSchemaCurrent(db: Database, log: (line: string) => void): Promise<void> {
  const migrator = new Migrator(db, undefined, { log });
  const s = await migrator.status();
  if (s.unknown.length) {
    throw new UserError(
      `the database is at revision ${s.unknown.at(-1)}, newer than this version of tm knows; upgrade tm`,
    );
  }
  if (s.pending.length === 0) return;
  if (db.backend === 'embedded') {
    await migrator.upgrade('head');
    return;
  }
  throw new UserError(
    `the database schema is at ${s.current ?? 'base'}, ${s.pending.length} migration(s) behind (${s.pending.map((p) => p.revision).join(', ')}); run: tm migrate upgrade head`,
  );
}
