/**
 * The portfolios table. A user sees only their own portfolios (another user's id is "not found"). Names
 * are unique per user, case-insensitively; the CLI names one as NAME, or USER/NAME where users share it.
 */
import type { Queryable } from '../db/types.ts';
import { isUniqueViolation } from '../db/pg-errors.ts';
import { UserError } from '../errors.ts';

export type Portfolio = {
  id: string;
  user_id: string;
  username: string;
  name: string;
  base_currency: string;
  transactions: number;
  created_at: Date;
  updated_at: Date;
};

export interface PortfolioInput {
  name: string;
  base_currency?: string;
}

export const CURRENCY_RE = /^[A-Z]{3}$/;

const SELECT = `SELECT p.id, p.user_id, u.username, p.name, p.base_currency,
    (SELECT count(*)::int FROM portfolio_transactions t WHERE t.portfolio_id = p.id) AS transactions,
    p.created_at, p.updated_at
  FROM portfolios p JOIN users u ON u.id = p.user_id`;

export const PORTFOLIO_NOT_FOUND = () => new UserError('portfolio not found', 404);

/** An ISO 4217-style code: three letters, upper-cased. */
export function parseCurrency(v: string, what = 'currency'): string {
  const c = v.trim().toUpperCase();
  if (!CURRENCY_RE.test(c)) throw new UserError(`${what}: "${v}" is not a three-letter currency code such as USD`);
  return c;
}

function checkName(name: string): string {
  const n = name.trim();
  if (n.length < 1 || n.length > 100) throw new UserError('name: must be 1 to 100 characters');
  if (n.includes('/')) throw new UserError('name: must not contain "/" (it separates USER/NAME)');
  return n;
}

function translate(err: unknown, name: string): never {
  if (isUniqueViolation(err, 'portfolios_user_id_name_key')) {
    throw new UserError(`a portfolio named "${name}" already exists for this user`, 409);
  }
  throw err;
}

export async function createPortfolio(q: Queryable, userId: string, input: PortfolioInput): Promise<Portfolio> {
  const name = checkName(input.name);
  const currency = parseCurrency(input.base_currency ?? 'USD', 'base currency');
  try {
    const r = await q.query<{ id: string }>(
      'INSERT INTO portfolios (user_id, name, base_currency) VALUES ($1, $2, $3) RETURNING id',
      [userId, name, currency],
    );
    return await getPortfolio(q, userId, r.rows[0].id);
  } catch (err) {
    translate(err, name);
  }
}

export async function listPortfolios(q: Queryable, userId: string | null): Promise<Portfolio[]> {
  const r = await q.query<Portfolio>(
    `${SELECT} WHERE ($1::uuid IS NULL OR p.user_id = $1) ORDER BY lower(u.username), lower(p.name), p.id`,
    [userId],
  );
  return r.rows;
}

export async function getPortfolio(q: Queryable, userId: string, id: string): Promise<Portfolio> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw PORTFOLIO_NOT_FOUND();
  const r = await q.query<Portfolio>(`${SELECT} WHERE p.id = $1 AND p.user_id = $2`, [id, userId]);
  if (!r.rows[0]) throw PORTFOLIO_NOT_FOUND();
  return r.rows[0];
}

export async function updatePortfolio(
  q: Queryable,
  userId: string,
  id: string,
  patch: Partial<PortfolioInput>,
): Promise<Portfolio> {
  const current = await getPortfolio(q, userId, id);
  const name = patch.name === undefined ? current.name : checkName(patch.name);
  const currency =
    patch.base_currency === undefined ? current.base_currency : parseCurrency(patch.base_currency, 'base currency');
  try {
    await q.query(
      'UPDATE portfolios SET name = $3, base_currency = $4, updated_at = now() WHERE id = $1 AND user_id = $2',
      [id, userId, name, currency],
    );
  } catch (err) {
    translate(err, name);
  }
  return getPortfolio(q, userId, id);
}

export async function removePortfolio(q: Queryable, userId: string, id: string): Promise<Portfolio> {
  const p = await getPortfolio(q, userId, id);
  await q.query('DELETE FROM portfolios WHERE id = $1 AND user_id = $2', [id, userId]);
  return p;
}

/**
 * A portfolio by the CLI's reference: NAME (unique across users, else ambiguous) or USER/NAME.
 * `user` narrows a bare NAME to that user's portfolios.
 */
export async function findPortfolio(q: Queryable, ref: string, user?: string): Promise<Portfolio> {
  const slash = ref.indexOf('/');
  const owner = slash >= 0 ? ref.slice(0, slash) : user;
  const name = slash >= 0 ? ref.slice(slash + 1) : ref;
  const r = await q.query<Portfolio>(
    `${SELECT} WHERE lower(p.name) = lower($1) AND ($2::text IS NULL OR lower(u.username) = lower($2))
     ORDER BY lower(u.username)`,
    [name.trim(), owner ?? null],
  );
  if (r.rows.length === 0) {
    throw new UserError(`no portfolio named "${ref}"${user ? ` for user "${user}"` : ''}`, 404);
  }
  if (r.rows.length > 1) {
    const refs = r.rows.map((p) => `${p.username}/${p.name}`).join(', ');
    throw new UserError(`portfolio name "${ref}" is used by several users: name one as USER/NAME (${refs})`);
  }
  return r.rows[0];
}
