/**
 * The candle ingest service both the CLI and the API call: the validated import, then the price
 * alerts of the assets it wrote (once per import, over every new candle, so a spike that crosses a
 * threshold and comes back within one file still fires), then their condition alerts (over the bars
 * that have closed since each rule last looked).
 */
import { evaluateAlerts } from '../accounts/alerts.ts';
import { evaluateConditionAlerts } from '../alerts/condition-alerts.ts';
import { retryTransient } from '../db/retry.ts';
import type { Database } from '../db/types.ts';
import type { RawCandle } from '../market/import/validate.ts';
import { importCandles, type ImportOptions, type ImportSummary } from '../market/import/importer.ts';

export interface IngestSummary extends ImportSummary {
  alerts_fired: number;
  condition_alerts_fired: number;
}

export async function ingestCandles(
  db: Database,
  rows: AsyncIterable<RawCandle>,
  opts: ImportOptions,
): Promise<IngestSummary> {
  const summary = await importCandles(db, rows, opts);
  const assets = summary.written.map((w) => w.asset_id);
  // Idempotent (the alert states guard against firing twice): safe to run again after a deadlock.
  const events = assets.length ? await retryTransient(() => evaluateAlerts(db, assets)) : [];
  // Idempotent too: each rule records the last bar it saw with its firings.
  const fired = assets.length ? await retryTransient(() => evaluateConditionAlerts(db, { assetIds: assets })) : [];
  return { ...summary, alerts_fired: events.length, condition_alerts_fired: fired.length };
}
