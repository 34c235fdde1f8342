/**
 * A sweep as a heat map: the grid's first parameter down, its second across, each cell coloured by the chosen metric
 * (green best, red worst) and labelled with its value, so the colour is never the only carrier; the same figures as a
 * plain ranked table below.
 */
import { Table } from '../ui.tsx';
import type { Metric, SweepResult } from './types.ts';

const fmt = (v: number | null) => (v === null ? '–' : v.toFixed(2));

/** Hue from red (worst) to green (best); drawdown is better when smaller. */
function colour(v: number | null, min: number, max: number, metric: Metric): string {
  if (v === null) return 'var(--panel, #eee)';
  let t = max > min ? (v - min) / (max - min) : 0.5;
  if (metric === 'max_drawdown_pct') t = 1 - t;
  return `hsl(${Math.round(t * 120)} 70% 72%)`;
}

export function HeatMap(props: {
  results: SweepResult[];
  grid: string[];
  metric: Metric;
  part: 'in_sample' | 'out_of_sample';
}) {
  const { results, grid, metric, part } = props;
  const [rowName, colName] = grid;
  const values = (name: string | undefined) =>
    name === undefined ? [Number.NaN] : [...new Set(results.map((r) => r.params[name]))].sort((a, b) => a - b);
  const rows = values(rowName);
  const cols = values(colName);
  const at = new Map(results.map((r) => [`${r.params[rowName]}|${colName ? r.params[colName] : Number.NaN}`, r]));
  const all = results.map((r) => r[part][metric]).filter((v): v is number => v !== null);
  const min = Math.min(...all);
  const max = Math.max(...all);
  const where = part === 'in_sample' ? 'in-sample' : 'out-of-sample';
  return (
    <div class="stack">
      <div class="table-wrap">
        <table class="heatmap" data-testid="heatmap">
          <caption>
            {where} {metric} by {rowName}
            {colName ? ` (down) and ${colName} (across)` : ''}; green is best
          </caption>
          <thead>
            <tr>
              <th scope="col">{colName ? `${rowName} \\ ${colName}` : rowName}</th>
              {cols.map((c) => (
                <th key={c} scope="col">
                  {colName ? c : metric}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((rv) => (
              <tr key={rv}>
                <th scope="row">{rv}</th>
                {cols.map((cv) => {
                  const r = at.get(`${rv}|${cv}`);
                  const v = r ? r[part][metric] : null;
                  const label = `${rowName}=${rv}${colName ? `, ${colName}=${cv}` : ''}: ${where} ${metric} ${fmt(v)}`;
                  return (
                    <td
                      key={cv}
                      data-testid="heat-cell"
                      title={label}
                      aria-label={label}
                      style={{ background: colour(v, min, max, metric) }}
                    >
                      {fmt(v)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <details>
        <summary>The same as a table</summary>
        <Table
          testid="sweep-table"
          head={[
            'Rank',
            ...grid,
            `In ${metric}`,
            `Out ${metric}`,
            'In return',
            'Out return',
            'In trades',
            'Out trades',
          ]}
          num={[...grid, `In ${metric}`, `Out ${metric}`, 'In return', 'Out return', 'In trades', 'Out trades']}
        >
          {results.map((r) => (
            <tr key={r.rank}>
              <td>{r.rank}</td>
              {grid.map((g) => (
                <td key={g} class="num">
                  {r.params[g]}
                </td>
              ))}
              <td class="num">{fmt(r.in_sample[metric])}</td>
              <td class="num">{fmt(r.out_of_sample[metric])}</td>
              <td class="num">{fmt(r.in_sample.return_pct)} %</td>
              <td class="num">{fmt(r.out_of_sample.return_pct)} %</td>
              <td class="num">{r.in_sample.trades}</td>
              <td class="num">{r.out_of_sample.trades}</td>
            </tr>
          ))}
        </Table>
      </details>
    </div>
  );
}
