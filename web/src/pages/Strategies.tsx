/**
 * Strategies: the user's rules (docs/strategies.md). Pick one or start a new one; the rules are checked by the API's
 * parser as you type and previewed on a chosen symbol's chart; save (a new version), delete, run a backtest over the
 * previewed bars (trades as markers, equity and drawdown below) and sweep two parameters.
 */
import { useMemo, useState } from 'preact/hooks';
import { api, get } from '../api.ts';
import { useLoad, useSubmit, useUser } from '../hooks.ts';
import { StrategyEditor } from '../strategies/Editor.tsx';
import { RunPanel, type RunShown } from '../strategies/RunPanel.tsx';
import { SweepPanel } from '../strategies/SweepPanel.tsx';
import { PreviewWhere } from '../strategies/PreviewWhere.tsx';
import { barsOf, type Strategy } from '../strategies/types.ts';
import { useMarks } from '../strategies/use-marks.ts';
import { type Draft, parseParams, useLiveCheck, type Where } from '../strategies/use-live-check.ts';
import { curvesOf, useStrategyChart } from '../strategies/use-strategy-chart.ts';
import { ErrorBox, Loading } from '../ui.tsx';
import '../strategies/strategies.css';

const NEW: Draft = {
  name: '',
  entry: 'crosses_above(sma(close, $fast), sma(close, $slow))',
  exit: 'crosses_below(sma(close, $fast), sma(close, $slow))',
  params: '{"fast": 10, "slow": 30}',
  description: '',
};

const draftOf = (s: Strategy): Draft => ({
  name: s.name,
  entry: s.entry,
  exit: s.exit,
  params: JSON.stringify(s.params),
  description: s.description,
});

const numbersOf = (p: Record<string, unknown> | undefined): Record<string, number> =>
  Object.fromEntries(Object.entries(p ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number'));

function useSymbols(): string[] {
  const m = useLoad(() => get<{ items: { symbol: string }[] }>('/api/markets'), []);
  return (m.data?.items ?? []).map((i) => i.symbol);
}

export function StrategiesPage() {
  const user = useUser();
  const list = useLoad(() => (user ? get<Strategy[]>('/api/strategies') : Promise.resolve([])), [user?.id]);
  const symbols = useSymbols();
  const [selected, setSelected] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft>(NEW);
  const [where, setWhere] = useState<Where>({ symbol: '', interval: '1h', bars: 500 });
  const [shown, setShown] = useState<RunShown | null>(null);
  const at = { ...where, symbol: where.symbol || symbols[0] || '' };
  const live = useLiveCheck(draft, at);

  const bars = useMemo(() => (live.preview ? barsOf(live.preview) : []), [live.preview]);
  const run = shown && shown.run.symbol === at.symbol ? shown : null;
  const marks = useMarks(run, live.preview);
  const curves = useMemo(() => {
    if (!run || !live.preview) return null;
    const times = live.preview.bars.time;
    // The run covered the previewed bars; should more have arrived since, its equity aligns with the last ones.
    return curvesOf(times.slice(-run.equity.length), run.equity.slice(-times.length));
  }, [run, live.preview]);
  const chart = useStrategyChart(bars, marks, curves);

  const pick = (s: Strategy | null) => {
    setSelected(s?.name ?? null);
    setDraft(s ? draftOf(s) : NEW);
    setShown(null);
  };
  const save = useSubmit(async () => {
    const { params, problem } = parseParams(draft.params);
    if (problem) throw new Error(`params ${problem.message}`);
    const s = await api<Strategy>('POST', '/api/strategies', { ...draft, params });
    setSelected(s.name);
    list.reload();
  });
  const remove = useSubmit(async () => {
    if (!selected || !confirm(`Delete strategy ${selected} with its versions and backtest runs?`)) return;
    await api('DELETE', `/api/strategies/${encodeURIComponent(selected)}`);
    pick(null);
    list.reload();
  });

  if (!user) return <p>Log in to write strategies.</p>;
  const t = live.preview?.bars.time ?? [];
  return (
    <section class="strategies-page">
      <h1>Strategies</h1>
      {list.data?.length === 0 && (
        <p class="empty-hint" data-testid="empty-strategies">
          You have no strategy yet: write an entry and an exit rule below (for example{' '}
          <code>crosses_above(sma(close, 10), sma(close, 30))</code>) and press Save; the chart shows where they hold.
        </p>
      )}
      <div class="strategies">
        <nav class="lists" aria-label="Your strategies">
          {list.loading && <Loading what="Loading strategies" />}
          <ErrorBox error={list.error} retry={list.reload} />
          {(list.data ?? []).map((s) => (
            <button key={s.name} type="button" aria-pressed={s.name === selected} onClick={() => pick(s)}>
              {s.name} <span class="muted">v{s.version}</span>
            </button>
          ))}
          <button type="button" aria-pressed={selected === null} onClick={() => pick(null)}>
            New strategy
          </button>
        </nav>
        <div class="stack">
          <form class="stack" onSubmit={save.submit} aria-label="Strategy">
            <h2>{selected ?? 'New strategy'}</h2>
            <StrategyEditor draft={draft} onChange={setDraft} problems={live.problems} saved={selected !== null} />
            <p class="muted" role="status" data-testid="check-status">
              {live.checking
                ? 'Checking…'
                : live.problems.length
                  ? `${live.problems.length} problem(s)`
                  : 'Rules are valid'}
            </p>
            <div class="row">
              <button type="submit" disabled={save.busy || live.problems.length > 0}>
                {selected ? 'Save as a new version' : 'Save'}
              </button>
              {selected && (
                <button type="button" class="danger" onClick={remove.submit} disabled={remove.busy}>
                  Delete
                </button>
              )}
            </div>
            <ErrorBox error={save.error ?? remove.error} />
          </form>
          <PreviewWhere at={at} symbols={symbols} onChange={setWhere} />
          <ErrorBox error={live.previewError} />
          <p class="muted">
            {run
              ? `Trades of the run: ▲ entry, ▼ exit; equity and drawdown below.`
              : `Where the rules are true: ▲ entry, ▼ exit (${live.preview?.entry.length ?? 0} and ${live.preview?.exit.length ?? 0} bars).`}
          </p>
          <div class="chart-box">
            <div
              ref={chart.el}
              class="chart strategy-chart"
              data-testid="strategy-chart"
              data-bars={bars.length}
              data-markers={chart.stats.markers}
              data-panes={chart.stats.panes}
              data-mode={run ? 'run' : 'preview'}
            />
          </div>
          <RunPanel
            strategy={selected}
            symbol={at.symbol}
            interval={at.interval}
            range={t.length ? { from: t[0], to: t[t.length - 1] } : null}
            shown={run}
            onRun={setShown}
          />
          <SweepPanel
            key={selected ?? ''}
            strategy={selected}
            params={numbersOf(parseParams(draft.params).params)}
            symbol={at.symbol}
            interval={at.interval}
            range={t.length ? { from: t[0], to: t[t.length - 1] } : null}
          />
        </div>
      </div>
    </section>
  );
}
