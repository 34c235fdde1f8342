/**
 * Indicators straight from a candle CSV, without a database (`tm indicators calc`): the rows the
 * importer would accept, for one symbol, in time order; one output row per input bar.
 */
import { UserError } from '../errors.ts';
import type { Interval } from '../intervals.ts';
import { validateCandle, type RawCandle } from '../market/import/validate.ts';
import { getIndicator } from './indicators/registry.ts';
import type { IndicatorSpec } from './compute-indicators.ts';

export interface CalcRow {
  ts: string;
  value: number | null;
  value2?: number | null;
  value3?: number | null;
}

export async function calcFromRows(
  rows: AsyncIterable<RawCandle>,
  interval: Interval,
  spec: IndicatorSpec,
): Promise<{ outputs: readonly string[]; rows: CalcRow[] }> {
  const bars: { ts: number; o: number; h: number; l: number; c: number; v: number }[] = [];
  const symbols = new Set<string>();
  const errors: string[] = [];
  for await (const raw of rows) {
    // Rows without a symbol column take a placeholder that passes the symbol rules (a "-" would not).
    const v = validateCandle(raw, interval, 'CSV');
    if (!v.ok) {
      if (errors.length < 20) errors.push(`line ${v.error.line}: ${v.error.message}`);
      continue;
    }
    symbols.add(v.candle.symbol);
    bars.push({
      ts: v.candle.ts,
      o: v.candle.open,
      h: v.candle.high,
      l: v.candle.low,
      c: v.candle.close,
      v: v.candle.volume,
    });
  }
  if (errors.length) throw new UserError(`the CSV has invalid rows: ${errors.join('; ')}`);
  if (symbols.size > 1)
    throw new UserError(
      `calc works on one symbol; the file has ${[...symbols].slice(0, 10).join(', ')}${symbols.size > 10 ? ', …' : ''}`,
    );
  bars.sort((a, b) => a.ts - b.ts);
  for (let i = 1; i < bars.length; i++) {
    if (bars[i].ts === bars[i - 1].ts) throw new UserError(`two rows for ${new Date(bars[i].ts).toISOString()}`);
  }
  const col = (f: (b: (typeof bars)[number]) => number) => Float64Array.from(bars, f);
  const d = getIndicator(spec.type);
  const outs = d.compute(
    {
      open: col((b) => b.o),
      high: col((b) => b.h),
      low: col((b) => b.l),
      close: col((b) => b.c),
      volume: col((b) => b.v),
    },
    spec.params as never,
  );
  const val = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? null : x);
  return {
    outputs: d.outputs,
    rows: bars.map((b, i) => {
      const row: CalcRow = { ts: new Date(b.ts).toISOString(), value: val(outs[0][i]) };
      if (outs[1]) row.value2 = val(outs[1][i]);
      if (outs[2]) row.value3 = val(outs[2][i]);
      return row;
    }),
  };
}
