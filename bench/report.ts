/**
 * Every benchmark ends by writing its figures as JSON and a bar chart as SVG (docs/bench/<name>.{json,svg}), so
 * docs/performance.md shows the ratios at a glance and a later run can be compared with this one.
 * `--out DIR` writes elsewhere (a scratch run that should not touch the docs).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { machine } from './common.ts';

export interface Bar {
  /** The series the bar belongs to, e.g. "ours", "raw COPY", "TA-Lib C". Same name → same colour. */
  series: string;
  value: number;
}

export interface BarGroup {
  /** What is measured, e.g. "server import" or "sma". */
  label: string;
  bars: Bar[];
  /** Printed right of the group, e.g. "1.08× COPY". */
  note?: string;
}

export interface BenchReport {
  name: string;
  title: string;
  /** The unit of every bar, e.g. "rows/s" or "ms (p50)". */
  unit: string;
  /** Whether a longer bar is better (throughput) or worse (latency); shown in the chart's subtitle. */
  better: 'higher' | 'lower';
  groups: BarGroup[];
  /** 'group' scales each group to its own largest bar: for groups of very different sizes (ms of one query
   *  against seconds of another), where the ratio inside a group is what matters. Default 'shared'. */
  scale?: 'shared' | 'group';
  /** Anything else the benchmark wants kept with its figures (sizes, settings, raw timings). */
  details?: Record<string, unknown>;
}

const COLOURS = ['#2563eb', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#64748b'];
const WIDTH = 760;
const LABEL_W = 170;
const NOTE_W = 120;
const BAR_H = 14;
const GAP = 10;

function outDir(): string {
  const i = process.argv.indexOf('--out');
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : path.join(import.meta.dirname, '..', 'docs', 'bench');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function fmt(v: number): string {
  if (v >= 100) return Math.round(v).toLocaleString('en-US');
  if (v >= 1) return v.toFixed(1);
  return v.toPrecision(2);
}

/** A horizontal grouped bar chart. */
export function renderSvg(r: BenchReport, when = machine()): string {
  const series = [...new Set(r.groups.flatMap((g) => g.bars.map((b) => b.series)))];
  const colour = (s: string) => COLOURS[series.indexOf(s) % COLOURS.length];
  const shared = Math.max(...r.groups.flatMap((g) => g.bars.map((b) => b.value)), 1e-9);
  const plotW = WIDTH - LABEL_W - NOTE_W - 20;
  const out: string[] = [];
  let y = 58;
  for (const g of r.groups) {
    const top = y;
    const max = r.scale === 'group' ? Math.max(...g.bars.map((b) => b.value), 1e-9) : shared;
    for (const b of g.bars) {
      const w = Math.max(1, (b.value / max) * plotW);
      out.push(
        `<rect x="${LABEL_W}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${colour(b.series)}" rx="2"/>`,
        `<text x="${LABEL_W + w + 4}" y="${y + BAR_H - 3}" class="v">${esc(fmt(b.value))}</text>`,
      );
      y += BAR_H + 2;
    }
    const mid = (top + y) / 2 + 4;
    out.push(`<text x="${LABEL_W - 8}" y="${mid}" text-anchor="end">${esc(g.label)}</text>`);
    if (g.note) out.push(`<text x="${WIDTH - 10}" y="${mid}" text-anchor="end" class="n">${esc(g.note)}</text>`);
    y += GAP;
  }
  const legend = series
    .map((s, i) => {
      const x = LABEL_W + i * 150;
      return `<rect x="${x}" y="${y + 2}" width="10" height="10" fill="${colour(s)}"/><text x="${x + 14}" y="${y + 11}" class="v">${esc(s)}</text>`;
    })
    .join('');
  const height = y + 24;
  const scaled = r.scale === 'group' ? ', each group to its own scale' : '';
  const subtitle = `${r.unit}, ${r.better} is better${scaled} · ${when}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    '<style>text{fill:#1f2937}.v{font-size:11px;fill:#374151}.n{font-weight:600}.s{fill:#6b7280;font-size:11px}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="22" font-size="15" font-weight="600">${esc(r.title)}</text>`,
    `<text x="10" y="40" class="s">${esc(subtitle)}</text>`,
    ...out,
    legend,
    '</svg>',
  ].join('\n');
}

/** Writes docs/bench/<name>.json and .svg (or under --out) and prints where. */
export function writeReport(r: BenchReport): { json: string; svg: string } {
  const dir = outDir();
  mkdirSync(dir, { recursive: true });
  const when = machine();
  const json = path.join(dir, `${r.name}.json`);
  const svg = path.join(dir, `${r.name}.svg`);
  writeFileSync(json, `${JSON.stringify({ ...r, machine: when, at: new Date().toISOString() }, null, 2)}\n`);
  writeFileSync(svg, `${renderSvg(r, when)}\n`);
  console.log(`figures: ${path.relative(process.cwd(), json)}, chart: ${path.relative(process.cwd(), svg)}`);
  return { json, svg };
}

/** "1.08×" style ratio of a to b. */
export function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`;
}
