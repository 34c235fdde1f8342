/** The chart's markers: a run's trades when one is shown, else where the previewed rules are true. */
import { useMemo } from 'preact/hooks';
import type { RunShown } from './RunPanel.tsx';
import type { Mark, Preview } from './types.ts';

export function useMarks(run: RunShown | null, preview: Preview | null | undefined): Mark[] {
  return useMemo((): Mark[] => {
    if (run) {
      const sec = (t: string) => Math.floor(Date.parse(t) / 1000);
      return run.run.trades.flatMap((t): Mark[] => [
        { time: sec(t.entry_time), kind: 'entry', short: t.size < 0 },
        {
          time: sec(t.exit_time),
          kind: 'exit',
          short: t.size < 0,
          text: t.exit_reason === 'exit' ? '' : t.exit_reason,
        },
      ]);
    }
    if (!preview) return [];
    return [
      ...preview.entry.map((time): Mark => ({ time, kind: 'entry' })),
      ...preview.exit.map((time): Mark => ({ time, kind: 'exit' })),
    ];
  }, [preview, run]);
}
