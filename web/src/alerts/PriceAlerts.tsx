/**
 * The user's price alerts: every watchlist item with a high or low threshold, when it last fired, and
 * edit (both thresholds at once, the API's refusal said next to the field) or delete (clears both).
 */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { price, time } from '../format.ts';
import { useSubmit } from '../hooks.ts';
import { ErrorBox, Field, Table } from '../ui.tsx';
import type { PriceAlert } from './types.ts';

const itemUrl = (a: PriceAlert) => `/api/watchlists/${a.watchlist_id}/items/${a.item_id}`;

function parse(raw: string): number | null {
  return raw.trim() === '' ? null : Number(raw);
}

function EditPriceAlert({ alert, onDone }: { alert: PriceAlert; onDone: (saved: boolean) => void }) {
  const [high, setHigh] = useState(alert.price_alert_high?.toString() ?? '');
  const [low, setLow] = useState(alert.price_alert_low?.toString() ?? '');
  const { busy, error, fields, submit } = useSubmit(async () => {
    await api('PATCH', itemUrl(alert), { price_alert_high: parse(high), price_alert_low: parse(low) });
    onDone(true);
  });
  const words = (m: string | undefined) => m?.replace(/price_alert_(low|high)/, 'the $1 threshold');
  return (
    <form class="stack narrow" onSubmit={submit} aria-label={`Edit the price alert on ${alert.symbol}`}>
      <Field
        label={`Alert when ${alert.symbol} goes above`}
        hint="A price above 0, higher than the low one; empty for none."
        error={words(fields.price_alert_high)}
      >
        <input type="number" step="any" value={high} onInput={(e) => setHigh(e.currentTarget.value)} />
      </Field>
      <Field
        label={`Alert when ${alert.symbol} goes below`}
        hint="A price above 0; empty for none."
        error={words(fields.price_alert_low)}
      >
        <input type="number" step="any" value={low} onInput={(e) => setLow(e.currentTarget.value)} />
      </Field>
      {error && Object.keys(fields).length === 0 && <ErrorBox error={error} />}
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

export function PriceAlerts({
  alerts,
  onChanged,
  onError,
}: {
  alerts: PriceAlert[];
  onChanged: () => void;
  onError: (e: unknown) => void;
}) {
  const [editing, setEditing] = useState<string | null>(null);
  const patch = async (a: PriceAlert, body: object) => {
    try {
      await api('PATCH', itemUrl(a), body);
      onChanged();
    } catch (err) {
      onError(err);
    }
  };
  const remove = (a: PriceAlert) => {
    if (!confirm(`Delete the price alert on ${a.symbol} (${a.watchlist_name})? The asset stays in the list.`)) return;
    void patch(a, { price_alert_high: null, price_alert_low: null });
  };
  const current = alerts.find((a) => a.item_id === editing);
  return (
    <>
      <Table
        testid="price-alerts"
        label="Price alerts"
        head={['Symbol', 'Watchlist', 'Above', 'Below', 'State', 'Last fired', 'Fired', 'Actions']}
        num={['Above', 'Below', 'Fired']}
      >
        {alerts.map((a) => (
          <tr key={a.item_id} data-symbol={a.symbol}>
            <td>
              <a href={`/chart/${encodeURIComponent(a.symbol)}`}>{a.symbol}</a>
            </td>
            <td class="wrap">{a.watchlist_name}</td>
            <td class="num">{a.price_alert_high === null ? '–' : price(a.price_alert_high)}</td>
            <td class="num">{a.price_alert_low === null ? '–' : price(a.price_alert_low)}</td>
            <td data-testid="price-state">{a.price_alert_enabled ? 'on' : 'off'}</td>
            <td>{a.last_fired_at ? time(a.last_fired_at) : 'never'}</td>
            <td class="num">{a.fired_count}</td>
            <td class="actions">
              <button
                type="button"
                aria-label={`${a.price_alert_enabled ? 'Turn off' : 'Turn on'} the price alert on ${a.symbol}`}
                onClick={() => void patch(a, { price_alert_enabled: !a.price_alert_enabled })}
              >
                {a.price_alert_enabled ? 'Turn off' : 'Turn on'}
              </button>
              <button
                type="button"
                aria-label={`Edit the price alert on ${a.symbol}`}
                onClick={() => setEditing(a.item_id)}
              >
                Edit
              </button>
              <button
                type="button"
                class="danger"
                aria-label={`Delete the price alert on ${a.symbol}`}
                onClick={() => remove(a)}
              >
                Delete
              </button>
            </td>
          </tr>
        ))}
      </Table>
      {current && (
        <EditPriceAlert
          key={current.item_id}
          alert={current}
          onDone={(saved) => {
            setEditing(null);
            if (saved) onChanged();
          }}
        />
      )}
    </>
  );
}
