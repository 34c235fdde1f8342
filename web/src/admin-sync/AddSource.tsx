/** Links a source: an asset to a provider's market, with the intervals to keep in sync. */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { useSubmit } from '../hooks.ts';
import { ErrorBox, Field } from '../ui.tsx';
import { ASSET_TYPES, INTERVALS, PROVIDERS } from './types.ts';

export function AddSource({ onAdded }: { onAdded: () => void }) {
  const [f, setF] = useState({ asset: '', provider: 'binance', exchange: '', market: '', asset_type: '' });
  // "ccxt" stands for any exchange ccxt knows: the provider sent is ccxt:<exchange id> (docs/ecosystem.md).
  const ccxt = f.provider === 'ccxt';
  const [intervals, setIntervals] = useState<string[]>(['1h']);
  const { busy, error, fields, submit } = useSubmit(async () => {
    await api('POST', '/api/admin/sync/sources', {
      asset: f.asset.trim(),
      provider: ccxt ? `ccxt:${f.exchange.trim().toLowerCase()}` : f.provider,
      market: f.market.trim() || undefined,
      intervals,
      asset_type: f.asset_type || undefined,
    });
    setF({ ...f, asset: '', market: '' });
    onAdded();
  });
  const toggle = (i: string) =>
    setIntervals((cur) =>
      cur.includes(i) ? cur.filter((x) => x !== i) : INTERVALS.filter((x) => [...cur, i].includes(x)),
    );
  return (
    <form class="stack narrow" onSubmit={submit} aria-label="Link a source">
      <h3>Link an asset to a provider</h3>
      <Field
        label="Asset symbol"
        hint="Letters, digits and . - _ / ^ = @ +, optionally :EXCHANGE; no spaces."
        error={fields.asset}
      >
        <input
          required
          placeholder="BTCUSDT or BTCUSDT:BINANCE"
          value={f.asset}
          onInput={(e) => setF({ ...f, asset: e.currentTarget.value })}
        />
      </Field>
      <Field label="Provider">
        <select
          aria-label="Provider"
          value={f.provider}
          onChange={(e) => setF({ ...f, provider: e.currentTarget.value })}
        >
          {PROVIDERS.map((p) => (
            <option key={p}>{p}</option>
          ))}
          <option value="ccxt">ccxt (any exchange)</option>
        </select>
      </Field>
      {ccxt && (
        <Field label="ccxt exchange id">
          <input
            required
            placeholder="e.g. okx, bybit, kucoin"
            value={f.exchange}
            onInput={(e) => setF({ ...f, exchange: e.currentTarget.value })}
          />
        </Field>
      )}
      <Field label="Provider symbol (when it differs)">
        <input
          placeholder={ccxt ? 'ccxt symbol, e.g. BTC/USDT' : 'e.g. BTC-USD, XBTUSD'}
          value={f.market}
          onInput={(e) => setF({ ...f, market: e.currentTarget.value })}
        />
      </Field>
      <fieldset class="intervals">
        <legend>Intervals</legend>
        <div class="row">
          {INTERVALS.map((i) => (
            <label key={i} class="check">
              <input type="checkbox" checked={intervals.includes(i)} onChange={() => toggle(i)} /> {i}
            </label>
          ))}
        </div>
      </fieldset>
      <Field label="Asset type (when the asset is created)">
        <select
          aria-label="Asset type"
          value={f.asset_type}
          onChange={(e) => setF({ ...f, asset_type: e.currentTarget.value })}
        >
          <option value="">the provider's</option>
          {ASSET_TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </Field>
      {error && !fields.asset && <ErrorBox error={error} />}
      <button type="submit" class="primary" disabled={busy || intervals.length === 0}>
        {busy ? 'Linking…' : 'Link source'}
      </button>
    </form>
  );
}
