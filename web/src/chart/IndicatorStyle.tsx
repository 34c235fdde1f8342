/**
 * An indicator's style: a colour per line and the line width, kept in the URL with the indicator
 * (`sma:20:cdc2626:w2`). A colour with less than 3:1 contrast against the page's background is named.
 */
import { type ActiveIndicator, BACKGROUNDS, contrast, specOf } from './catalog.ts';

const WIDTHS = [1, 2, 3, 4];

function background(): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue('--bg').trim();
  return /^#[0-9a-f]{6}$/i.test(v) ? v : BACKGROUNDS.light;
}

export function IndicatorStyle({ ind, onChange }: { ind: ActiveIndicator; onChange: (i: ActiveIndicator) => void }) {
  const spec = specOf(ind.type);
  const colors = ind.colors ?? spec.colors;
  const bg = background();
  const low = colors
    .map((c, i) => ({ c, i, ratio: contrast(c, bg) }))
    .filter((x) => x.ratio < 3)
    .map((x) => `${spec.outputs.length > 1 ? spec.outputs[x.i] : spec.label} ${x.ratio.toFixed(1)}:1`);
  const setColor = (i: number, c: string) => {
    const next = colors.map((x, k) => (k === i ? c.toLowerCase() : x));
    onChange({ ...ind, colors: next.every((x, k) => x === spec.colors[k]) ? undefined : next });
  };
  return (
    <span class="ind-style">
      {colors.map((c, i) => {
        const name = spec.outputs.length > 1 ? `${spec.label} ${spec.outputs[i]}` : spec.label;
        return (
          <input
            key={spec.outputs[i]}
            type="color"
            aria-label={`${name} colour`}
            title={`${name} colour`}
            value={c}
            onChange={(e) => setColor(i, e.currentTarget.value)}
          />
        );
      })}
      <select
        aria-label={`${spec.label} line width`}
        value={String(ind.width ?? 1)}
        onChange={(e) => {
          const w = Number(e.currentTarget.value);
          onChange({ ...ind, width: w === 1 ? undefined : w });
        }}
      >
        {WIDTHS.map((w) => (
          <option key={w} value={w}>
            {w} px
          </option>
        ))}
      </select>
      {low.length > 0 && (
        <span class="note" data-testid="low-contrast">
          Low contrast on this background: {low.join(', ')}
        </span>
      )}
    </span>
  );
}
