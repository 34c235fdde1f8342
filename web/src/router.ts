/** A tiny history router: paths are the pages' URLs, so a reload or a shared link opens the same page. */
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set<() => void>();

/** A new history entry; `replace` changes the current one instead (typing in a filter is not a step back). */
export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  if (path === location.pathname + location.search) return;
  if (opts.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  for (const l of listeners) l();
}

window.addEventListener('popstate', () => {
  for (const l of listeners) l();
});

export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const l = () => setPath(location.pathname);
    listeners.add(l);
    return () => listeners.delete(l);
  }, []);
  return path;
}

/** The query string of the page (`?a=b`), re-read on every navigation and on back/forward. */
export function useSearch(): string {
  const [search, setSearch] = useState(location.search);
  useEffect(() => {
    const l = () => setSearch(location.search);
    listeners.add(l);
    return () => listeners.delete(l);
  }, []);
  return search;
}

/** Same-origin links go through the router (a modified click, or a download, keeps the browser's own behaviour). */
export function onLinkClick(e: MouseEvent): void {
  const a = (e.target as HTMLElement).closest('a');
  if (
    !a ||
    a.target ||
    a.hasAttribute('download') ||
    a.origin !== location.origin ||
    e.ctrlKey ||
    e.metaKey ||
    e.shiftKey ||
    e.button !== 0
  )
    return;
  if (a.pathname.startsWith('/api') || a.pathname.startsWith('/docs')) return;
  e.preventDefault();
  navigate(a.pathname + a.search);
}
