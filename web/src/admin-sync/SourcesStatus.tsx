/** The linked sources (with unlink) and the sync status of each series. */
import { useState } from 'preact/hooks';
import { api, qs } from '../api.ts';
import { time } from '../format.ts';
import { errorText } from '../hooks.ts';
import { ErrorBox, Table } from '../ui.tsx';
import { lag, type Source, type StatusRow } from './types.ts';

export function SourcesTable({ sources, onChanged }: { sources: Source[]; onChanged: () => void }) {
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
        <Table
          testid="sync-sources"
          label="Linked sources"
          head={['Asset', 'Provider', 'Provider symbol', 'Intervals', 'Linked', 'Actions']}
        >
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

export function StatusTable({ rows }: { rows: StatusRow[] }) {
  if (rows.length === 0) return <p class="muted">Nothing to sync.</p>;
  return (
    <Table
      testid="sync-status"
      label="Sync status"
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
