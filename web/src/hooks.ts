/** Data loading with loading and error states, and the signed-in user. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, onUser, user, type User } from './api.ts';

export interface Loaded<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: string | null; loading: boolean }>({
    data: undefined,
    error: null,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (err: unknown) => live && setState((s) => ({ ...s, error: errorText(err), loading: false })),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

export function useUser(): User | null {
  const [u, setU] = useState(user());
  useEffect(() => onUser(setU), []);
  return u;
}

export interface Submit {
  busy: boolean;
  error: string | null;
  /** The API's validation errors by field, in words (shown next to each field). */
  fields: Record<string, string>;
  submit: (e: Event) => Promise<void>;
}

/** A form's submit: no page load, busy while `action` runs, and its error kept for the form to show. */
export function useSubmit(action: () => Promise<void>): Submit {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  // A second submit while the first is in flight (a double click) is dropped, before any re-render.
  const pending = useRef(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (pending.current) return;
    pending.current = true;
    setBusy(true);
    setError(null);
    setFields({});
    try {
      await action();
    } catch (err) {
      setError(errorText(err));
      setFields(err instanceof ApiError ? err.fields : {});
    } finally {
      pending.current = false;
      setBusy(false);
    }
  };
  return { busy, error, fields, submit };
}
