/** "Add to watchlist" on the chart: one click for the default list, or choose another; says where it went. */
import { useState } from 'preact/hooks';
import { ApiError, api, get } from '../api.ts';
import { errorText } from '../hooks.ts';
import type { Watchlist } from '../watchlists/types.ts';

export function AddToWatchlist({ symbol, assetId }: { symbol: string; assetId: string | null }) {
  const [lists, setLists] = useState<Watchlist[] | null>(null);
  const [open, setOpen] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const toggle = async () => {
    setMessage(null);
    if (open) return setOpen(false);
    try {
      setLists((await get<{ items: Watchlist[] }>('/api/watchlists?limit=100')).items);
      setOpen(true);
    } catch (err) {
      setMessage(errorText(err));
    }
  };
  const add = async (list: Watchlist | null) => {
    if (!assetId || busy) return;
    setBusy(true);
    try {
      const target = list ?? (await api<Watchlist>('POST', '/api/watchlists', { name: 'My watchlist' }));
      await api('POST', `/api/watchlists/${target.id}/items`, { asset_id: assetId });
      setMessage(`${symbol} added to ${target.name}.`);
    } catch (err) {
      setMessage(
        err instanceof ApiError && err.status === 409 ? `${symbol} is already in ${list?.name}.` : errorText(err),
      );
    } finally {
      setBusy(false);
      setOpen(false);
    }
  };
  return (
    <div class="add-watch">
      <button type="button" aria-expanded={open} disabled={!assetId} onClick={() => void toggle()}>
        Add to watchlist
      </button>
      {open && lists && (
        <ul class="menu" aria-label="Watchlists">
          {lists.length === 0 && (
            <li>
              <button type="button" onClick={() => void add(null)}>
                Create “My watchlist” with {symbol}
              </button>
            </li>
          )}
          {lists.map((l) => (
            <li key={l.id}>
              <button type="button" onClick={() => void add(l)}>
                {l.name}
                {l.is_default ? ' (default)' : ''}
              </button>
            </li>
          ))}
        </ul>
      )}
      {message && (
        <span class="note" role="status" data-testid="watch-message">
          {message}
        </span>
      )}
    </div>
  );
}
