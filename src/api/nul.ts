/**
 * PostgreSQL text cannot hold NUL (U+0000): a string with one reaching SQL fails with 22021 and would
 * be a 500. Every params, query and body string is checked here, before validation and any SQL, so
 * it is a 400 naming the field whatever the route.
 */
import type { FastifyInstance } from 'fastify';

const MAX_DEPTH = 64;

/** The path of the first string (or key) holding a NUL, e.g. `body/candles/3/symbol`, or null. */
export function findNul(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findNul(value[i], `${path}/${i}`, depth + 1);
      if (hit) return hit;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value)) {
    if (k.includes('\u0000')) return `${path}/${JSON.stringify(k)}`;
    const hit = findNul(v, `${path}/${k}`, depth + 1);
    if (hit) return hit;
  }
  return null;
}

export function refuseNul(
  app: FastifyInstance,
  problem: (status: number, detail: string, extra: Record<string, unknown>) => object,
): void {
  app.addHook('preValidation', async (req, reply) => {
    const field = findNul(req.params, 'params') ?? findNul(req.query, 'querystring') ?? findNul(req.body, 'body');
    if (!field) return;
    const message = 'must not contain NUL characters';
    return reply
      .status(400)
      .type('application/problem+json')
      .send(problem(400, `${field}: ${message}`, { errors: [{ field, message }] }));
  });
}
