/**
 * Whether this server appends simulated demo prices: /health names a `demo_feed` with `simulated: true`
 * while its feed runs (TM_DEMO_FEED). Asked once per page load; a server without the field says no.
 */
import { useEffect, useState } from 'preact/hooks';

let asked: Promise<boolean> | null = null;

function simulatedFeed(): Promise<boolean> {
  asked ??= fetch('/health', { headers: { accept: 'application/json' } })
    .then((r) => (r.ok ? (r.json() as Promise<{ demo_feed?: { simulated?: boolean } }>) : {}))
    .then((h: { demo_feed?: { simulated?: boolean } }) => h.demo_feed?.simulated === true)
    // The badge is a hint: an unreachable /health shows none (the page reports the API's own errors).
    .catch((err: unknown) => {
      console.warn('could not read /health for the demo feed flag', err);
      return false;
    });
  return asked;
}

export function useSimulatedFeed(): boolean {
  const [on, setOn] = useState(false);
  useEffect(() => {
    let live = true;
    void simulatedFeed().then((v) => live && setOn(v));
    return () => {
      live = false;
    };
  }, []);
  return on;
}
