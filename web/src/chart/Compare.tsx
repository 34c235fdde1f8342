/**
 * Compare: add up to three symbols (searched by symbol or name) to overlay in percent; each has a legend
 * entry in its line's colour with a button that removes it.
 */
import { useRef } from 'preact/hooks';
import { SymbolSearch } from './SymbolSearch.tsx';
import type { CompareLine } from './use-compare.ts';
import { MAX_COMPARE } from './url-state.ts';

export function Compare({
  symbol,
  lines,
  onChange,
}: {
  symbol: string;
  lines: CompareLine[];
  onChange: (symbols: string[]) => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const symbols = lines.map((l) => l.symbol);
  return (
    <div class="compare">
      {symbols.length < MAX_COMPARE && (
        <SymbolSearch
          id="compare"
          label="Compare with"
          placeholder="Compare with…"
          shortcut={false}
          inputRef={input}
          onPick={(s) => {
            if (s !== symbol && !symbols.includes(s)) onChange([...symbols, s]);
          }}
        />
      )}
      {lines.length > 0 && (
        <ul class="compare-legend" aria-label="Compared symbols (percent from the first visible bar)">
          <li class="compare-entry muted">
            <span class="swatch main-swatch" aria-hidden="true" />
            {symbol} %
          </li>
          {lines.map((l) => (
            <li
              key={l.symbol}
              class="compare-entry"
              data-testid="compare-entry"
              data-symbol={l.symbol}
              data-points={l.bars?.length ?? ''}
            >
              <span class="swatch" style={{ background: l.color }} aria-hidden="true" />
              <span>{l.symbol}</span>
              {l.error && <span class="field-problem">{l.error}</span>}
              {l.bars?.length === 0 && <span class="muted">(no bars at these times)</span>}
              <button
                type="button"
                class="link"
                aria-label={`Remove ${l.symbol} from the comparison`}
                onClick={() => onChange(symbols.filter((s) => s !== l.symbol))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
