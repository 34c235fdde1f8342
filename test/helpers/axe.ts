/**
 * axe-core in a test page: the WCAG 2.x A and AA rules, failing with each violation, its rule and the
 * elements it found. axe-core is a dev dependency; without it the check is skipped and says why.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

function axeSource(): string | null {
  const candidates = [process.env.TM_AXE_CORE];
  try {
    candidates.push(createRequire(import.meta.url).resolve('axe-core/axe.min.js'));
  } catch {
    // Not installed.
  }
  for (const c of candidates) {
    if (!c) continue;
    try {
      return readFileSync(c, 'utf8');
    } catch {
      // Try the next one.
    }
  }
  return null;
}

const SOURCE = axeSource();
export const axeSkip: string | undefined = SOURCE
  ? undefined
  : 'axe-core is not installed (npm i -D axe-core, or TM_AXE_CORE=path/to/axe.min.js): accessibility check skipped';

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** Runs axe on the page as it is now; fails listing every WCAG A/AA violation. */
export async function assertAccessible(page: Page, what: string): Promise<void> {
  if (!SOURCE) return;
  // evaluate runs outside the page's Content-Security-Policy (no script tag is added).
  await page.evaluate(SOURCE);
  const options = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } };
  const violations = (await page.evaluate(
    `axe.run(document, ${JSON.stringify(options)}).then((r) => r.violations)`,
  )) as AxeViolation[];
  const text = violations
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `  ${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join('\n')}`,
    )
    .join('\n');
  assert.equal(violations.length, 0, `${what}: accessibility violations:\n${text}`);
}
