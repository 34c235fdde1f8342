/**
 * The signed-in user's saved layouts (GET/PUT/DELETE /api/layouts): open one, save the layout shown
 * under a name (the same name replaces it), delete one. A guest is told to log in.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, get } from '../api.ts';
import { errorText, useLoad } from '../hooks.ts';
import type { Cell } from './state.ts';

interface Saved {
  name: string;
  cells: Cell[];
  updated_at: string;
}

export function SavedLayouts(p: { signedIn: boolean; cells: Cell[]; name: string | null; onOpen: (l: Saved) => void }) {
  const saved = useLoad(
    () => (p.signedIn ? get<{ items: Saved[] }>('/api/layouts') : Promise.resolve({ items: [] })),
    [p.signedIn],
  );
  const [name, setName] = useState(p.name ?? '');
  useEffect(() => setName(p.name ?? ''), [p.name]);
  const [chosen, setChosen] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  if (!p.signedIn)
    return (
      <p class="muted layout-note">
        <a href="/login">Log in</a> to save layouts; this one is in the address bar.
      </p>
    );
  const items = saved.data?.items ?? [];
  const pick = items.find((l) => l.name === chosen) ?? items[0];
  const run = async (what: () => Promise<string>) => {
    setMessage(null);
    try {
      setMessage({ ok: true, text: await what() });
      saved.reload();
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) });
    }
  };
  return (
    <div class="layout-saved">
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          const n = name.trim();
          if (!n) return setMessage({ ok: false, text: 'Name the layout first.' });
          void run(async () => {
            await api('PUT', `/api/layouts/${encodeURIComponent(n)}`, { cells: p.cells });
            return `Saved as “${n}”.`;
          });
        }}
      >
        <label>
          Name{' '}
          <input value={name} maxLength={60} onInput={(e) => setName(e.currentTarget.value)} placeholder="My layout" />
        </label>
        <button type="submit">Save layout</button>
      </form>
      {items.length > 0 && (
        <div class="row">
          <label>
            Saved{' '}
            <select value={pick?.name} onChange={(e) => setChosen(e.currentTarget.value)}>
              {items.map((l) => (
                <option key={l.name} value={l.name}>
                  {l.name} ({l.cells.length} charts)
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={() => pick && p.onOpen(pick)}>
            Open
          </button>
          <button
            type="button"
            onClick={() =>
              pick &&
              void run(async () => {
                await api('DELETE', `/api/layouts/${encodeURIComponent(pick.name)}`);
                return `Deleted “${pick.name}”.`;
              })
            }
          >
            Delete
          </button>
        </div>
      )}
      {message && (
        <p role={message.ok ? 'status' : 'alert'} class={message.ok ? 'muted' : 'error'} data-testid="layout-message">
          {message.text}
        </p>
      )}
      {saved.error && (
        <p role="alert" class="error">
          {saved.error}
        </p>
      )}
    </div>
  );
}
