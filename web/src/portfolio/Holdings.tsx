/** Positions with P&L, cash, and the allocation by asset and by asset type (market value in the base currency). */
import { changeClass, price } from '../format.ts';
import { Table } from '../ui.tsx';
import { num, type Positions } from './types.ts';

/** Money: a zero balance as 0.00 (price() shows values below 0.01 with more digits). */
const money = (s: string | null) => (num(s) === 0 ? '0.00' : price(num(s)));

function Allocation({ title, parts, testid }: { title: string; parts: [string, number][]; testid: string }) {
  const total = parts.reduce((a, [, v]) => a + Math.max(v, 0), 0);
  if (total <= 0) return null;
  return (
    <div class="allocation" data-testid={testid}>
      <h3>{title}</h3>
      <ul>
        {parts
          .filter(([, v]) => v > 0)
          .sort((a, b) => b[1] - a[1])
          .map(([label, v]) => {
            const share = (v / total) * 100;
            return (
              <li key={label}>
                <span class="alloc-label">{label}</span>
                <span class="alloc-bar" aria-hidden="true">
                  <span style={{ width: `${share}%` }} />
                </span>
                <span class="num">{share.toFixed(1)} %</span>
              </li>
            );
          })}
      </ul>
    </div>
  );
}

export function Holdings({ data }: { data: Positions }) {
  const t = data.totals;
  const held = data.positions.filter((p) => num(p.quantity) !== 0);
  const byAsset: [string, number][] = held.map((p) => [p.symbol, num(p.base.market_value) ?? 0]);
  const cash = num(t.cash) ?? 0;
  if (cash > 0) byAsset.push(['cash', cash]);
  const types = new Map<string, number>();
  for (const p of held) {
    const k = p.asset_type ?? 'other';
    types.set(k, (types.get(k) ?? 0) + (num(p.base.market_value) ?? 0));
  }
  if (cash > 0) types.set('cash', (types.get('cash') ?? 0) + cash);
  return (
    <section>
      <dl class="stats" data-testid="totals">
        <dt>Value</dt>
        <dd data-testid="total-value">
          {money(t.value)} {data.base_currency}
        </dd>
        <dt>Cash</dt>
        <dd>{money(t.cash)}</dd>
        <dt>Unrealized P&amp;L</dt>
        <dd class={changeClass(num(t.unrealized_pnl))}>{money(t.unrealized_pnl)}</dd>
        <dt>Realized P&amp;L</dt>
        <dd class={changeClass(num(t.realized_pnl))}>{money(t.realized_pnl)}</dd>
        <dt>Income</dt>
        <dd>{money(t.income)}</dd>
      </dl>
      <Table
        testid="positions"
        head={['Symbol', 'Quantity', 'Avg cost', 'Last', 'Value', 'Unrealized', 'Realized']}
        num={['Quantity', 'Avg cost', 'Last', 'Value', 'Unrealized', 'Realized']}
      >
        {data.positions.map((p) => (
          <tr key={p.symbol}>
            <td>
              <a href={`/chart/${encodeURIComponent(p.symbol)}`}>{p.symbol}</a>
            </td>
            <td class="num">{Number(p.quantity).toLocaleString()}</td>
            <td class="num">{money(p.average_cost)}</td>
            <td class="num">{money(p.last_price)}</td>
            <td class="num">{money(p.market_value)}</td>
            <td class={`num ${changeClass(num(p.unrealized_pnl))}`}>{money(p.unrealized_pnl)}</td>
            <td class={`num ${changeClass(num(p.realized_pnl))}`}>{money(p.realized_pnl)}</td>
          </tr>
        ))}
      </Table>
      {data.cash.length > 0 && (
        <p class="muted">Cash: {data.cash.map((c) => `${price(num(c.amount))} ${c.currency}`).join(', ')}</p>
      )}
      <div class="allocations">
        <Allocation title="Allocation by asset" parts={byAsset} testid="allocation-asset" />
        <Allocation title="Allocation by type" parts={[...types]} testid="allocation-type" />
      </div>
    </section>
  );
}
