/** Retention of candles: the seed's add/remove_retention_policy, and what the policy would drop now. */
import type { Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { CANDLES, requireHypertable } from './hypertables.ts';
import { parseDuration } from './duration.ts';
import { findPolicy, type PolicyJob } from './jobs.ts';

export const DEFAULT_DROP_AFTER = '1y';

export interface RetentionStatus {
  hypertable: string;
  policy: PolicyJob | null;
  drop_after: string | null;
  /** Chunks entirely older than the horizon: what the next run of the policy drops. */
  chunks_past_horizon: { chunk_name: string; range_start: Date; range_end: Date }[];
  total_chunks: number;
}

export async function addRetentionPolicy(
  q: Queryable,
  dropAfter = DEFAULT_DROP_AFTER,
  table = CANDLES,
): Promise<{ job_id: number; created: boolean }> {
  const interval = parseDuration(dropAfter, '--drop-after');
  await requireHypertable(q, table);
  const existing = await findPolicy(q, 'policy_retention', table);
  if (existing) {
    const same = await q.query<{ same: boolean }>('SELECT $1::interval = $2::interval AS same', [
      String(existing.config.drop_after),
      interval,
    ]);
    if (same.rows[0].same) return { job_id: existing.job_id, created: false };
    throw new UserError(
      `${table} already has a retention policy (job ${existing.job_id}, drop after ${String(existing.config.drop_after)}). Fix: tm retention remove, then add it again`,
      409,
    );
  }
  const r = await q.query<{ id: number }>(
    `SELECT add_retention_policy(format('public.%I', $1::text)::regclass, $2::interval) AS id`,
    [table, interval],
  );
  return { job_id: r.rows[0].id, created: true };
}

export async function removeRetentionPolicy(
  q: Queryable,
  table = CANDLES,
): Promise<{ removed: boolean; job_id: number | null }> {
  await requireHypertable(q, table);
  const existing = await findPolicy(q, 'policy_retention', table);
  if (!existing) return { removed: false, job_id: null };
  await q.query(`SELECT remove_retention_policy(format('public.%I', $1::text)::regclass, if_exists => true)`, [table]);
  return { removed: true, job_id: existing.job_id };
}

export async function retentionStatus(q: Queryable, table = CANDLES): Promise<RetentionStatus> {
  await requireHypertable(q, table);
  const policy = await findPolicy(q, 'policy_retention', table);
  const dropAfter = policy?.config.drop_after !== undefined ? String(policy.config.drop_after) : null;
  const total = await q.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_schema = 'public' AND hypertable_name = $1",
    [table],
  );
  let past: RetentionStatus['chunks_past_horizon'] = [];
  if (dropAfter) {
    // show_chunks(older_than) is what drop_chunks (the policy) acts on.
    const r = await q.query<RetentionStatus['chunks_past_horizon'][number]>(
      `SELECT c.chunk_name, c.range_start, c.range_end
         FROM show_chunks(format('public.%I', $1::text)::regclass, older_than => $2::interval) s(oid)
         JOIN timescaledb_information.chunks c ON format('%I.%I', c.chunk_schema, c.chunk_name)::regclass = s.oid
        ORDER BY c.range_start`,
      [table, dropAfter],
    );
    past = r.rows;
  }
  return { hypertable: table, policy, drop_after: dropAfter, chunks_past_horizon: past, total_chunks: total.rows[0].n };
}
