/** A sweep of the saved strategy over the previewed bars: a heat map of two parameters, or walk-forward windows. */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { useSubmit } from '../hooks.ts';
import { ErrorBox, Field, Loading, Table } from '../ui.tsx';
import { HeatMap } from './HeatMap.tsx';
import { METRICS, type Metric, type SweepReport } from './types.ts';

const fmt = (v: number | null) => (v === null ? '–' : v.toFixed(2));

/** A starting grid from the strategy's first two parameters: around each default. */
export function defaultGrid(params: Record<string, number>): string {
  return Object.entries(params)
    .slice(0, 2)
    .map(([k, v]) => {
      const step = Math.max(1, Math.round(v / 4));
      return `${k}=${Math.max(step, v - 2 * step)}..${v + 2 * step}:${step}`;
    })
    .join(',');
}

export function SweepPanel(props: {
  strategy: string | null;
  params: Record<string, number>;
  symbol: string;
  interval: string;
  range: { from: number; to: number } | null;
}) {
  const [grid, setGrid] = useState(() => defaultGrid(props.params));
  const [metric, setMetric] = useState<Metric>('sharpe');
  const [part, setPart] = useState<'in_sample' | 'out_of_sample'>('in_sample');
  const [windows, setWindows] = useState('');
  const [report, setReport] = useState<SweepReport | null>(null);
  const { busy, error, submit } = useSubmit(async () => {
    if (!props.strategy || !props.range) return;
    setReport(null);
    setReport(
      await api<SweepReport>('POST', '/api/backtests/sweep', {
        strategy: props.strategy,
        symbol: props.symbol,
        interval: props.interval,
        from: new Date(props.range.from * 1000).toISOString(),
        to: new Date(props.range.to * 1000).toISOString(),
        grid,
        metric,
        ...(windows.trim() ? { walk_forward: Number(windows) } : {}),
      }),
    );
  });
  return (
    <section class="stack" aria-labelledby="sweep-title">
      <h2 id="sweep-title">Sweep</h2>
      <form class="stack" onSubmit={submit}>
        <Field label="Grid">
          <input value={grid} spellcheck={false} onInput={(e) => setGrid(e.currentTarget.value)} />
        </Field>
        <div class="params">
          <Field label="Metric">
            <select value={metric} onChange={(e) => setMetric(e.currentTarget.value as Metric)}>
              {METRICS.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </Field>
          <Field label="Walk-forward windows (empty: one 70/30 split)">
            <input type="number" min={1} max={50} value={windows} onInput={(e) => setWindows(e.currentTarget.value)} />
          </Field>
        </div>
        <button type="submit" disabled={busy || !props.strategy || !props.range}>
          {busy ? 'Sweeping…' : 'Run sweep'}
        </button>
      </form>
      <ErrorBox error={error} />
      {busy && <Loading what="Sweeping" />}
      {report?.results && (
        <div class="stack" data-testid="sweep-result">
          <fieldset class="intervals">
            <legend>Colour by</legend>
            {(['in_sample', 'out_of_sample'] as const).map((p) => (
              <button key={p} type="button" aria-pressed={p === part} onClick={() => setPart(p)}>
                {p === 'in_sample' ? 'In-sample' : 'Out-of-sample'}
              </button>
            ))}
          </fieldset>
          <HeatMap results={report.results} grid={report.grid} metric={report.metric as Metric} part={part} />
        </div>
      )}
      {report?.windows && (
        <Table
          testid="walk-forward"
          head={['Window', 'Best', `In ${report.metric}`, `Out ${report.metric}`, 'Out return', 'Out trades']}
          num={[`In ${report.metric}`, `Out ${report.metric}`, 'Out return', 'Out trades']}
        >
          {report.windows.map((w) => {
            const best = w.results[0];
            const m = report.metric as Metric;
            return (
              <tr key={w.window}>
                <td>
                  {w.window}: {w.out_of_sample.from.slice(0, 10)}…{w.out_of_sample.to.slice(0, 10)}
                </td>
                <td>{report.grid.map((g) => `${g}=${best.params[g]}`).join(', ')}</td>
                <td class="num">{fmt(best.in_sample[m])}</td>
                <td class="num">{fmt(best.out_of_sample[m])}</td>
                <td class="num">{fmt(best.out_of_sample.return_pct)} %</td>
                <td class="num">{best.out_of_sample.trades}</td>
              </tr>
            );
          })}
        </Table>
      )}
    </section>
  );
}
