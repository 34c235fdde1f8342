/** Chart: candles and volume for any interval, paged back in history, indicators, signals and a backtest. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, qs } from '../api.ts';
import {
  type ActiveIndicator,
  INDICATORS,
  INTERVAL_SECONDS,
  INTERVALS,
  loadChoice,
  saveChoice,
  specOf,
} from '../chart/catalog.ts';
import type { Bar, Crosshair, SeriesData, Signal } from '../chart/view.ts';
import { pct, price, time, volume } from '../format.ts';
import { errorText, useUser } from '../hooks.ts';
import { on } from '../live.ts';
import { ErrorBox, Loading } from '../ui.tsx';
import { BacktestPanel } from './Backtest.tsx';

interface CandleRow {
  ts: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}
interface CandlePage {
  asset: { id: string; symbol: string };
  candles: CandleRow[];
}

/** Bars per page: the first page and each older page fetched on scroll-back. */
const PAGE = 5000;
const toBar = (c: CandleRow): Bar => ({
  time: Math.floor(Date.parse(c.ts) / 1000),
  open: Number(c.open),
  high: Number(c.high),
  low: Number(c.low),
  close: Number(c.close),
  volume: Number(c.volume),
});
const iso = (sec: number) => new Date(sec * 1000).toISOString();

async function candlePage(symbol: string, interval: string, fromSec: number, toSec: number) {
  return get<CandlePage>(`/api/candles?${qs({ symbol, interval, from: iso(fromSec), to: iso(toSec), limit: 10_000 })}`);
}

