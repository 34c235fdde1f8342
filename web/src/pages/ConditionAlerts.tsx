/**
 * Condition alerts on the Notifications page: the user's rules (add, remove) and their firings. A rule is a
 * condition in the strategy language; one that does not parse is refused with the column (docs/alerts.md).
 */
import { useState } from 'preact/hooks';
import { api, get } from '../api.ts';
import { time } from '../format.ts';
import { errorText, useLoad } from '../hooks.ts';
import { AddRule } from '../alerts/AddRule.tsx';
import type { RuleFiring } from '../alerts/types.ts';
import { ErrorBox, Loading, Table } from '../ui.tsx';

interface Rule {
  id: string;
  symbol: string;
  interval: string;
  rule: string;
  last_ts: string | null;
  last_state: boolean | null;
}

type Firing = RuleFiring;

export function ConditionAlerts() {
  const rules = useLoad(() => get<Rule[]>('/api/alerts/rules'), []);
  const firings = useLoad(() => get<{ items: Firing[]; total: number }>('/api/alerts/rules/events?limit=50'), []);
  const [error, setError] = useState<string | null>(null);
  const remove = async (r: Rule) => {
    if (!confirm(`Remove the alert "${r.rule}" on ${r.symbol}? Its firings stay listed.`)) return;
    setError(null);
    try {
      await api('DELETE', `/api/alerts/rules/${r.id}`);
    } catch (err) {
      setError(errorText(err));
    }
    rules.reload();
  };
  return (
    <section class="admin-section" aria-labelledby="condition-alerts-title">
      <h2 id="condition-alerts-title">Condition alerts</h2>
      {rules.loading && !rules.data && <Loading />}
      <ErrorBox error={rules.error ?? error} retry={rules.error ? rules.reload : undefined} />
      {rules.data &&
        (rules.data.length === 0 ? (
          <p class="muted">No condition alert yet.</p>
        ) : (
          <Table
            testid="condition-alerts"
            label="Condition alerts"
            head={['Symbol', 'Interval', 'When', 'Last closed bar', 'True there', 'Actions']}
          >
            {rules.data.map((r) => (
              <tr key={r.id}>
                <td>{r.symbol}</td>
                <td>{r.interval}</td>
                <td>
                  <code>{r.rule}</code>
                </td>
                <td>{time(r.last_ts)}</td>
                <td>{r.last_state === null ? '–' : r.last_state ? 'yes' : 'no'}</td>
                <td class="actions">
                  <button type="button" class="danger" onClick={() => void remove(r)} aria-label={`Remove ${r.rule}`}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </Table>
        ))}
      <AddRule onAdded={rules.reload} />
      <h3>Fired</h3>
      <ErrorBox error={firings.error} retry={firings.reload} />
      {firings.data &&
        (firings.data.items.length === 0 ? (
          <p class="muted">No condition alert has fired yet.</p>
        ) : (
          <Table
            testid="condition-firings"
            label="Condition alert firings"
            head={['Bar', 'Symbol', 'Interval', 'When', 'Close', 'Values']}
            num={['Close']}
          >
            {firings.data.items.map((f) => (
              <tr key={f.id}>
                <td>{time(f.candle_ts)}</td>
                <td>{f.symbol}</td>
                <td>{f.interval}</td>
                <td>
                  <code>{f.rule}</code>
                </td>
                <td class="num">{f.price}</td>
                <td class="wrap">
                  {Object.entries(f.values)
                    .map(([k, v]) => `${k} = ${v === null ? '–' : v.toPrecision(6)}`)
                    .join('; ')}
                </td>
              </tr>
            ))}
          </Table>
        ))}
    </section>
  );
}
