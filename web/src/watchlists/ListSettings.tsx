/** A watchlist's own settings: name, colour, icon, default, delete. */
import { api } from '../api.ts';
import type { Act, Watchlist } from './types.ts';

const ICONS = ['star', 'heart', 'bookmark', 'flag', 'eye', 'bell', 'chart-line', 'chart-bar'];

export function ListSettings({ list, act, onDeleted }: { list: Watchlist; act: Act; onDeleted: () => void }) {
  const base = `/api/watchlists/${list.id}`;
  return (
    <div class="row wrap">
      <input
        aria-label="List name"
        defaultValue={list.name}
        onChange={(e) => void act(() => api('PATCH', base, { name: e.currentTarget.value }))}
      />
      <input
        type="color"
        aria-label="Colour"
        value={list.color ?? '#2563eb'}
        onChange={(e) => void act(() => api('PATCH', base, { color: e.currentTarget.value }))}
      />
      <select
        aria-label="Icon"
        value={list.icon ?? ''}
        onChange={(e) => void act(() => api('PATCH', base, { icon: e.currentTarget.value || null }))}
      >
        <option value="">no icon</option>
        {ICONS.map((i) => (
          <option key={i}>{i}</option>
        ))}
      </select>
      {!list.is_default && (
        <button type="button" onClick={() => void act(() => api('PATCH', base, { is_default: true }))}>
          Make default
        </button>
      )}
      <button
        type="button"
        class="danger"
        onClick={() => {
          if (confirm(`Delete the watchlist "${list.name}" and its items?`))
            void act(() => api('DELETE', base)).then(onDeleted);
        }}
      >
        Delete list
      </button>
    </div>
  );
}
