#!/usr/bin/env node
// The tm command: the compiled bundle in dist/, built by `npm ci` (the prepare script) or `npm run build`.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/tm.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('tm: dist/tm.js is missing: run `npm run build` (npm ci runs it too)\n');
  process.exit(1);
}
await import(entry.href);
