/**
 * Stored indicators, computed incrementally: per (asset, timeframe, indicator name) only bars after
 * the last computed one, reading just the warm-up history the indicator needs; when candles at or
 * before that point were written since (a re-import that changed them), from the earliest of those.
 */
import type { Database } from '../db/types.ts';
import { UserError } from '../errors.ts';
import type { CandleColumns } from '../market/candles-repository.ts';
import type { Interval } from '../intervals.ts';
import { getIndicator, INDICATOR_TYPES, type IndicatorType } from './indicators/registry.ts';
import { deleteIndicatorsFrom, upsertIndicators, type IndicatorRow } from './indicators-repository.ts';
import { runSeries } from './series-runner.ts';

export interface IndicatorSpec {
  type: IndicatorType;
  params: Record<string, number>;
  name: string;
}

/** Validates types and parameters once, with errors that name the problem. */
export function indicatorSpecs(types: readonly string[], params?: unknown): IndicatorSpec[] {
  if (types.length === 0) throw new UserError(`give at least one indicator type (${INDICATOR_TYPES.join(', ')})`);
  if (params !== undefined && params !== null && (typeof params !== 'object' || Array.isArray(params)))
    throw new UserError('params must be a JSON object');
  const p = (params ?? undefined) as Record<string, unknown> | undefined;
  // {"rsi": {...}, "macd": {...}} for several types; {"period": 21} for a single one. Parameters that
  // would apply to nothing are an error, never silently dropped.
  const perType = !!p && Object.keys(p).some((k) => (INDICATOR_TYPES as readonly string[]).includes(k));
  if (p && perType) {
    const stray = Object.keys(p).filter((k) => !types.includes(k));
    if (stray.length)
      throw new UserError(
        `params: ${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} not among the types computed (${types.join(', ')})`,
      );
  } else if (p && Object.keys(p).length && types.length !== 1) {
    throw new UserError(
      `params: with several types give them per type, e.g. {"rsi": {"period": 21}} (got keys ${Object.keys(p).join(', ')})`,
    );
  }
  const byType = (t: string): unknown => (p === undefined ? undefined : perType ? p[t] : p);
  return types.map((t) => {
    if (!(INDICATOR_TYPES as readonly string[]).includes(t)) {
      throw new UserError(`unknown indicator type "${t}" (valid: ${INDICATOR_TYPES.join(', ')})`);
    }
    const d = getIndicator(t as IndicatorType);
    try {
      const p = d.parseParams(byType(t)) as Record<string, number>;
      return { type: t as IndicatorType, params: p, name: d.name(p as never) };
    } catch (err) {
      throw new UserError((err as Error).message);
    }
  });
}

export interface ComputeResult {
  asset_id: string;
  name: string;
  written: number;
  /** First and last bar (re)computed, null when nothing was new. */
  from: Date | null;
  to: Date | null;
  recomputed: boolean;
}

export async function computeIndicatorSeries(
  db: Database,
  assetId: string,
  timeframe: Interval,
  spec: IndicatorSpec,
): Promise<ComputeResult> {
  const d = getIndicator(spec.type);
  const run = await runSeries(db, {
    key: { assetId, timeframe, kind: 'indicator', name: spec.name },
    warmup: d.warmup(spec.params as never),
    compute: (cols) =>
      indicatorRows(cols, cols.ts.length ? d.compute(cols, spec.params as never) : [], assetId, timeframe, spec),
    write: async (tx, rows, replaceFrom) => {
      if (replaceFrom) await deleteIndicatorsFrom(tx, assetId, timeframe, spec.name, replaceFrom);
      return upsertIndicators(tx, rows);
    },
  });
  return {
    asset_id: assetId,
    name: spec.name,
    written: run.written,
    from: run.from,
    to: run.to,
    recomputed: run.recomputed,
  };
}

/** One row per new bar (cols.start on) where every output is defined (ADX's +DI/-DI start before ADX itself). */
function indicatorRows(
  cols: CandleColumns,
  outs: readonly ArrayLike<number>[],
  assetId: string,
  timeframe: Interval,
  spec: IndicatorSpec,
): IndicatorRow[] {
  const rows: IndicatorRow[] = [];
  for (let i = cols.start; i < cols.ts.length; i++) {
    const v = outs.map((o) => o[i]);
    if (v.some((x) => Number.isNaN(x))) continue;
    rows.push({
      asset_id: assetId,
      ts: new Date(cols.ts[i]),
      indicator_type: spec.type,
      name: spec.name,
      value: v[0] ?? null,
      value2: v[1] ?? null,
      value3: v[2] ?? null,
      parameters: spec.params,
      timeframe,
    });
  }
  return rows;
}

export async function computeIndicators(
  db: Database,
  assetIds: readonly string[],
  timeframe: Interval,
  specs: readonly IndicatorSpec[],
): Promise<ComputeResult[]> {
  const out: ComputeResult[] = [];
  for (const a of assetIds) for (const s of specs) out.push(await computeIndicatorSeries(db, a, timeframe, s));
  return out;
}
