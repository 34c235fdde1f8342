/** Watchlists: the user's lists, their items with price and change, reorder, add by symbol, alert thresholds, alerts. */
import { useEffect, useState } from 'preact/hooks';
import { api, get } from '../api.ts';
import { errorText, useLoad, useSubmit, useUser } from '../hooks.ts';
import { ErrorBox, Field, FormError, Loading } from '../ui.tsx';
import { ListView } from '../watchlists/ListView.tsx';
import type { Watchlist } from '../watchlists/types.ts';

export function WatchlistsPage() {
  const user = useUser();
  const lists = useLoad(
    () => (user ? get<{ items: Watchlist[] }>('/api/watchlists?limit=1000') : Promise.resolve({ items: [] })),
    [user?.id],
  );
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  // One list per submit: a double click's second submit is dropped while the first is pending.
  const create = useSubmit(async () => {
    const l = await api<Watchlist>('POST', '/api/watchlists', { name });
    setName('');
    setSelected(l.id);
    lists.reload();
  });
  useEffect(() => {
    const items = lists.data?.items ?? [];
    if (!items.some((l) => l.id === selected)) setSelected((items.find((l) => l.is_default) ?? items[0])?.id ?? null);
  }, [lists.data]);
  if (!user) return <p>Log in to see your watchlists.</p>;

  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      lists.reload();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const current = lists.data?.items.find((l) => l.id === selected) ?? null;
  return (
    <section>
      <h1>Watchlists</h1>
      <ErrorBox error={lists.error} retry={lists.reload} />
      <ErrorBox error={error} />
      {lists.loading && !lists.data && <Loading what="Loading watchlists" />}
      {lists.data?.items.length === 0 && (
        <p class="empty-hint" data-testid="empty-watchlists">
          You have no watchlist yet: name one below and press Create, then add assets to it by their symbol.
        </p>
      )}
      <div class="watch-layout">
        <aside>
          <ul class="lists">
            {lists.data?.items.map((l) => (
              <li key={l.id}>
                <button
                  type="button"
                  aria-pressed={l.id === selected}
                  onClick={() => setSelected(l.id)}
                  style={l.color ? { borderLeftColor: l.color } : undefined}
                >
                  <span class="list-name">{l.name}</span> <span class="muted">({l.item_count})</span>{' '}
                  {l.is_default && <span class="badge">default</span>}
                </button>
              </li>
            ))}
          </ul>
          <form class="stack" onSubmit={create.submit} aria-label="New watchlist">
            <Field label="New watchlist name" hint="Up to 100 characters." error={create.fields.name}>
              <input
                placeholder="e.g. Tech stocks"
                required
                maxLength={100}
                value={name}
                onInput={(e) => setName(e.currentTarget.value)}
              />
            </Field>
            <FormError error={create.error} fields={create.fields} />
            <button type="submit" disabled={create.busy}>
              {create.busy ? 'Creating…' : 'Create'}
            </button>
          </form>{' '}
        </aside>
        {current && <ListView key={current.id} list={current} onChanged={lists.reload} act={act} />}
      </div>
    </section>
  );
}
