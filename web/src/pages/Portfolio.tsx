/** Portfolio: the user's portfolios and paper accounts; the selected one's holdings, value, transactions. */
import { useEffect, useState } from 'preact/hooks';
import { api, get } from '../api.ts';
import { errorText, useLoad, useUser } from '../hooks.ts';
import { PortfolioView } from '../portfolio/PortfolioView.tsx';
import type { PaperAccount, Portfolio } from '../portfolio/types.ts';
import { ErrorBox, Loading } from '../ui.tsx';

export function PortfolioPage() {
  const user = useUser();
  const lists = useLoad(
    async () =>
      user
        ? { portfolios: await get<Portfolio[]>('/api/portfolios'), paper: await get<PaperAccount[]>('/api/paper') }
        : { portfolios: [], paper: [] },
    [user?.id],
  );
  const [selected, setSelected] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [currency, setCurrency] = useState('USD');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const items = lists.data?.portfolios ?? [];
    if (!items.some((p) => p.id === selected)) setSelected(items[0]?.id ?? null);
  }, [lists.data]);
  if (!user) return <p>Log in to see your portfolios.</p>;
  const paper = new Map((lists.data?.paper ?? []).map((a) => [a.id, a]));
  const current = lists.data?.portfolios.find((p) => p.id === selected) ?? null;
  return (
    <section>
      <h1>Portfolio</h1>
      <ErrorBox error={lists.error ?? error} retry={lists.reload} />
      {lists.loading && !lists.data && <Loading what="Loading portfolios" />}
      {lists.data?.portfolios.length === 0 && (
        <p class="empty-hint" data-testid="empty-portfolio">
          You have no portfolio yet: name one below (with its base currency) and press Create portfolio, then add its
          transactions or import them from a CSV file.
        </p>
      )}
      <div class="watch-layout">
        <aside>
          <ul class="lists" data-testid="portfolios">
            {lists.data?.portfolios.map((p) => (
              <li key={p.id}>
                <button type="button" aria-pressed={p.id === selected} onClick={() => setSelected(p.id)}>
                  {p.name} <span class="muted">({p.base_currency})</span>{' '}
                  {paper.has(p.id) && <span class="badge">paper</span>}
                </button>
              </li>
            ))}
          </ul>
          <form
            class="stack"
            onSubmit={(e) => {
              e.preventDefault();
              setError(null);
              api<Portfolio>('POST', '/api/portfolios', { name, base_currency: currency }).then(
                (p) => {
                  setName('');
                  setSelected(p.id);
                  lists.reload();
                },
                (err: unknown) => setError(errorText(err)),
              );
            }}
          >
            <input
              aria-label="New portfolio name"
              placeholder="New portfolio name"
              required
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
            />
            <input
              aria-label="Base currency"
              maxLength={3}
              value={currency}
              onInput={(e) => setCurrency(e.currentTarget.value.toUpperCase())}
            />
            <button type="submit">Create portfolio</button>
          </form>
          <p class="muted">
            Paper accounts are started with <code>tm paper start</code> or <code>POST /api/paper</code>.
          </p>
        </aside>
        {current && (
          <PortfolioView key={current.id} portfolio={current} paper={paper.has(current.id)} onChanged={lists.reload} />
        )}
      </div>
    </section>
  );
}
