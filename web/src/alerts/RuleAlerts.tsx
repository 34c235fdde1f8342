/**
 * The user's condition alerts: on or off, the condition edited in place (checked by the API's parser, its
 * refusal under the field), delete. A changed or re-enabled rule starts at the newest closed bar.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { time } from '../format.ts';
import { useSubmit } from '../hooks.ts';
import { ErrorBox, Field, Table } from '../ui.tsx';
import type { Rule } from './types.ts';

function EditRule({ rule, onDone }: { rule: Rule; onDone: (saved: boolean) => void }) {
  const [when, setWhen] = useState(rule.rule);
  const { busy, error, fields, submit } = useSubmit(async () => {
    await api('PATCH', `/api/alerts/rules/${rule.id}`, { when });
    onDone(true);
  });
  const whenError = fields.when ?? (error?.startsWith('condition:') ? error : undefined);
  return (
    <form class="stack narrow" onSubmit={submit} aria-label={`Edit the condition alert on ${rule.symbol}`}>
      <Field
        label={`Condition on ${rule.symbol} ${rule.interval}`}
        hint="Fires when it turns true on a closed bar, e.g. rsi(close, 14) < 30."
        error={whenError}
      >
        <input required spellcheck={false} value={when} onInput={(e) => setWhen(e.currentTarget.value)} />
      </Field>
      {error && !whenError && <ErrorBox error={error} />}
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        <button type="button" onClick={() => onDone(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function RuleAlerts({
  rules,
  lastFired,
  onChanged,
  onError,
}: {
  rules: Rule[];
  /** When each rule last fired (by rule id), from the history. */
  lastFired: Map<string, string>;
  onChanged: () => void;
  onError: (e: unknown) => void;
}) {
  const [editing, setEditing] = useState<string | null>(null);
  const call = async (method: 'PATCH' | 'DELETE', r: Rule, body?: object) => {
    try {
      await api(method, `/api/alerts/rules/${r.id}`, body);
      onChanged();
    } catch (err) {
      onError(err);
    }
  };
  const current = rules.find((r) => r.id === editing);
  return (
    <>
      <Table
        testid="rule-alerts"
        label="Condition alerts"
        head={['Symbol', 'Interval', 'When', 'State', 'Last closed bar', 'Last fired', 'Actions']}
      >
        {rules.map((r) => (
          <tr key={r.id} data-rule={r.rule}>
            <td>
              <a href={`/chart/${encodeURIComponent(r.symbol)}`}>{r.symbol}</a>
            </td>
            <td>{r.interval}</td>
            <td class="wrap">
              <code>{r.rule}</code>
            </td>
            <td data-testid="rule-state">{r.enabled ? 'on' : 'off'}</td>
            <td>{time(r.last_ts)}</td>
            <td>{lastFired.has(r.id) ? time(lastFired.get(r.id)) : 'never'}</td>
            <td class="actions">
              <button
                type="button"
                aria-label={`${r.enabled ? 'Turn off' : 'Turn on'} ${r.rule}`}
                onClick={() => void call('PATCH', r, { enabled: !r.enabled })}
              >
                {r.enabled ? 'Turn off' : 'Turn on'}
              </button>
              <button type="button" aria-label={`Edit ${r.rule}`} onClick={() => setEditing(r.id)}>
                Edit
              </button>
              <button
                type="button"
                class="danger"
                aria-label={`Delete ${r.rule}`}
                onClick={() => {
                  if (confirm(`Delete the alert "${r.rule}" on ${r.symbol}? Its firings stay in the history.`))
                    void call('DELETE', r);
                }}
              >
                Delete
              </button>
            </td>
          </tr>
        ))}
      </Table>
      {current && (
        <EditRule
          key={current.id}
          rule={current}
          onDone={(saved) => {
            setEditing(null);
            if (saved) onChanged();
          }}
        />
      )}
    </>
  );
}