export function ChartPage({ symbol }: { symbol: string }) {
  const user = useUser();
  const el = useRef<HTMLDivElement>(null);
  const view = useRef<import('../chart/view.ts').ChartView | null>(null);
  const [interval, setInterval] = useState(() => localStorage.getItem('tm.interval') ?? '1h');
  const [bars, setBars] = useState<Bar[]>([]);
  const [assetId, setAssetId] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [older, setOlder] = useState<'idle' | 'loading' | 'done'>('idle');
  const [error, setError] = useState<string | null>(null);
  const [indicators, setIndicators] = useState<ActiveIndicator[]>(() => loadChoice(user?.username));
  const [signals, setSignals] = useState<Signal[]>([]);
  const [cross, setCross] = useState<Crosshair | null>(null);
  const [stats, setStats] = useState({ panes: 1, markers: 0 });
  // The time window the chart covers (what indicators are computed for): grows with older pages and live bars.
  const [range, setRange] = useState<{ from: number; to: number } | null>(null);
  const ready = useRef({ candles: false, indicators: false });
  const [indicatorData, setIndicatorData] = useState<{ ind: ActiveIndicator; data: SeriesData }[] | null>(null);
  // For bench:web (Performance API): candles and indicators are both on the chart.
  const markReady = () => {
    if (ready.current.candles && ready.current.indicators && !performance.getEntriesByName('tm:chart-ready').length)
      performance.mark('tm:chart-ready');
  };
  const state = useRef({ bars: [] as Bar[], loadingOlder: false, exhausted: false, interval, symbol });
  state.current.interval = interval;
  state.current.symbol = symbol;

  useEffect(() => setIndicators(loadChoice(user?.username)), [user?.username]);

  // The chart object lives as long as the page; lightweight-charts is loaded on demand (its own chunk).
  useEffect(() => {
    let dead = false;
    void import('../chart/view.ts').then(({ ChartView }) => {
      if (dead || !el.current) return;
      view.current = new ChartView(el.current, setCross, () => void loadOlder());
      if (state.current.bars.length) view.current.setBars(state.current.bars);
      setBars((b) => [...b]);
    });
    return () => {
      dead = true;
      view.current?.remove();
      view.current = null;
    };
  }, []);

  const showBars = (next: Bar[], keepView: boolean) => {
    state.current.bars = next;
    setBars(next);
    view.current?.setBars(next, keepView);
  };

  // First page: the newest bars of the interval.
  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    setOlder('idle');
    state.current.exhausted = false;
    localStorage.setItem('tm.interval', interval);
    // Another series: nothing of the previous one may stay on the time scale.
    setIndicatorData(null);
    view.current?.setIndicators([]);
    view.current?.setSignals([]);
    const step = INTERVAL_SECONDS[interval];
    (async () => {
      // The window ending now is asked at once (indicators for it in parallel); only when it is empty
      // is the series' last bar looked up, for data that ends in the past.
      let to = Math.floor(Date.now() / 1000 / step) * step + step;
      setRange({ from: to - PAGE * step, to });
      let page = await candlePage(symbol, interval, to - PAGE * step, to);
      if (page.candles.length === 0) {
        const latest = await get<{ items: CandleRow[] }>(
          `/api/queries/latest-candles?${qs({ symbol, interval, limit: 1 })}`,
        );
        if (latest.items.length) {
          to = Math.floor(Date.parse(latest.items[0].ts) / 1000) + step;
          if (live) setRange({ from: to - PAGE * step, to });
          page = await candlePage(symbol, interval, to - PAGE * step, to);
        }
      }
      if (!live) return;
      setAssetId(page.asset.id);
      showBars(page.candles.map(toBar), false);
      view.current?.fitRecent();
      ready.current.candles = true;
      markReady();
    })()
      .catch((err: unknown) => live && setError(errorText(err)))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [symbol, interval]);

  // Scrolled back to the oldest bar: fetch the page before it (empty windows are skipped a few times).
  async function loadOlder(): Promise<void> {
    const s = state.current;
    if (s.loadingOlder || s.exhausted || s.bars.length === 0) return;
    s.loadingOlder = true;
    setOlder('loading');
    const step = INTERVAL_SECONDS[s.interval];
    try {
      let to = s.bars[0].time;
      for (let tries = 0; tries < 4; tries++) {
        const page = await candlePage(s.symbol, s.interval, to - PAGE * step, to);
        if (page.candles.length) {
          const add = page.candles.map(toBar).filter((b) => b.time < s.bars[0].time);
          showBars([...add, ...s.bars], true);
          setOlder('idle');
          return;
        }
        to -= PAGE * step;
      }
      s.exhausted = true;
      setOlder('done');
    } catch (err) {
      setError(errorText(err));
      setOlder('idle');
    } finally {
      s.loadingOlder = false;
    }
  }

  // Indicators over the covered range, recomputed when the range or the choice changes.
  const first = bars[0]?.time;
  const last = bars[bars.length - 1]?.time;
  useEffect(() => {
    if (last !== undefined && range && last >= range.to) setRange({ ...range, to: last + INTERVAL_SECONDS[interval] });
    if (first !== undefined && range && first < range.from) setRange({ ...range, from: first });
  }, [first, last]);
  // Fetched as soon as the window is known (in parallel with the candles), drawn once the chart exists.
  useEffect(() => {
    saveChoice(user?.username, indicators);
    if (!range) return;
    let live = true;
    // The server computes at most 20,000 bars a request: after a long scroll-back, the newest of them.
    const to = range.to;
    const from = Math.max(range.from, to - 20_000 * INTERVAL_SECONDS[interval]);
    Promise.all(
      indicators.map((ind) =>
        get<SeriesData>(
          `/api/indicators/series?${qs({ symbol, interval, type: ind.type, params: JSON.stringify(ind.params), from: iso(from), to: iso(to) })}`,
        ).then((data) => ({ ind, data })),
      ),
    ).then(
      (list) => live && setIndicatorData(list),
      (err: unknown) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [indicators, range, interval, symbol]);
  useEffect(() => {
    if (!indicatorData || !view.current) return;
    view.current.setIndicators(indicatorData);
    setStats((s) => ({ ...s, panes: view.current?.paneCount() ?? 1 }));
    ready.current.indicators = true;
    markReady();
  }, [indicatorData, view.current]);

  // Signals of the asset and interval, as markers.
  const [signalTick, setSignalTick] = useState(0);
  useEffect(() => {
    let live = true;
    get<{ items: Signal[] }>(`/api/signals?${qs({ symbol, interval, limit: 1000 })}`).then(
      (r) => {
        if (!live) return;
        setSignals(r.items);
      },
      (err: unknown) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [symbol, interval, signalTick]);
  useEffect(() => {
    view.current?.setSignals(signals);
    setStats((s) => ({ ...s, markers: view.current?.markerCount() ?? 0 }));
  }, [signals, first, view.current]);

  // Live: the last bar moves, new signals appear.
  useEffect(() => {
    const offCandle = on('candle', (c) => {
      if (c.asset_id !== assetId || c.interval !== interval) return;
      const b = toBar(c);
      view.current?.updateBar(b);
      const cur = state.current.bars;
      const next = cur.length && cur[cur.length - 1].time === b.time ? [...cur.slice(0, -1), b] : [...cur, b];
      state.current.bars = next;
      setBars(next);
    });
    const offSignal = on('signal', (s) => {
      if (s.asset_id === assetId && s.timeframe === interval) setSignalTick((t) => t + 1);
    });
    return () => {
      offCandle();
      offSignal();
    };
  }, [assetId, interval]);

  const lastBar = bars[bars.length - 1];
  const prevBar = bars[bars.length - 2];
  const change = lastBar && prevBar ? ((lastBar.close - prevBar.close) / prevBar.close) * 100 : null;
  const active = signals.filter((s) => s.is_active);
  const shown = cross?.bar ?? lastBar;

  return (
    <section class="chart-page">
      <div class="chart-head">
        <h1>
          {symbol} <span class="muted">{price(lastBar?.close)}</span>{' '}
          <span class={change && change < 0 ? 'down' : 'up'}>{pct(change)}</span>
        </h1>
        <fieldset class="intervals">
          <legend class="sr-only">Interval</legend>
          {INTERVALS.map((i) => (
            <button key={i} type="button" aria-pressed={i === interval} onClick={() => setInterval(i)}>
              {i}
            </button>
          ))}
        </fieldset>
      </div>
      <ErrorBox error={error} />
      <div class="legend" data-testid="legend" aria-live="off">
        {shown ? (
          <>
            <span>{time(shown.time)}</span> <span>O {price(shown.open)}</span> <span>H {price(shown.high)}</span>{' '}
            <span>L {price(shown.low)}</span> <span>C {price(shown.close)}</span> <span>V {volume(shown.volume)}</span>
            {cross?.values.map((v) => (
              <span key={v.label}>
                {v.label} {price(v.value)}
              </span>
            ))}
          </>
        ) : (
          <span>&nbsp;</span>
        )}
        {cross?.signals.map((s) => (
          <div class="signal-detail" key={s.id} data-testid="signal-detail">
            <strong class={s.signal_type.includes('buy') ? 'up' : 'down'}>{s.signal_type.replace('_', ' ')}</strong>{' '}
            {s.strategy} · confidence {(s.confidence * 100).toFixed(0)} % · price {price(s.price)} · target{' '}
            {price(s.target_price)} · stop {price(s.stop_loss)}
            <div class="muted">{s.rationale}</div>
          </div>
        ))}
      </div>
      <div class="chart-box">
        <div
          ref={el}
          class="chart"
          data-testid="chart"
          data-bars={bars.length}
          data-panes={stats.panes}
          data-markers={stats.markers}
        />
        {loading && (
          <div class="overlay">
            <Loading what="Loading candles" />
          </div>
        )}
        {!loading && bars.length === 0 && !error && (
          <div class="overlay">
            No {interval} candles for {symbol}.
          </div>
        )}
        {older === 'loading' && <div class="older">Loading older bars…</div>}
      </div>
      <div class="side">
        <IndicatorPicker list={indicators} onChange={setIndicators} />
        <section>
          <h2>Active signals</h2>
          {active.length === 0 ? (
            <p class="muted">No active {interval} signal.</p>
          ) : (
            <ul class="signals">
              {active.slice(0, 10).map((s) => (
                <li key={s.id}>
                  <strong class={s.signal_type.includes('buy') ? 'up' : 'down'}>
                    {s.signal_type.replace('_', ' ')}
                  </strong>{' '}
                  {s.strategy} at {price(s.price)} ({time(s.ts)}), target {price(s.target_price)}, stop{' '}
                  {price(s.stop_loss)}
                </li>
              ))}
            </ul>
          )}
        </section>
        <BacktestPanel symbol={symbol} interval={interval} />
      </div>
    </section>
  );
}

function IndicatorPicker({ list, onChange }: { list: ActiveIndicator[]; onChange: (l: ActiveIndicator[]) => void }) {
  const [type, setType] = useState('rsi');
  const add = () => {
    const id = Math.max(0, ...list.map((i) => i.id)) + 1;
    onChange([...list, { id, type, params: { ...specOf(type).params } }]);
  };
  return (
    <section>
      <h2>Indicators</h2>
      <ul class="indicators">
        {list.map((ind) => (
          <li key={ind.id}>
            <span>{specOf(ind.type).label}</span>
            {Object.entries(ind.params).map(([k, v]) => (
              <label key={k} class="param">
                {k}
                <input
                  type="number"
                  value={v}
                  min={k === 'stddev' ? 0.1 : 1}
                  step={k === 'stddev' ? 0.1 : 1}
                  onChange={(e) => {
                    const n = Number(e.currentTarget.value);
                    if (!Number.isFinite(n) || n <= 0) return;
                    onChange(list.map((i) => (i.id === ind.id ? { ...i, params: { ...i.params, [k]: n } } : i)));
                  }}
                />
              </label>
            ))}
            <button
              type="button"
              class="link"
              aria-label={`Remove ${specOf(ind.type).label}`}
              onClick={() => onChange(list.filter((i) => i.id !== ind.id))}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <div class="row">
        <select aria-label="Indicator to add" value={type} onChange={(e) => setType(e.currentTarget.value)}>
          {INDICATORS.map((i) => (
            <option key={i.type} value={i.type}>
              {i.label}
            </option>
          ))}
        </select>
        <button type="button" onClick={add}>
          Add indicator
        </button>
      </div>
    </section>
  );
}
