export { parseRule, parseExpression } from './parser.ts';
export { evaluateRule, evaluateRules, evaluateColumn, evaluateColumns } from './evaluate.ts';
export { ruleWarmup, otherWarmups } from './warmup.ts';
export type { EvalContext, Params } from './evaluate.ts';
export { StrategySyntaxError } from './errors.ts';
export type { Node } from './ast.ts';
export { print, walk } from './ast.ts';
