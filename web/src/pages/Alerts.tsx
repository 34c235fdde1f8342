/**
 * Alerts (/alerts): every price alert (a watchlist item's thresholds) and condition alert of the user, what
 * each does and when it last fired; turn condition alerts off and on, edit, delete; add a condition alert;
 * below, the history of firings of both kinds, newest first. A firing arriving live reloads the page's data.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { get } from '../api.ts';
import { AddRule } from '../alerts/AddRule.tsx';
import { PriceAlerts } from '../alerts/PriceAlerts.tsx';
import { RuleAlerts } from '../alerts/RuleAlerts.tsx';
import type { PriceAlert, PriceFiring, Rule, RuleFiring } from '../alerts/types.ts';
import { price, time } from '../format.ts';
import { errorText, useLoad, useUser } from '../hooks.ts';
import { refetchOn } from '../live.ts';
import { ErrorBox, Loading, Table } from '../ui.tsx';

interface HistoryRow {
  id: string;
  at: string;
  kind: 'price' | 'condition';
  symbol: string;
  what: string;
  bar: string;
}

function useAlertData() {
  const prices = useLoad(() => get<PriceAlert[]>('/api/alerts/price'), []);
  const rules = useLoad(() => get<Rule[]>('/api/alerts/rules'), []);
  const priceFirings = useLoad(() => get<{ items: PriceFiring[] }>('/api/alerts?limit=100'), []);
  const ruleFirings = useLoad(() => get<{ items: RuleFiring[] }>('/api/alerts/rules/events?limit=100'), []);
  const reload = () => {
    prices.reload();
    rules.reload();
    priceFirings.reload();
    ruleFirings.reload();
  };
  useEffect(() => refetchOn('alert', reload), []);
  return { prices, rules, priceFirings, ruleFirings, reload };
}

function History({ rows }: { rows: HistoryRow[] }) {
  if (rows.length === 0) return <p class="muted">No alert has fired yet.</p>;
  return (
    <Table testid="alert-history" label="Alert history" head={['Fired', 'Kind', 'Symbol', 'What', 'Bar']}>
      {rows.map((r) => (
        <tr key={`${r.kind}-${r.id}`}>
          <td>{time(r.at)}</td>
          <td>{r.kind}</td>
          <td>{r.symbol}</td>
          <td class="wrap">{r.what}</td>
          <td>{r.bar}</td>
        </tr>
      ))}
    </Table>
  );
}

export function AlertsPage() {
  const user = useUser();
  const { prices, rules, priceFirings, ruleFirings, reload } = useAlertData();
  const [error, setError] = useState<string | null>(null);
  const history = useMemo<HistoryRow[]>(() => {
    const rows: HistoryRow[] = [
      ...(priceFirings.data?.items ?? []).map((f) => ({
        id: f.id,
        at: f.triggered_at,
        kind: 'price' as const,
        symbol: f.symbol,
        what: `went ${f.direction} ${price(f.threshold)}: closed at ${price(f.price)}`,
        bar: `${f.interval} ${time(f.candle_ts)}`,
      })),
      ...(ruleFirings.data?.items ?? []).map((f) => ({
        id: f.id,
        at: f.triggered_at,
        kind: 'condition' as const,
        symbol: f.symbol,
        what: `${f.rule} turned true: closed at ${price(f.price)}`,
        bar: `${f.interval} ${time(f.candle_ts)}`,
      })),
    ];
    return rows.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  }, [priceFirings.data, ruleFirings.data]);
  const lastFired = useMemo(() => {
    const m = new Map<string, string>();
    for (const f of ruleFirings.data?.items ?? [])
      if (f.alert_id && !m.has(f.alert_id)) m.set(f.alert_id, f.triggered_at);
    return m;
  }, [ruleFirings.data]);
  if (!user) return <p>Log in to see your alerts.</p>;

  const onError = (err: unknown) => setError(errorText(err));
  const onChanged = () => {
    setError(null);
    reload();
  };
  const loadError = prices.error ?? rules.error ?? priceFirings.error ?? ruleFirings.error;
  const none = prices.data?.length === 0 && rules.data?.length === 0;
  return (
    <section class="alerts-page">
      <h1>Alerts</h1>
      <ErrorBox error={loadError} retry={reload} />
      <ErrorBox error={error} />
      {none && (
        <p class="empty-hint" data-testid="empty-alerts">
          You have no alerts yet: set a price alert on an asset in your <a href="/watchlists">watchlists</a> (alert
          above or below), or add a condition alert below.
        </p>
      )}
      <h2>Price alerts</h2>
      {prices.loading && !prices.data && <Loading what="Loading price alerts" />}
      {prices.data &&
        (prices.data.length === 0 ? (
          <p class="muted">
            No price alert: give an asset of a <a href="/watchlists">watchlist</a> a threshold to set one.
          </p>
        ) : (
          <PriceAlerts alerts={prices.data} onChanged={onChanged} onError={onError} />
        ))}
      <h2>Condition alerts</h2>
      {rules.loading && !rules.data && <Loading what="Loading condition alerts" />}
      {rules.data &&
        (rules.data.length === 0 ? (
          <p class="muted">No condition alert: add one with the form below.</p>
        ) : (
          <RuleAlerts rules={rules.data} lastFired={lastFired} onChanged={onChanged} onError={onError} />
        ))}
      <AddRule onAdded={onChanged} />
      <h2>History</h2>
      {(priceFirings.loading || ruleFirings.loading) && !priceFirings.data && <Loading what="Loading the history" />}
      {priceFirings.data && ruleFirings.data && <History rows={history} />}
    </section>
  );
}
