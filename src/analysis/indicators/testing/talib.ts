// Test-only access to TA-Lib (the `talib` native binding, a CommonJS module)
// returning outputs aligned to the input like ours: NaN before begIndex.
import { createRequire } from 'node:module';

interface TalibResult {
  begIndex: number;
  nbElement: number;
  result: Record<string, number[]>;
}

interface Talib {
  execute(params: Record<string, unknown>): TalibResult;
}

const require = createRequire(import.meta.url);
const talib = require('talib') as Talib;

export interface TalibOutput {
  begIndex: number;
  nbElement: number;
  outputs: Record<string, Float64Array>;
}

/**
 * Runs TA-Lib function `name` over the whole series. Typed arrays are turned
 * into plain arrays (the binding only reads JS arrays).
 */
export function runTalib(
  name: string,
  inputs: Record<string, Float64Array>,
  options: Record<string, number> = {},
): TalibOutput {
  const params: Record<string, unknown> = { name, startIdx: 0 };
  let n = 0;
  for (const [key, values] of Object.entries(inputs)) {
    params[key] = Array.from(values);
    n = values.length;
  }
  params.endIdx = n - 1;
  Object.assign(params, options);
  const raw = talib.execute(params);
  const outputs: Record<string, Float64Array> = {};
  for (const [key, values] of Object.entries(raw.result)) {
    const aligned = new Float64Array(n).fill(NaN);
    for (let i = 0; i < raw.nbElement; i++) aligned[raw.begIndex + i] = values[i];
    outputs[key] = aligned;
  }
  return { begIndex: raw.begIndex, nbElement: raw.nbElement, outputs };
}
