/** A comparable snapshot of the public schema: tables, columns, constraints, indexes, enums, triggers. */
import type { Queryable } from '../../src/db/types.ts';

export interface CatalogSnapshot {
  columns: Record<string, unknown>[];
  constraints: Record<string, unknown>[];
  indexes: Record<string, unknown>[];
  enums: Record<string, unknown>[];
  triggers: Record<string, unknown>[];
}

export async function catalogSnapshot(q: Queryable): Promise<CatalogSnapshot> {
  const columns = await q.query(`
    SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default, ordinal_position
    FROM information_schema.columns WHERE table_schema = 'public'
    ORDER BY table_name, ordinal_position`);
  const constraints = await q.query(`
    SELECT c.conrelid::regclass::text AS table_name, c.conname, c.contype, pg_get_constraintdef(c.oid) AS def
    FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
    WHERE n.nspname = 'public' ORDER BY 1, 2`);
  const indexes = await q.query(`
    SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2`);
  const enums = await q.query(`
    SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text AS labels
    FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = 'public' GROUP BY t.typname ORDER BY 1`);
  const triggers = await q.query(`
    SELECT event_object_table, trigger_name, action_timing, event_manipulation,
           -- a continuous aggregate's invalidation trigger names the hypertable's id, new after a re-create
           regexp_replace(action_statement, 'continuous_agg_invalidation_trigger[(]''[0-9]+''[)]',
                          'continuous_agg_invalidation_trigger(<hypertable id>)') AS action_statement
    FROM information_schema.triggers WHERE trigger_schema = 'public' ORDER BY 1, 2, 4`);
  return {
    columns: columns.rows as Record<string, unknown>[],
    constraints: constraints.rows as Record<string, unknown>[],
    indexes: indexes.rows as Record<string, unknown>[],
    enums: enums.rows as Record<string, unknown>[],
    triggers: triggers.rows as Record<string, unknown>[],
  };
}
