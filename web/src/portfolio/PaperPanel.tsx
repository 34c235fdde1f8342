/** A paper account's status and trades (the portfolio shows its fills as transactions), with "Run now". */
import { useState } from 'preact/hooks';
import { api, get } from '../api.ts';
import { changeClass, price, time } from '../format.ts';
import { useLoad, useSubmit } from '../hooks.ts';
import { ErrorBox, Loading, Table } from '../ui.tsx';
import type { PaperStatus, PaperTrade } from './types.ts';

export function PaperPanel({ id, onChanged }: { id: string; onChanged: () => void }) {
  const [tick, setTick] = useState(0);
  const data = useLoad(
    async () => ({
      status: await get<PaperStatus>(`/api/paper/${id}`),
      trades: await get<PaperTrade[]>(`/api/paper/${id}/trades`),
    }),
    [id, tick],
  );
  const [ran, setRan] = useState<string | null>(null);
  const run = useSubmit(async () => {
    const r = await api<{ bars: number; fills: number }>('POST', `/api/paper/${id}/run`);
    setRan(`${r.bars} new bar(s), ${r.fills} fill(s)`);
    setTick((t) => t + 1);
    onChanged();
  });
  const s = data.data?.status;
  return (
    <section class="paper" data-testid="paper-panel">
      <h2>Paper account</h2>
      <ErrorBox error={data.error ?? run.error} retry={data.reload} />
      {data.loading && !s && <Loading what="Loading the paper account" />}
      {s && (
        <>
          <p>
            {s.strategy} v{s.strategy_version} on <a href={`/chart/${encodeURIComponent(s.symbol)}`}>{s.symbol}</a>{' '}
            {s.interval} since {time(s.from)}; last bar{' '}
            <span data-testid="paper-last-bar">{s.last_bar ? time(s.last_bar) : 'none yet'}</span>. It advances by
            itself while tm serve runs.
          </p>
          <dl class="stats">
            <dt>Equity</dt>
            <dd data-testid="paper-equity">{price(s.equity)}</dd>
            <dt>Cash</dt>
            <dd>{price(s.cash)}</dd>
            <dt>Position</dt>
            <dd>{s.position ? `${s.position.size} @ ${price(s.position.entry_price)}` : 'none'}</dd>
          </dl>
          <form class="row" onSubmit={run.submit}>
            <button type="submit" disabled={run.busy}>
              Run now
            </button>
            {ran && <span role="status">{ran}</span>}
          </form>
          <Table
            testid="paper-trades"
            head={['Entry', 'Exit', 'Size', 'Entry price', 'Exit price', 'P&L', 'Exit reason']}
            num={['Size', 'Entry price', 'Exit price', 'P&L']}
          >
            {(data.data?.trades ?? []).map((t) => (
              <tr key={t.entry_time}>
                <td>{time(t.entry_time)}</td>
                <td>{time(t.exit_time)}</td>
                <td class="num">{t.size}</td>
                <td class="num">{price(t.entry_price)}</td>
                <td class="num">{price(t.exit_price)}</td>
                <td class={`num ${changeClass(t.pnl)}`}>{price(t.pnl)}</td>
                <td>{t.exit_reason}</td>
              </tr>
            ))}
          </Table>
        </>
      )}
    </section>
  );
}
