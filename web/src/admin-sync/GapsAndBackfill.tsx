/** A series' recorded gaps, and a backfill of a date range from its provider. */
import { useState } from 'preact/hooks';
import { api, get, qs } from '../api.ts';
import { time } from '../format.ts';
import { errorText } from '../hooks.ts';
import { ErrorBox, Field, Loading, Table } from '../ui.tsx';
import type { Backfilled, Gap, Source } from './types.ts';

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

export function GapsAndBackfill({ sources, onSynced }: { sources: Source[]; onSynced: () => void }) {
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
          <Table testid="sync-gaps" label="Gaps" head={['From', 'To', 'Reason', 'Attempts']} num={['Attempts']}>
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
