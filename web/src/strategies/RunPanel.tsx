/** Runs the saved strategy over the previewed bars with costs and stops, and shows the run's figures and trades. */
import { useState } from 'preact/hooks';
import { api, get } from '../api.ts';
import { pct, price, time } from '../format.ts';
import { useSubmit } from '../hooks.ts';
import { ErrorBox, Table } from '../ui.tsx';
import type { Run } from './types.ts';

export interface RunShown {
  run: Run;
  /** Equity at each bar's close. */
  equity: number[];
}

const SETTINGS = [
  ['cash', 'Cash', '10000'],
  ['commission', 'Commission (fraction)', '0.001'],
  ['slippage', 'Slippage (fraction)', '0'],
  ['stop_loss', 'Stop-loss (fraction)', ''],
  ['take_profit', 'Take-profit (fraction)', ''],
  ['trailing_stop', 'Trailing stop (fraction)', ''],
] as const;

const num = (v: number | null) => (v === null ? '–' : v.toFixed(2));

export function RunPanel(props: {
  strategy: string | null;
  symbol: string;
  interval: string;
  range: { from: number; to: number } | null;
  shown: RunShown | null;
  onRun: (r: RunShown | null) => void;
}) {
  const [values, setValues] = useState<Record<string, string>>(Object.fromEntries(SETTINGS.map(([k, , v]) => [k, v])));
  const { busy, error, submit } = useSubmit(async () => {
    if (!props.strategy || !props.range) return;
    const settings: Record<string, number> = {};
    for (const [k] of SETTINGS) if (values[k].trim() !== '') settings[k] = Number(values[k]);
    const run = await api<Run>('POST', '/api/backtests', {
      strategy: props.strategy,
      symbol: props.symbol,
      interval: props.interval,
      from: new Date(props.range.from * 1000).toISOString(),
      to: new Date(props.range.to * 1000).toISOString(),
      ...settings,
    });
    const stored = await get<{ equity: number[] }>(`/api/backtests/${run.id}`);
    props.onRun({ run, equity: stored.equity });
  });
  const r = props.shown?.run;
  return (
    <section class="stack" aria-labelledby="run-title">
      <h2 id="run-title">Backtest</h2>
      {!props.strategy && <p class="muted">Save the strategy to run it.</p>}
      <form class="params" onSubmit={submit}>
        {SETTINGS.map(([k, label]) => (
          <label key={k} class="param">
            {label}
            <input
              type="number"
              step="any"
              value={values[k]}
              onInput={(e) => setValues({ ...values, [k]: e.currentTarget.value })}
            />
          </label>
        ))}
        <button type="submit" disabled={busy || !props.strategy || !props.range}>
          {busy ? 'Running…' : 'Run backtest'}
        </button>
      </form>
      <ErrorBox error={error} />
      {r && (
        <div data-testid="run-result" class="stack">
          <p class="muted">
            {r.strategy} v{r.strategy_version} on {r.symbol} {r.interval}, {r.bars} bars ({time(r.from)} to {time(r.to)}
            )
          </p>
          <dl class="stats">
            <dt>Final equity</dt>
            <dd data-testid="run-final-equity">{price(r.final_equity)}</dd>
            <dt>Return</dt>
            <dd>{pct(r.return_pct)}</dd>
            <dt>Buy and hold</dt>
            <dd>{pct(r.buy_and_hold_return_pct)}</dd>
            <dt>Max drawdown</dt>
            <dd>{pct(-r.max_drawdown_pct)}</dd>
            <dt>Sharpe</dt>
            <dd>{num(r.sharpe)}</dd>
            <dt>Win rate</dt>
            <dd>{r.win_rate === null ? '–' : `${r.win_rate.toFixed(2)} %`}</dd>
            <dt>Trades</dt>
            <dd>{r.trades.length}</dd>
          </dl>
          <Table
            testid="run-trades"
            head={['Entry', 'Exit', 'Size', 'Entry price', 'Exit price', 'P&L', 'Reason']}
            num={['Size', 'Entry price', 'Exit price', 'P&L']}
          >
            {r.trades.map((t) => (
              <tr key={t.entry_time}>
                <td>{time(t.entry_time)}</td>
                <td>{time(t.exit_time)}</td>
                <td class="num">{t.size}</td>
                <td class="num">{price(t.entry_price)}</td>
                <td class="num">{price(t.exit_price)}</td>
                <td class={`num ${t.pnl >= 0 ? 'up' : 'down'}`}>{price(t.pnl)}</td>
                <td>{t.exit_reason}</td>
              </tr>
            ))}
          </Table>
        </div>
      )}
    </section>
  );
}
