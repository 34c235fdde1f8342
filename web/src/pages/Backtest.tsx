/** Backtest: a strategy and its parameters over the asset's candles → equity, trades, return, drawdown, win rate. */
import { useState } from 'preact/hooks';
import { get, qs } from '../api.ts';
import { STRATEGIES } from '../chart/catalog.ts';
import { pct, price, time } from '../format.ts';
import { useSubmit } from '../hooks.ts';
import { ErrorBox, Loading, Sparkline } from '../ui.tsx';

interface BacktestResult {
  count: number;
  pending: number;
  hits: number;
  hitRate: number | null;
  avgReturn: number | null;
  maxDrawdown: number;
  finalEquity: number;
  bars: number;
  rows: {
    ts: number;
    signalType: string;
    entry: number;
    exit: number | null;
    return: number | null;
    hit: boolean | null;
  }[];
}

export function BacktestPanel({ symbol, interval }: { symbol: string; interval: string }) {
  const [strategy, setStrategy] = useState('ma-crossover');
  const [params, setParams] = useState<Record<string, number>>(STRATEGIES['ma-crossover']);
  const [horizon, setHorizon] = useState(10);
  const [result, setResult] = useState<BacktestResult | null>(null);
  const { busy, error, submit } = useSubmit(async () => {
    try {
      setResult(
        await get<BacktestResult>(
          `/api/signals/backtest?${qs({ symbol, interval, strategy, horizon, params: JSON.stringify(params) })}`,
        ),
      );
    } catch (err) {
      setResult(null);
      throw err;
    }
  });
  // Equity after each closed trade, from 1.
  const equity = [1];
  for (const r of result?.rows ?? []) if (r.return !== null) equity.push(equity[equity.length - 1] * (1 + r.return));
  return (
    <section class="backtest">
      <h2>Backtest</h2>
      <p class="muted">
        Hit rate of the built-in signals N bars later. Trades with costs and stops, your own rules and sweeps:{' '}
        <a href="/strategies">Strategies</a>.
      </p>
      <form class="stack" onSubmit={submit}>
        <label class="field">
          <span>Strategy</span>
          <select
            value={strategy}
            onChange={(e) => {
              setStrategy(e.currentTarget.value);
              setParams(STRATEGIES[e.currentTarget.value]);
            }}
          >
            {Object.keys(STRATEGIES).map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <div class="params">
          {Object.entries(params).map(([k, v]) => (
            <label key={k} class="param">
              {k}
              <input
                type="number"
                value={v}
                step="any"
                onChange={(e) => setParams({ ...params, [k]: Number(e.currentTarget.value) })}
              />
            </label>
          ))}
          <label class="param">
            horizon (bars)
            <input type="number" min={1} value={horizon} onChange={(e) => setHorizon(Number(e.currentTarget.value))} />
          </label>
        </div>
        <button type="submit" disabled={busy}>
          {busy ? 'Running…' : 'Run backtest'}
        </button>
      </form>
      <ErrorBox error={error} />
      {busy && <Loading what="Backtesting" />}
      {result && (
        <div data-testid="backtest-result">
          <dl class="stats">
            <dt>Return</dt>
            <dd>{pct((result.finalEquity - 1) * 100)}</dd>
            <dt>Max drawdown</dt>
            <dd>{pct(-result.maxDrawdown * 100)}</dd>
            <dt>Win rate</dt>
            <dd>{result.hitRate === null ? '–' : pct(result.hitRate * 100)}</dd>
            <dt>Trades</dt>
            <dd>
              {result.count} closed, {result.pending} pending, over {result.bars} bars
            </dd>
          </dl>
          <p class="muted">Equity after each trade</p>
          <Sparkline values={equity} width={280} height={60} />
          <details>
            <summary>Trades</summary>
            <table>
              <thead>
                <tr>
                  <th>Time</th>
                  <th>Signal</th>
                  <th class="num">Entry</th>
                  <th class="num">Exit</th>
                  <th class="num">Return</th>
                </tr>
              </thead>
              <tbody>
                {result.rows.slice(-50).map((r) => (
                  <tr key={r.ts}>
                    <td>{time(r.ts > 1e11 ? r.ts / 1000 : r.ts)}</td>
                    <td>{r.signalType}</td>
                    <td class="num">{price(r.entry)}</td>
                    <td class="num">{price(r.exit)}</td>
                    <td class={`num ${r.hit ? 'up' : r.hit === false ? 'down' : ''}`}>
                      {r.return === null ? 'pending' : pct(r.return * 100)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </div>
      )}
    </section>
  );
}
