/**
 * Row counts and an order-independent checksum per table, computed in SQL so that millions of rows
 * never cross into JavaScript. The checksum sums 60-bit slices of each row's md5, so the same rows
 * give the same figure whatever their physical order (a restore reorders rows freely).
 */
import type { Queryable } from '../types.ts';

/** Tables that bookkeeping fills on every migrated database; they do not make it "non-empty". */
export const BOOKKEEPING = new Set(['schema_migrations', 'app_meta']);

export interface TableStat {
  table: string;
  rows: number;
  checksum: string;
}

export async function listTables(q: Queryable): Promise<string[]> {
  const r = await q.query<{ t: string }>(
    "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
  );
  return r.rows.map((x) => x.t);
}

export async function tableStats(q: Queryable, tables?: string[]): Promise<TableStat[]> {
  const names = tables ?? (await listTables(q));
  const out: TableStat[] = [];
  for (const table of names) {
    const ident = `"${table.replace(/"/g, '""')}"`;
    const r = await q.query<{ n: number; sum: string | number | null }>(
      `SELECT count(*)::int8 AS n,
              coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::int8::numeric), 0)::text AS sum
       FROM public.${ident} t`,
    );
    out.push({ table, rows: Number(r.rows[0].n), checksum: String(r.rows[0].sum) });
  }
  return out;
}

/** Differences between two sets of stats, as sentences; empty when they agree. */
export function compareStats(expected: TableStat[], actual: TableStat[]): string[] {
  const problems: string[] = [];
  const got = new Map(actual.map((s) => [s.table, s]));
  for (const e of expected) {
    const a = got.get(e.table);
    if (!a) problems.push(`table ${e.table} is missing`);
    else if (a.rows !== e.rows) problems.push(`table ${e.table}: ${a.rows} rows, expected ${e.rows}`);
    else if (a.checksum !== e.checksum) problems.push(`table ${e.table}: checksum differs (same row count ${a.rows})`);
  }
  return problems;
}
