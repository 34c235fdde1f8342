/** One portfolio: holdings with P&L and allocation, value against a benchmark, transactions, and its paper account. */
import { useState } from 'preact/hooks';
import { api, get, qs } from '../api.ts';
import { pct } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { ErrorBox, Field, Loading } from '../ui.tsx';
import { Holdings } from './Holdings.tsx';
import { PaperPanel } from './PaperPanel.tsx';
import { Transactions } from './Transactions.tsx';
import type { Performance, Portfolio, Positions, Transaction } from './types.ts';
import { ValueChart } from './ValueChart.tsx';

function PerformancePanel({ id, version, empty }: { id: string; version: number; empty: boolean }) {
  const [benchmark, setBenchmark] = useState('');
  const [asked, setAsked] = useState('');
  const perf = useLoad(
    async () =>
      empty ? null : get<Performance>(`/api/portfolios/${id}/performance?${qs({ benchmark: asked || undefined })}`),
    [id, asked, version, empty],
  );
  const p = perf.data;
  return (
    <section>
      <h2>Value over time</h2>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          setAsked(benchmark.trim());
        }}
      >
        <Field label="Benchmark">
          <input
            value={benchmark}
            onInput={(e) => setBenchmark(e.currentTarget.value)}
            placeholder="symbol, e.g. SPY"
          />
        </Field>
        <button type="submit">Compare</button>
      </form>
      <ErrorBox error={perf.error} retry={perf.reload} />
      {perf.loading && !p && <Loading what="Computing the performance" />}
      {p && p.days.length > 0 && (
        <>
          <dl class="stats" data-testid="performance">
            <dt>Time-weighted return</dt>
            <dd>{pct(p.time_weighted_return * 100)}</dd>
            <dt>Money-weighted (IRR, yearly)</dt>
            <dd>{p.money_weighted_return === null ? '–' : pct(p.money_weighted_return * 100)}</dd>
            <dt>Max drawdown</dt>
            <dd>{pct(-p.max_drawdown * 100)}</dd>
            {p.benchmark && (
              <>
                <dt>{p.benchmark.symbol}</dt>
                <dd data-testid="benchmark-return">{pct((p.benchmark.return ?? 0) * 100)}</dd>
              </>
            )}
          </dl>
          <ValueChart perf={p} />
        </>
      )}
      {(empty || p?.days.length === 0) && <p class="muted">No history yet: add a transaction.</p>}
    </section>
  );
}

export function PortfolioView({
  portfolio,
  paper,
  onChanged,
}: {
  portfolio: Portfolio;
  paper: boolean;
  onChanged: () => void;
}) {
  const [version, setVersion] = useState(0);
  const id = portfolio.id;
  const data = useLoad(
    async () => ({
      positions: await get<Positions>(`/api/portfolios/${id}/positions`),
      transactions: await get<Transaction[]>(`/api/portfolios/${id}/transactions`),
    }),
    [id, version],
  );
  const changed = () => {
    setVersion((v) => v + 1);
    onChanged();
  };
  const [error, setError] = useState<string | null>(null);
  return (
    <div class="portfolio" data-testid="portfolio-view">
      <div class="row">
        <h2>
          {portfolio.name} <span class="muted">({portfolio.base_currency})</span>
        </h2>
        <button
          type="button"
          class="link"
          onClick={() => {
            if (!confirm(`Delete ${portfolio.name} and its transactions?`)) return;
            const url = paper ? `/api/paper/${id}` : `/api/portfolios/${id}`;
            api('DELETE', url).then(onChanged, (err: unknown) => setError(String(err)));
          }}
        >
          Delete portfolio
        </button>
      </div>
      <ErrorBox error={data.error ?? error} retry={data.reload} />
      {data.loading && !data.data && <Loading what="Loading the portfolio" />}
      {paper && <PaperPanel id={id} onChanged={changed} />}
      {data.data && <Holdings data={data.data.positions} />}
      {data.data && <PerformancePanel id={id} version={version} empty={data.data.transactions.length === 0} />}
      {data.data && <Transactions portfolioId={id} items={data.data.transactions} onChanged={changed} />}
    </div>
  );
}
