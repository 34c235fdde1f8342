/**
 * The admin page's "Data sync" section: linked sources (add, remove), the sync status per asset,
 * interval and provider, a series' gaps, and a backfill. It calls /api/admin/sync (docs/sync.md).
 */
import { useState } from 'preact/hooks';
import { api, get, qs } from '../api.ts';
import { time } from '../format.ts';
import { errorText, useLoad, useSubmit } from '../hooks.ts';
import { ErrorBox, Field, Loading, Table } from '../ui.tsx';

const PROVIDERS = ['binance', 'coinbase', 'kraken', 'polygon'] as const;
const INTERVALS = ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w', '1M'] as const;
const ASSET_TYPES = ['stock', 'etf', 'crypto', 'forex', 'commodity'] as const;

interface Source {
  id: string;
  asset_id: string;
  asset: string;
  provider: string;
  market: string;
  intervals: string[];
  created_at: string;
}

interface StatusRow {
  source_id: string;
  asset: string;
  provider: string;
  market: string;
  interval: string;
  last_candle: string | null;
  lag_seconds: number | null;
  last_error: string | null;
  failures: number;
  gaps: number;
  state: 'ok' | 'failing' | 'error' | 'never';
}

interface Gap {
  from_ts: string;
  to_ts: string;
  reason: string;
  attempts: number;
  checked_at: string;
}

interface Backfilled {
  inserted: number;
  updated: number;
  gaps: number;
  requests: number;
  seconds: number;
  from: string;
  to: string;
}

