/**
 * Symbol search on the chart page: type ahead over symbol and name, all by keyboard (`/` focuses it,
 * ↑ ↓ choose, Enter opens, Escape closes). An ARIA combobox with a listbox of suggestions.
 */
import { useMemo, useRef, useState } from 'preact/hooks';
import { get } from '../api.ts';
import type { MarketRow } from '../markets/use-markets.ts';

type Asset = Pick<MarketRow, 'id' | 'symbol' | 'name' | 'asset_type'>;

/** Symbol matches first (those starting with the text before the others), then names. */
export function rank(assets: Asset[], text: string): Asset[] {
  const q = text.trim().toLowerCase();
  if (!q) return [];
  const score = (a: Asset) => {
    const s = a.symbol.toLowerCase();
    if (s === q) return 0;
    if (s.startsWith(q)) return 1;
    if (s.includes(q)) return 2;
    return a.name.toLowerCase().includes(q) ? 3 : -1;
  };
  return assets
    .map((a) => ({ a, r: score(a) }))
    .filter((x) => x.r >= 0)
    .sort((x, y) => x.r - y.r || x.a.symbol.localeCompare(y.a.symbol))
    .slice(0, 8)
    .map((x) => x.a);
}

export function SymbolSearch({
  onPick,
  inputRef,
  id = 'symbol',
  label = 'Search symbol',
  placeholder = 'Search symbol or name ( / )',
  shortcut = true,
}: {
  onPick: (symbol: string) => void;
  inputRef: { current: HTMLInputElement | null };
  /** Ids of the list and its options start with it (two searches on a page need two). */
  id?: string;
  label?: string;
  placeholder?: string;
  /** `/` focuses this search. */
  shortcut?: boolean;
}) {
  const [assets, setAssets] = useState<Asset[] | null>(null);
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const loading = useRef(false);
  // Loaded on first use, so the chart's own requests go first.
  const load = () => {
    if (assets || loading.current) return;
    loading.current = true;
    void get<{ items: MarketRow[] }>('/api/markets?interval=1d&points=2')
      .then((r) => setAssets(r.items))
      .finally(() => {
        loading.current = false;
      });
  };
  const matches = useMemo(() => rank(assets ?? [], text), [assets, text]);
  const shown = open && matches.length > 0;
  const pick = (a: Asset) => {
    setText('');
    setOpen(false);
    inputRef.current?.blur();
    onPick(a.symbol);
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setOpen(true);
      const n = matches.length || 1;
      setActive((i) => (i + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const a = matches[active] ?? matches[0];
      if (a) pick(a);
    } else if (e.key === 'Escape') {
      e.stopPropagation();
      if (open && text) setOpen(false);
      else {
        setText('');
        inputRef.current?.blur();
      }
    }
  };
  return (
    <div class="symbol-search">
      <input
        ref={inputRef}
        type="text"
        role="combobox"
        aria-label={label}
        aria-autocomplete="list"
        aria-expanded={shown}
        aria-controls={`${id}-options`}
        aria-activedescendant={shown ? `${id}-option-${active}` : undefined}
        aria-keyshortcuts={shortcut ? '/' : undefined}
        placeholder={placeholder}
        autoComplete="off"
        value={text}
        onFocus={load}
        onInput={(e) => {
          load();
          setText(e.currentTarget.value);
          setActive(0);
          setOpen(true);
        }}
        onKeyDown={onKey}
        onBlur={() => setOpen(false)}
      />
      <div
        id={`${id}-options`}
        role="listbox"
        aria-label={shortcut ? 'Symbols' : `${label}: symbols`}
        class="suggest"
        hidden={!shown}
      >
        {shown &&
          matches.map((a, i) => (
            <div
              key={a.id}
              tabIndex={-1}
              id={`${id}-option-${i}`}
              role="option"
              aria-selected={i === active}
              // mousedown, not click: it comes before the input's blur closes the list.
              onMouseDown={(e) => {
                e.preventDefault();
                pick(a);
              }}
            >
              <strong>{a.symbol}</strong> <span class="muted">{a.name}</span>
            </div>
          ))}
      </div>
    </div>
  );
}
