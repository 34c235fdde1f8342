/**
 * Builds (once, cached under .bench/talib-c) and drives bench/talib-c/harness.c: TA-Lib's C functions compiled
 * with the machine's gcc -O2 from the ta-lib sources shipped in the `talib` npm package.
 */
import { type ChildProcessByStdio, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

const HERE = import.meta.dirname;
const CACHE = path.join(HERE, '..', '..', '.bench', 'talib-c');
const FLAGS = ['-O2'];
/** The TA-Lib functions the harness calls, and what they call (BBANDS and STOCH go through TA_MA). */
const FUNCS = [
  'SMA',
  'EMA',
  'RSI',
  'MACD',
  'BBANDS',
  'ATR',
  'OBV',
  'STOCH',
  'ADX',
  'PLUS_DI',
  'MINUS_DI',
  'CCI',
  'MA',
  'STDDEV',
  'VAR',
  'TRANGE',
  'STOCHF',
  'DEMA',
  'TEMA',
  'TRIMA',
  'KAMA',
  'MAMA',
  'T3',
  'WMA',
];

function talibSources(): { root: string; version: string } {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('talib/package.json');
  const version = (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  return { root: path.join(path.dirname(pkg), 'src', 'lib'), version };
}

/** Path of the harness binary, compiled if this harness.c, talib version and flag set was not built before. */
export function buildHarness(): string {
  const { root, version } = talibSources();
  const harness = path.join(HERE, 'harness.c');
  const common = ['ta_global.c', 'ta_retcode.c', 'ta_version.c'].map((f) => path.join(root, 'src', 'ta_common', f));
  const sources = [harness, ...FUNCS.map((f) => path.join(root, 'src', 'ta_func', `ta_${f}.c`)), ...common];
  const key = createHash('sha256')
    .update(readFileSync(harness))
    .update(`${version} ${FLAGS.join(' ')} ${FUNCS.join(',')}`)
    .digest('hex')
    .slice(0, 12);
  const bin = path.join(CACHE, `harness-${key}`);
  if (existsSync(bin)) return bin;
  mkdirSync(CACHE, { recursive: true });
  const args = [...FLAGS, '-w', '-I', path.join(root, 'include'), '-I', path.join(root, 'src', 'ta_common')];
  process.stderr.write(`building the TA-Lib C harness (gcc ${FLAGS.join(' ')}, talib ${version})…\n`);
  // Built under a temporary name and renamed: a benchmark started meanwhile never runs a half-written binary.
  const tmp = `${bin}.${process.pid}.tmp`;
  try {
    execFileSync('gcc', [...args, ...sources, '-o', tmp, '-lm'], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new Error(`cannot build the TA-Lib C harness with gcc: ${(err as Error).message}`);
  }
  renameSync(tmp, bin);
  return bin;
}

export interface HarnessSeries {
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** Writes the series as the harness reads it: int64 n, then n doubles each of high, low, close, volume. */
function writeSeries(file: string, s: HarnessSeries): void {
  const n = s.close.length;
  const buf = Buffer.alloc(8 + 32 * n);
  buf.writeBigInt64LE(BigInt(n), 0);
  let at = 8;
  for (const a of [s.high, s.low, s.close, s.volume]) {
    buf.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  writeFileSync(file, buf);
}

/** A running harness over one series; time() asks it for timed calls one request at a time. */
export class TalibC {
  private constructor(
    private readonly child: ChildProcessByStdio<Writable, Readable, null>,
    private readonly lines: AsyncIterator<string>,
    private readonly rl: Interface,
    private readonly file: string,
  ) {}

  /** clock 'cpu': the harness reports process CPU time instead of wall time. */
  static start(series: HarnessSeries, clock: 'wall' | 'cpu' = 'wall'): TalibC {
    const bin = buildHarness();
    const file = path.join(CACHE, `series-${process.pid}.bin`);
    writeSeries(file, series);
    const child = spawn(bin, clock === 'cpu' ? [file, 'cpu'] : [file], { stdio: ['pipe', 'pipe', 'inherit'] });
    const rl = createInterface({ input: child.stdout });
    return new TalibC(child, rl[Symbol.asyncIterator](), rl, file);
  }

  /**
   * `runs` calls of indicator `name` (sma, ema, rsi, macd, bbands, atr, obv, stoch, adx, adx-only, cci): ms each.
   * Each call mallocs its outputs, or with `reuse` writes into arrays allocated once.
   */
  async time(name: string, runs = 1, reuse = false): Promise<number[]> {
    this.child.stdin.write(`${name} ${runs}${reuse ? ' reuse' : ''}\n`);
    const next = await this.lines.next();
    if (next.done) throw new Error(`TA-Lib C harness exited (asked for ${name})`);
    return next.value.split(' ').map(Number);
  }

  close(): void {
    this.rl.close();
    this.child.stdin.end();
    rmSync(this.file, { force: true });
  }
}