/** A lag in the largest unit that fits: 42 s, 5 min, 3 h, 2 d. */
function lag(s: number | null): string {
  if (s === null) return '–';
  const a = Math.abs(s);
  if (a < 120) return `${s} s`;
  if (a < 7200) return `${Math.round(s / 60)} min`;
  if (a < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

function AddSource({ onAdded }: { onAdded: () => void }) {
  const [f, setF] = useState({ asset: '', provider: 'binance', market: '', asset_type: '' });
  const [intervals, setIntervals] = useState<string[]>(['1h']);
  const { busy, error, submit } = useSubmit(async () => {
    await api('POST', '/api/admin/sync/sources', {
      asset: f.asset.trim(),
      provider: f.provider,
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
      <Field label="Asset symbol">
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
        </select>
      </Field>
      <Field label="Provider symbol (when it differs)">
        <input
          placeholder="e.g. BTC-USD, XBTUSD"
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
      <ErrorBox error={error} />
      <button type="submit" class="primary" disabled={busy || intervals.length === 0}>
        {busy ? 'Linking…' : 'Link source'}
      </button>
    </form>
  );
}

function SourcesTable({ sources, onChanged }: { sources: Source[]; onChanged: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const remove = async (s: Source) => {
    if (!confirm(`Unlink ${s.asset} from ${s.provider}? Its candles stay.`)) return;
    setError(null);
    try {
      await api('DELETE', `/api/admin/sync/sources/${encodeURIComponent(s.asset_id)}?${qs({ provider: s.provider })}`);
      onChanged();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <>
      <ErrorBox error={error} />
      {sources.length === 0 ? (
        <p class="muted">No asset is linked to a provider yet.</p>
      ) : (
        <Table testid="sync-sources" head={['Asset', 'Provider', 'Provider symbol', 'Intervals', 'Linked', 'Actions']}>
          {sources.map((s) => (
            <tr key={s.id}>
              <td>{s.asset}</td>
              <td>{s.provider}</td>
              <td>{s.market}</td>
              <td>{s.intervals.join(', ')}</td>
              <td>{time(s.created_at)}</td>
              <td class="actions">
                <button
                  type="button"
                  class="danger"
                  aria-label={`Remove ${s.asset} from ${s.provider}`}
                  onClick={() => void remove(s)}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}

function StatusTable({ rows }: { rows: StatusRow[] }) {
  if (rows.length === 0) return <p class="muted">Nothing to sync.</p>;
  return (
    <Table
      testid="sync-status"
      head={['Asset', 'Interval', 'Provider', 'State', 'Last candle', 'Lag', 'Failures', 'Gaps', 'Last error']}
      num={['Lag', 'Failures', 'Gaps']}
    >
      {rows.map((r) => (
        <tr key={`${r.source_id}/${r.interval}`} class={`sync-${r.state}`}>
          <td>{r.asset}</td>
          <td>{r.interval}</td>
          <td>{r.provider}</td>
          <td>
            <span class={`badge state-${r.state}`}>{r.state}</span>
          </td>
          <td>{time(r.last_candle)}</td>
          <td class="num">{lag(r.lag_seconds)}</td>
          <td class="num">{r.failures}</td>
          <td class="num">{r.gaps}</td>
          <td class="wrap">{r.last_error ?? '–'}</td>
        </tr>
      ))}
    </Table>
  );
}

/** Picks one source and one of its intervals (for gaps and backfill). */
function SeriesPicker({
  sources,
  source,
  interval,
  onChange,
}: {
  sources: Source[];
  source: Source;
  interval: string;
  onChange: (v: { source: string; interval: string }) => void;
}) {
  return (
    <>
      <Field label="Source">
        <select
          value={source.id}
          onChange={(e) => {
            const s = sources.find((x) => x.id === e.currentTarget.value);
            onChange({ source: e.currentTarget.value, interval: s?.intervals[0] ?? '' });
          }}
        >
          {sources.map((s) => (
            <option key={s.id} value={s.id}>
              {s.asset} from {s.provider}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Interval">
        <select value={interval} onChange={(e) => onChange({ source: source.id, interval: e.currentTarget.value })}>
          {source.intervals.map((i) => (
            <option key={i}>{i}</option>
          ))}
        </select>
      </Field>
    </>
  );
}

function GapsAndBackfill({ sources, onSynced }: { sources: Source[]; onSynced: () => void }) {
  const [pick, setPick] = useState({ source: '', interval: '' });
  const [range, setRange] = useState({ from: '', to: '' });
  // Answers are kept with the series they are for: another pick (or an unlinked source) hides them.
  const [gaps, setGaps] = useState<{ series: string; rows: Gap[] } | null>(null);
  const [result, setResult] = useState<{ series: string; r: Backfilled } | null>(null);
  const [busy, setBusy] = useState<'gaps' | 'backfill' | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The chosen source and interval, the first ones while nothing (or something since unlinked) is picked.
  const s = sources.find((x) => x.id === pick.source) ?? sources[0];
  if (!s) return null;
  const interval = s.intervals.includes(pick.interval) ? pick.interval : s.intervals[0];
  const series = `${s.id}/${interval}`;
  const run = async (what: 'gaps' | 'backfill', fn: () => Promise<void>) => {
    setBusy(what);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  };
  const showGaps = () =>
    run('gaps', async () => {
      const rows = await get<Gap[]>(
        `/api/admin/sync/gaps?${qs({ asset: s.asset_id, provider: s.provider, interval })}`,
      );
      setGaps({ series, rows });
    });
  const backfill = (e: Event) => {
    e.preventDefault();
    void run('backfill', async () => {
      setResult(null);
      const r = await api<Backfilled>('POST', '/api/admin/sync/backfill', {
        asset: s.asset_id,
        provider: s.provider,
        interval,
        from: range.from,
        to: range.to || undefined,
      });
      setResult({ series, r });
      onSynced();
    });
  };
  const shownGaps = gaps?.series === series ? gaps.rows : null;
  const done = result?.series === series ? result.r : null;
  return (
    <form class="stack wide" onSubmit={backfill} aria-label="Gaps and backfill">
      <h3>Gaps and backfill</h3>
      <SeriesPicker sources={sources} source={s} interval={interval} onChange={setPick} />
      <button type="button" disabled={busy !== null} onClick={() => void showGaps()}>
        {busy === 'gaps' ? 'Loading gaps…' : 'Show gaps'}
      </button>
      {shownGaps &&
        (shownGaps.length === 0 ? (
          <p class="muted" data-testid="sync-gaps">
            No gaps recorded for {s.asset} {interval}.
          </p>
        ) : (
          <Table testid="sync-gaps" head={['From', 'To', 'Reason', 'Attempts']} num={['Attempts']}>
            {shownGaps.map((g) => (
              <tr key={g.from_ts}>
                <td>{time(g.from_ts)}</td>
                <td>{time(g.to_ts)}</td>
                <td class="wrap">{g.reason}</td>
                <td class="num">{g.attempts}</td>
              </tr>
            ))}
          </Table>
        ))}
      <div class="row">
        <Field label="Backfill from (UTC day)">
          <input
            type="date"
            required
            value={range.from}
            onInput={(e) => setRange({ ...range, from: e.currentTarget.value })}
          />
        </Field>
        <Field label="to (empty: now)">
          <input type="date" value={range.to} onInput={(e) => setRange({ ...range, to: e.currentTarget.value })} />
        </Field>
      </div>
      <ErrorBox error={error} />
      <button type="submit" class="primary" disabled={busy !== null}>
        {busy === 'backfill' ? 'Backfilling… (it answers when done)' : 'Start backfill'}
      </button>
      {busy === 'backfill' && <Loading what="Fetching history from the provider" />}
      {done && (
        <p role="status" data-testid="backfill-result">
          Backfilled {s.asset} {interval} from {time(done.from)} to {time(done.to)}: {done.inserted} new, {done.updated}{' '}
          updated candle(s), {done.gaps} gap(s), {done.requests} request(s) in {done.seconds} s.
        </p>
      )}
    </form>
  );
}

export function SyncSection() {
  const sources = useLoad(() => get<Source[]>('/api/admin/sync/sources'), []);
  const status = useLoad(() => get<StatusRow[]>('/api/admin/sync/status'), []);
  const reload = () => {
    sources.reload();
    status.reload();
  };
  return (
    <section class="admin-section" aria-labelledby="sync-title">
      <h2 id="sync-title">Data sync</h2>
      {sources.loading && !sources.data && <Loading />}
      <ErrorBox error={sources.error} retry={sources.reload} />
      {sources.data && <SourcesTable sources={sources.data} onChanged={reload} />}
      <h3>Status</h3>
      {status.loading && !status.data && <Loading />}
      <ErrorBox error={status.error} retry={status.reload} />
      {status.data && <StatusTable rows={status.data} />}
      <div class="sync-forms">
        <AddSource onAdded={reload} />
        {sources.data && <GapsAndBackfill sources={sources.data} onSynced={reload} />}
      </div>
    </section>
  );
}
