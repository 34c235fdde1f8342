/**
 * The signed-in user's drawings of the asset: loaded from GET /api/drawings, and each change saved
 * whole with PUT (one save at a time; the newest list wins). A guest draws nothing (nothing to save to).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, get, qs } from '../api.ts';
import { errorText } from '../hooks.ts';
import type { Drawing } from './drawings-primitive.ts';

export interface Drawings {
  list: Drawing[];
  loaded: boolean;
  saving: boolean;
  error: string | null;
  change: (next: Drawing[]) => void;
  /** The drawing selected on the chart or in the list (its handles show; Delete removes it). */
  selected: string | null;
  select: (id: string | null) => void;
  /** Saves one drawing changed in place (moved or nudged). */
  replace: (d: Drawing) => void;
}

export function useDrawings(symbol: string, signedIn: boolean): Drawings {
  const [list, setList] = useState<Drawing[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const chain = useRef(Promise.resolve());
  useEffect(() => {
    setList([]);
    setSelected(null);
    setLoaded(false);
    setError(null);
    if (!signedIn) return;
    let live = true;
    get<{ items: Drawing[] }>(`/api/drawings?${qs({ asset: symbol })}`).then(
      (r) => {
        if (!live) return;
        setList(r.items);
        setLoaded(true);
      },
      (err: unknown) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [symbol, signedIn]);
  // The list as last changed, for a change made before the page renders again (a drag, then a key).
  const current = useRef(list);
  current.current = list;
  const change = (next: Drawing[]) => {
    current.current = next;
    setList(next);
    if (selected && !next.some((d) => d.id === selected)) setSelected(null);
    setSaving(true);
    chain.current = chain.current
      .then(() => api('PUT', `/api/drawings?${qs({ asset: symbol })}`, { items: next }))
      .then(
        () => setError(null),
        (err: unknown) => setError(`Not saved: ${errorText(err)}`),
      )
      .finally(() => setSaving(false));
  };
  const replace = (d: Drawing) => change(current.current.map((x) => (x.id === d.id ? d : x)));
  return { list, loaded, saving, error, change, selected, select: setSelected, replace };
}
