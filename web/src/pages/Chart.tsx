/** Chart: candles and volume for any interval, paged back in history, indicators, signals and a backtest. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { AsOf } from '../as-of.tsx';
import { type ActiveIndicator, INTERVALS, loadChoice, saveChoice } from '../chart/catalog.ts';
import { IndicatorPicker } from '../chart/IndicatorPicker.tsx';
import { ActiveSignals, Legend } from '../chart/Legend.tsx';
import { useCandles } from '../chart/use-candles.ts';
import { useChartView } from '../chart/use-chart-view.ts';
import { lastIndicatorValue, useIndicators } from '../chart/use-indicators.ts';
import { useSignals } from '../chart/use-signals.ts';
import { pct, price } from '../format.ts';
import { useUser } from '../hooks.ts';
import { ErrorBox, Loading } from '../ui.tsx';
import { BacktestPanel } from './Backtest.tsx';

/** The interval shown, remembered across visits. */
function useChosenInterval(): [string, (i: string) => void] {
  const [interval, choose] = useState(() => localStorage.getItem('tm.interval') ?? '1h');
  useEffect(() => localStorage.setItem('tm.interval', interval), [interval]);
  return [interval, choose];
}

/** The user's indicators, remembered per user. */
function useIndicatorChoice(username: string | undefined): [ActiveIndicator[], (l: ActiveIndicator[]) => void] {
  const [list, setList] = useState<ActiveIndicator[]>(() => loadChoice(username));
  useEffect(() => setList(loadChoice(username)), [username]);
  const change = (l: ActiveIndicator[]) => {
    saveChoice(username, l);
    setList(l);
  };
  return [list, change];
}

export function ChartPage({ symbol }: { symbol: string }) {
  const user = useUser();
  const [interval, chooseInterval] = useChosenInterval();
  const [indicators, setIndicators] = useIndicatorChoice(user?.username);
  const candles = useCandles(symbol, interval);
  const ind = useIndicators({ symbol, interval, indicators, range: candles.range, version: candles.version });
  const sig = useSignals(symbol, interval, candles.assetId);
  const { el, cross, stats } = useChartView(candles, ind.data, sig.signals);

  const { bars } = candles;
  const lastBar = bars[bars.length - 1];
  const prevBar = bars[bars.length - 2];
  const change = lastBar && prevBar ? ((lastBar.close - prevBar.close) / prevBar.close) * 100 : null;
  const indicatorLast = lastIndicatorValue(ind.data);
  // For tests comparing a live page with a reload: every close counts, cheaply.
  const closeSum = useMemo(() => bars.reduce((sum, b) => sum + b.close, 0).toFixed(6), [bars]);
  const settled = !candles.loading && ind.data !== null && sig.loaded;

  return (
    <section class="chart-page">
      <div class="chart-head">
        <h1>
          {symbol}{' '}
          <span class="muted" data-testid="chart-price">
            {price(lastBar?.close)}
          </span>{' '}
          <span class={change && change < 0 ? 'down' : 'up'} data-testid="chart-change">
            {pct(change)}
          </span>{' '}
          <AsOf ts={lastBar ? lastBar.time * 1000 : null} interval={interval} simulated={candles.simulated} />
        </h1>
        <fieldset class="intervals">
          <legend class="sr-only">Interval</legend>
          {INTERVALS.map((i) => (
            <button key={i} type="button" aria-pressed={i === interval} onClick={() => chooseInterval(i)}>
              {i}
            </button>
          ))}
        </fieldset>
      </div>
      <ErrorBox error={candles.error ?? ind.error ?? sig.error} />
      <Legend cross={cross} lastBar={lastBar} />
      <div class="chart-box">
        <div
          ref={el}
          class="chart"
          data-testid="chart"
          data-bars={bars.length}
          data-first={bars[0]?.time ?? ''}
          data-last={lastBar?.time ?? ''}
          data-panes={stats.panes}
          data-markers={stats.markers}
          data-indicator-last={indicatorLast ?? ''}
          data-version={candles.version}
          data-close-sum={closeSum}
          data-settled={settled}
        />
        {candles.loading && (
          <div class="overlay">
            <Loading what="Loading candles" />
          </div>
        )}
        {!candles.loading && bars.length === 0 && !candles.error && (
          <div class="overlay">
            No {interval} candles for {symbol}.
          </div>
        )}
        {candles.older === 'loading' && <div class="older">Loading older bars…</div>}
      </div>
      <div class="side">
        <IndicatorPicker list={indicators} onChange={setIndicators} />
        <ActiveSignals signals={sig.signals} interval={interval} />
        <BacktestPanel symbol={symbol} interval={interval} />
      </div>
    </section>
  );
}
