/**
 * The signed-in user's display preferences, applied to the whole app: the theme as data-theme on <html>
 * (auto: follow the system), and the time zone and clock that format.time() uses.
 */
import { useEffect, useState } from 'preact/hooks';
import { get, onUser, user } from './api.ts';

export interface Preferences {
  timezone: string;
  clock: '24h' | '12h';
  theme: 'auto' | 'light' | 'dark';
}

const listeners = new Set<(p: Preferences | null) => void>();
let current: Preferences | null = null;

export function preferences(): Preferences | null {
  return current;
}

export function onPreferences(l: (p: Preferences | null) => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function applyPreferences(p: Preferences | null): void {
  current = p;
  const theme = p?.theme ?? 'auto';
  if (theme === 'auto') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  for (const l of listeners) l(p);
}

/** Loads them whenever someone signs in; signing out goes back to the defaults. */
export function followUserPreferences(): void {
  const load = () => {
    if (!user()) return applyPreferences(null);
    get<{ preferences: Preferences }>('/api/account').then(
      (r) => applyPreferences(r.preferences),
      () => applyPreferences(null),
    );
  };
  onUser(load);
  load();
}

/** The preferences, re-rendering the caller (and what it renders) when they change. */
export function usePreferences(): Preferences | null {
  const [p, setP] = useState(current);
  useEffect(() => onPreferences(setP), []);
  return p;
}
