/**
 * The chart's default line colours (indicators and compared symbols) keep at least 3:1 contrast (WCAG
 * 1.4.11, graphical objects) against both themes' backgrounds, and an indicator's style round-trips
 * through its URL form.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

// Loaded by a computed path: the web app's modules are typed against the DOM (web/tsconfig.json), which the
// server's typecheck leaves out; these functions touch no DOM.
interface Indicator {
  id: number;
  type: string;
  params: Record<string, number>;
  colors?: string[];
  width?: number;
}
const web = (file: string) => new URL(`../../web/src/chart/${file}`, import.meta.url).href;
const { BACKGROUNDS, COMPARE_COLORS, contrast, INDICATORS } = (await import(web('catalog.ts'))) as {
  BACKGROUNDS: Record<string, string>;
  COMPARE_COLORS: string[];
  contrast: (a: string, b: string) => number;
  INDICATORS: { type: string; colors: string[]; outputs: string[] }[];
};
const { formatIndicators, parseCompare, parseIndicators } = (await import(web('url-state.ts'))) as {
  formatIndicators: (l: Indicator[]) => string;
  parseCompare: (t: string) => string[];
  parseIndicators: (t: string) => Indicator[];
};

test('default chart colours: at least 3:1 against the light and the dark background [any]', () => {
  const css = readFileSync(new URL('../../web/src/styles.css', import.meta.url), 'utf8');
  const bgs = [...css.matchAll(/--bg:\s*(#[0-9a-f]{6})/gi)].map((m) => m[1].toLowerCase());
  assert.deepEqual([...new Set(bgs)].sort(), Object.values(BACKGROUNDS).sort(), 'the themes use these backgrounds');
  const low: string[] = [];
  const all = [
    ...INDICATORS.flatMap((s) => s.colors.map((c, i) => [`${s.type} ${s.outputs[i]}`, c])),
    ...COMPARE_COLORS.map((c, i) => [`compare ${i + 1}`, c]),
  ];
  for (const [what, c] of all)
    for (const [theme, bg] of Object.entries(BACKGROUNDS)) {
      const r = contrast(c, bg);
      if (r < 3) low.push(`${what} ${c} on ${theme}: ${r.toFixed(2)}`);
    }
  assert.deepEqual(low, []);
  assert.equal(contrast('#111827', BACKGROUNDS.dark) < 3, true, 'the check catches the old invisible line');
  for (const s of INDICATORS) assert.equal(s.colors.length, s.outputs.length, s.type);
});

test('an indicator style in the URL: colours per output and a width, defaults left out [any]', () => {
  const list = parseIndicators('sma:20:cDC2626:w2,macd:12:26:9:c2563eb:c0f766e:c64748b,rsi:14:w9,ema:10:c123');
  assert.deepEqual(list[0], { id: 1, type: 'sma', params: { period: 20 }, colors: ['#dc2626'], width: 2 });
  assert.deepEqual(list[1].colors, ['#2563eb', '#0f766e', '#64748b']);
  assert.deepEqual(list[1].params, { fast: 12, slow: 26, signal: 9 });
  assert.equal(list[2].width, undefined, 'a width out of 1..4 is ignored');
  assert.equal(list[3].colors, undefined, 'a malformed colour is ignored');
  assert.equal(formatIndicators(list), 'sma:20:cdc2626:w2,macd:12:26:9:c2563eb:c0f766e:c64748b,rsi:14,ema:10');
  assert.deepEqual(parseCompare('MSFT,ETH-USD,MSFT,,A,B'), ['MSFT', 'ETH-USD', 'A']);
});
