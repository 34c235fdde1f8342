/** The form that adds a condition alert (symbol, interval, condition); the API's refusal shows next to its field. */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { INTERVALS } from '../chart/catalog.ts';
import { useSubmit } from '../hooks.ts';
import { ErrorBox, Field } from '../ui.tsx';

export function AddRule({ onAdded }: { onAdded: () => void }) {
  const [symbol, setSymbol] = useState('');
  const [interval, setInterval] = useState('1d');
  const [when, setWhen] = useState('');
  const { busy, error, fields, submit } = useSubmit(async () => {
    await api('POST', '/api/alerts/rules', { symbol: symbol.trim(), interval, when });
    setWhen('');
    onAdded();
  });
  // The parser's refusal ("condition: expected a number at column 11") belongs to the condition's field.
  const whenError = fields.when ?? (error?.startsWith('condition:') ? error : undefined);
  return (
    <form class="stack narrow" onSubmit={submit} aria-label="Add a condition alert">
      <h3>Add a condition alert</h3>
      <Field label="Symbol" hint="A symbol with candles, e.g. BTC or AAPL." error={fields.symbol}>
        <input required placeholder="AAPL" value={symbol} onInput={(e) => setSymbol(e.currentTarget.value)} />
      </Field>
      <Field label="Interval">
        <select aria-label="Interval" value={interval} onChange={(e) => setInterval(e.currentTarget.value)}>
          {INTERVALS.map((i) => (
            <option key={i} value={i}>
              {i}
            </option>
          ))}
        </select>
      </Field>
      <Field
        label="When (fires when it turns true on a closed bar)"
        hint="A condition such as rsi(close, 14) < 30 or crosses_above(close, sma(close, 50))."
        error={whenError}
      >
        <input
          required
          placeholder="rsi(close, 14) < 30"
          value={when}
          onInput={(e) => setWhen(e.currentTarget.value)}
          spellcheck={false}
        />
      </Field>
      {error && Object.keys(fields).length === 0 && !whenError && <ErrorBox error={error} />}
      <button type="submit" class="primary" disabled={busy}>
        {busy ? 'Adding…' : 'Add alert'}
      </button>
    </form>
  );
}
