/**
 * defineIndicator: the public pair every indicator exports, from its argument list, its check and its run:
 * `f(inputs…, params…)` allocates fresh outputs; `fInto(out, inputs…, params…)` writes into the caller's
 * arrays after checking them (Float64Arrays of the input length sharing no memory with an input or each
 * other). The hot loop stays in each indicator's own kernel, so V8 optimises it as before.
 */
import { checkOutputs } from './validate.ts';

interface Definition<P extends unknown[], A extends readonly unknown[], O> {
  /** Names the indicator in error messages. */
  name: string;
  /** The public parameters, defaults applied, as one tuple. */
  args: (...params: P) => A;
  /** Validates the arguments; returns the bar count. */
  check: (a: A) => number;
  /** The inputs by name (an `…Into` output may share memory with none of them). */
  inputs: (a: A) => Record<string, Float64Array>;
  /** Fills `out` (warm-up bars NaN) and returns it. */
  run: (out: O, a: A) => O;
}

type Pair<P extends unknown[], O> = readonly [(...params: P) => O, (out: O, ...params: P) => O];

/** An indicator with one output, a Float64Array. */
export function defineIndicator<P extends unknown[], A extends readonly unknown[]>(
  d: Definition<P, A, Float64Array>,
): Pair<P, Float64Array> {
  return pair(
    d,
    (n) => new Float64Array(n),
    (out) => ({ out }),
  );
}

/** An indicator with several outputs: an object of Float64Arrays named by `outputs`, in stored order. */
export function defineMultiIndicator<P extends unknown[], A extends readonly unknown[], K extends string>(
  d: Definition<P, A, Record<K, Float64Array>> & { outputs: readonly K[] },
): Pair<P, Record<K, Float64Array>> {
  const named = (o: Record<K, Float64Array>) => {
    const r: Record<string, unknown> = {};
    for (const k of d.outputs) r[k] = o[k];
    return r;
  };
  return pair(
    d,
    (n) => {
      const o = {} as Record<K, Float64Array>;
      for (const k of d.outputs) o[k] = new Float64Array(n);
      return o;
    },
    named,
  );
}

function pair<P extends unknown[], A extends readonly unknown[], O>(
  d: Definition<P, A, O>,
  alloc: (n: number) => O,
  named: (out: O) => Record<string, unknown>,
): Pair<P, O> {
  const compute = (...params: P): O => {
    const a = d.args(...params);
    return d.run(alloc(d.check(a)), a);
  };
  const into = (out: O, ...params: P): O => {
    const a = d.args(...params);
    checkOutputs(d.name, d.check(a), named(out), d.inputs(a));
    return d.run(out, a);
  };
  return [compute, into];
}
