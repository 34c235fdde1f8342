/** The app shell: navigation, routes, the re-login dialog and live notifications. */
import { type FunctionComponent, render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { hasSession, logout, restoreSession, setReloginPrompt } from './api.ts';
import { prefetchChart } from './chart/prefetch.ts';
import { useUser } from './hooks.ts';
import { LiveStatus } from './LiveStatus.tsx';
import { startLive, stopLive } from './live.ts';
import { AccountPage, LoginForm } from './pages/Account.tsx';
import { AdminPage } from './pages/Admin.tsx';
import { AlertsPage } from './pages/Alerts.tsx';
import { ChartPage } from './pages/Chart.tsx';
import { MarketsPage } from './pages/Markets.tsx';
import { NotificationsPage } from './pages/Notifications.tsx';
import { PortfolioPage } from './pages/Portfolio.tsx';
import { SettingsPage } from './pages/Settings.tsx';
import { followUserPreferences, usePreferences } from './preferences.ts';
import { WatchlistsPage } from './pages/Watchlists.tsx';
import { navigate, onLinkClick, usePath } from './router.ts';
import { Loading, Toasts } from './ui.tsx';
import './styles.css';

/** The strategies page is its own chunk: the editor, run and sweep views load only when opened. */
function StrategiesLazy() {
  const [Page, setPage] = useState<FunctionComponent | null>(null);
  useEffect(() => {
    void import('./pages/Strategies.tsx').then((m) => setPage(() => m.StrategiesPage));
  }, []);
  return Page ? <Page /> : <Loading what="Loading strategies" />;
}

/** The layouts page too: its chunk with the cells and the crosshair sync. */
function LayoutLazy() {
  const [Page, setPage] = useState<FunctionComponent | null>(null);
  useEffect(() => {
    void import('./pages/Layout.tsx').then((m) => setPage(() => m.LayoutPage));
  }, []);
  return Page ? <Page /> : <Loading what="Loading the layout" />;
}

function Page({ path }: { path: string }) {
  const chart = /^\/chart\/([^/]+)$/.exec(path);
  if (chart) return <ChartPage symbol={decodeURIComponent(chart[1])} />;
  if (path === '/' || path === '/markets') return <MarketsPage />;
  if (path === '/watchlists') return <WatchlistsPage />;
  if (path === '/portfolio') return <PortfolioPage />;
  if (path === '/alerts') return <AlertsPage />;
  if (path === '/notifications') return <NotificationsPage />;
  if (path === '/strategies') return <StrategiesLazy />;
  if (path === '/layout') return <LayoutLazy />;
  if (path === '/admin') return <AdminPage />;
  if (path === '/account') return <SettingsPage />;
  if (path === '/login' || path === '/register') return <AccountPage mode={path === '/login' ? 'login' : 'register'} />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        No page at <code>{path}</code>. <a href="/">Go to the markets</a>.
      </p>
    </section>
  );
}

/** Opened when the session has expired mid-use: the page underneath keeps its state. */
function ReloginDialog() {
  const [pending, setPending] = useState<((ok: boolean) => void) | null>(null);
  useEffect(() => {
    setReloginPrompt(() => new Promise<boolean>((resolve) => setPending(() => resolve)));
  }, []);
  if (!pending) return null;
  const done = (ok: boolean) => {
    pending(ok);
    setPending(null);
  };
  return (
    <div class="modal" role="dialog" aria-modal="true" aria-labelledby="relogin-title">
      <div class="modal-box">
        <h2 id="relogin-title">Your session has expired</h2>
        <p>Log in again to continue; what you typed is kept.</p>
        <LoginForm onDone={() => done(true)} />
        <button type="button" class="link" onClick={() => done(false)}>
          Cancel
        </button>
      </div>
    </div>
  );
}

function App() {
  const path = usePath();
  const user = useUser();
  // Times shown anywhere follow the account's time zone and clock: a change re-renders the page.
  usePreferences();
  const [ready, setReady] = useState(false);
  useEffect(() => {
    void restoreSession().finally(() => setReady(true));
  }, []);
  useEffect(() => {
    startLive();
    return stopLive;
  }, [user?.id]);
  const link = (href: string, label: string) => (
    <a href={href} aria-current={path === href || (href === '/' && path.startsWith('/chart')) ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/">
          Trading Manager
        </a>
        <nav aria-label="Main">
          {link('/', 'Markets')}
          {link('/layout', 'Layout')}
          {user && link('/watchlists', 'Watchlists')}
          {user && link('/strategies', 'Strategies')}
          {user && link('/portfolio', 'Portfolio')}
          {user && link('/alerts', 'Alerts')}
          {user && link('/notifications', 'Notifications')}
          {user?.is_admin && link('/admin', 'Admin')}
        </nav>
        <LiveStatus />
        <div class="who">
          {user ? (
            <>
              <a href="/account" data-testid="username" aria-current={path === '/account' ? 'page' : undefined}>
                {user.username}
              </a>
              <button
                type="button"
                onClick={() => {
                  void logout().then(() => navigate('/login'));
                }}
              >
                Log out
              </button>
            </>
          ) : (
            <>
              <a href="/login">Log in</a>
              <a href="/register">Register</a>
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {ready ? <Page path={path} /> : <Loading what="Starting" />}
      </main>
      <ReloginDialog />
      <Toasts />
    </div>
  );
}

prefetchChart(location.pathname, location.search, hasSession());
document.addEventListener('click', onLinkClick);
followUserPreferences();
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
