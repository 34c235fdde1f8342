/**
 * How soon V8 recompiles PGlite's hot WebAssembly functions with its optimizing compiler. It compiles the
 * 8.5 MB module with its baseline compiler first, then, for each function that has run long enough (its
 * "tiering budget"), recompiles it on background threads. At V8's default budget a short command starts that
 * work for much of PostgreSQL's start-up code (128 MB of shared memory is zeroed in a loop, for one): on 2 cores
 * it competes with the command and pays back nothing. Measured with `tm query price-changes` (docs/performance.md):
 * 0.95 s at the default budget, 0.66 s at 100×, 0.58 s at 333×. A command that runs a hot loop for seconds
 * (an import, tm serve) wants optimized code soon: an import of 300,000 candles was 10% slower at 333× (9–15%
 * at 1,100×) and as fast at 100× as at the default.
 */
import v8 from 'node:v8';

/** brief: a command that opens, reads or writes a little, and exits. sustained: tm serve, imports, computations. */
export type WasmWorkload = 'brief' | 'sustained';

const BUDGET: Record<WasmWorkload, number> = { brief: 600_000_000, sustained: 180_000_000 }; // V8: 1,800,000

/** Before PGlite opens (the budget is read when its module is instantiated); a budget given to node wins. */
export function tuneWasmTiering(workload: WasmWorkload): void {
  if (process.execArgv.some((a) => a.startsWith('--wasm-tiering-budget'))) return;
  v8.setFlagsFromString(`--wasm-tiering-budget=${BUDGET[workload]}`);
}
