/**
 * A node:test reporter that counts passed, failed and skipped tests per backend, from the tag in the
 * name of the suite around them ("[embedded]", "[server]", "[server-plain]"); tests outside a tagged
 * suite count as "any". It yields one JSON line, which scripts/test.ts prints as a summary.
 * Plain JavaScript: the test runner loads reporters before tsx is registered.
 */
const TAG = /\[(embedded|server-plain|server)\]/;

/** @param {AsyncIterable<{ type: string, data: any }>} source */
export default async function* backendReporter(source) {
  /** @type {Record<string, { passed: number, failed: number, skipped: number }>} */
  const counts = {};
  // Tests not yet attributed. One list, not one per file: a suite's `file` is where describe() was
  // called (a helper), and the runner reports each test file's events as one uninterrupted block.
  /** @type {{ nesting: number, outcome: 'passed' | 'failed' | 'skipped' }[]} */
  let pending = [];
  const add = (backend, outcome) => {
    counts[backend] ??= { passed: 0, failed: 0, skipped: 0 };
    counts[backend][outcome] += 1;
  };
  for await (const ev of source) {
    if (ev.type !== 'test:pass' && ev.type !== 'test:fail') continue;
    const { name, nesting, skip, todo, details } = ev.data;
    const outcome = skip || todo ? 'skipped' : ev.type === 'test:pass' ? 'passed' : 'failed';
    const tag = TAG.exec(name)?.[1];
    if (details?.type !== 'suite') {
      if (tag || nesting === 0) add(tag ?? 'any', outcome);
      else pending.push({ nesting, outcome });
      continue;
    }
    // A tagged suite ends: the untagged tests inside it are its backend's; an untagged top-level
    // suite's tests are "any".
    if (!tag && nesting > 0) continue;
    const mine = pending.filter((l) => l.nesting > nesting);
    for (const l of mine) add(tag ?? 'any', l.outcome);
    pending = pending.filter((l) => l.nesting <= nesting);
    // A skipped suite runs none of its tests: count it once.
    if (mine.length === 0 && skip) add(tag ?? 'any', 'skipped');
  }
  for (const l of pending) add('any', l.outcome);
  yield `${JSON.stringify(counts)}\n`;
}
