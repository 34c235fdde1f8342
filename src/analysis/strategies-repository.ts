// User strategies: named, versioned pairs of rules. Owns the strategies and strategy_versions tables.
import type { Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { parseRule, type Node, walk } from './strategy/index.ts';

export type StrategyVersion = {
  strategy_id: string;
  name: string;
  version: number;
  entry: string;
  exit: string;
  params: Record<string, number>;
  description: string;
  created_at: Date;
};

export interface NewStrategy {
  userId: string;
  name: string;
  entry: string;
  exit: string;
  params?: unknown;
  description?: string;
}

export const STRATEGY_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Checks a strategy's rules and parameter defaults: every $parameter the rules read needs a default. */
export function checkStrategy(s: Omit<NewStrategy, 'userId'>): Record<string, number> {
  if (!STRATEGY_NAME_RE.test(s.name)) {
    throw new UserError(
      `strategy name "${s.name}" must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit`,
    );
  }
  const params = checkParams(s.params ?? {}, 'params');
  const rules: [string, string][] = [
    ['entry', s.entry],
    ['exit', s.exit],
  ];
  for (const [what, text] of rules) {
    let node: Node;
    try {
      node = parseRule(text);
    } catch (err) {
      if (err instanceof UserError) throw new UserError(`${what} rule: ${err.message}`);
      throw err;
    }
    for (const n of walk(node)) {
      if (n.kind === 'param' && !(n.name in params)) {
        throw new UserError(`${what} rule: parameter $${n.name} at column ${n.column} has no default in params`);
      }
    }
  }
  if ((s.description ?? '').length > 2000) throw new UserError('description is longer than 2000 characters');
  return params;
}

/** A JSON object of finite numbers, named by `what` in errors. */
export function checkParams(input: unknown, what: string): Record<string, number> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new UserError(`${what} must be a JSON object of numbers, e.g. {"fast": 10}`);
  }
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(input)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new UserError(`${what}: "${k}" is not a parameter name`);
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new UserError(`${what}: ${k} must be a number, got ${JSON.stringify(v)}`);
    out[k] = v;
  }
  return out;
}

const VERSION_COLS = `s.id AS strategy_id, s.name, v.version, v.entry_rule AS entry, v.exit_rule AS exit, v.params,
  v.description, v.created_at`;

/** Saves the strategy: a new one at version 1, an existing name as its next version. */
export async function saveStrategy(q: Queryable, s: NewStrategy): Promise<StrategyVersion> {
  const params = checkStrategy(s);
  // One statement: the strategy row and its next version appear together or not at all.
  const r = await q.query<StrategyVersion>(
    `WITH s AS (
       INSERT INTO strategies (user_id, name) VALUES ($1, $2)
       ON CONFLICT (user_id, name) DO UPDATE SET name = EXCLUDED.name
       RETURNING id, name
     ), v AS (
       INSERT INTO strategy_versions (strategy_id, version, entry_rule, exit_rule, params, description)
       SELECT s.id, coalesce((SELECT max(version) FROM strategy_versions WHERE strategy_id = s.id), 0) + 1,
              $3, $4, $5::jsonb, $6
       FROM s
       RETURNING *
     )
     SELECT ${VERSION_COLS} FROM s JOIN v ON v.strategy_id = s.id`,
    [s.userId, s.name, s.entry, s.exit, JSON.stringify(params), s.description ?? ''],
  );
  return r.rows[0];
}

/** The user's strategies at their latest versions, by name. */
export async function listStrategies(q: Queryable, userId: string): Promise<StrategyVersion[]> {
  const r = await q.query<StrategyVersion>(
    `SELECT ${VERSION_COLS} FROM strategies s
     JOIN LATERAL (SELECT * FROM strategy_versions WHERE strategy_id = s.id ORDER BY version DESC LIMIT 1) v ON true
     WHERE s.user_id = $1 ORDER BY s.name`,
    [userId],
  );
  return r.rows;
}

/** One version of the user's strategy (the latest by default); a 404 UserError when missing. */
export async function getStrategy(
  q: Queryable,
  userId: string,
  name: string,
  version?: number,
): Promise<StrategyVersion> {
  const r = await q.query<StrategyVersion>(
    `SELECT ${VERSION_COLS} FROM strategies s JOIN strategy_versions v ON v.strategy_id = s.id
     WHERE s.user_id = $1 AND s.name = $2 AND ($3::int IS NULL OR v.version = $3)
     ORDER BY v.version DESC LIMIT 1`,
    [userId, name, version ?? null],
  );
  if (!r.rows[0]) {
    throw new UserError(version ? `strategy "${name}" has no version ${version}` : `no strategy named "${name}"`, 404);
  }
  return r.rows[0];
}

/** Every version of the user's strategy, newest first. */
export async function strategyVersions(q: Queryable, userId: string, name: string): Promise<StrategyVersion[]> {
  const r = await q.query<StrategyVersion>(
    `SELECT ${VERSION_COLS} FROM strategies s JOIN strategy_versions v ON v.strategy_id = s.id
     WHERE s.user_id = $1 AND s.name = $2 ORDER BY v.version DESC`,
    [userId, name],
  );
  if (r.rows.length === 0) throw new UserError(`no strategy named "${name}"`, 404);
  return r.rows;
}

/** Deletes the strategy with its versions and backtest runs; a 404 UserError when missing. */
export async function removeStrategy(q: Queryable, userId: string, name: string): Promise<void> {
  const r = await q.query('DELETE FROM strategies WHERE user_id = $1 AND name = $2 RETURNING id', [userId, name]);
  if (r.rows.length === 0) throw new UserError(`no strategy named "${name}"`, 404);
}
