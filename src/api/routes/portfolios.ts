/**
 * /api/portfolios: a user's portfolios, their transactions, positions, performance and CSV import.
 * A user reaches only their own (another user's id answers 404, administrators included).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { importTransactions } from '../../portfolio/import.ts';
import { DEFAULT_MAPPING, parseMapping } from '../../portfolio/import-mapping.ts';
import { PRESET_NAMES, presetMapping } from '../../portfolio/import-presets.ts';
import { UserError } from '../../errors.ts';
import { performance } from '../../portfolio/performance.ts';
import {
  createPortfolio,
  getPortfolio,
  listPortfolios,
  removePortfolio,
  updatePortfolio,
} from '../../portfolio/portfolios.ts';
import { positions } from '../../portfolio/positions.ts';
import { addTransaction, editTransaction, removeTransaction } from '../../portfolio/service.ts';
import { TRANSACTION_TYPES } from '../../portfolio/transaction-input.ts';
import { listTransactions } from '../../portfolio/transactions.ts';
import { transactionView } from '../../portfolio/views.ts';
import { currentUser, requireUser } from '../guards.ts';
import { SMALL_BODY, text } from '../schemas.ts';

const portfolioOut = z.object({
  id: z.uuid(),
  name: z.string(),
  base_currency: z.string(),
  transactions: z.number().int(),
  created_at: z.date(),
  updated_at: z.date(),
});
const transactionOut = z.object({
  id: z.string(),
  type: z.string(),
  ts: z.string(),
  symbol: z.string().nullable(),
  quantity: z.string(),
  price: z.string(),
  fee: z.string(),
  ratio: z.string().nullable(),
  currency: z.string(),
  note: z.string().nullable(),
  import_key: z.string().nullable(),
});

const name = text(100).refine((s) => s.trim().length > 0, 'must not be blank');
const currency = z.string().regex(/^[A-Za-z]{3}$/, 'a three-letter currency code');
const decimal = z.union([z.string().max(40), z.number()]);
const portfolioCreate = z.strictObject({ name, base_currency: currency.optional() });
const portfolioPatch = z
  .strictObject({ name: name.optional(), base_currency: currency.optional() })
  .refine((p) => Object.keys(p).length > 0, 'give at least one field to change');
const fields = {
  ts: z.iso.datetime({ offset: true }).or(z.iso.date()),
  symbol: text(64).nullable(),
  quantity: decimal.nullable(),
  price: decimal.nullable(),
  fee: decimal.nullable(),
  ratio: decimal.nullable(),
  currency: currency.nullable(),
  note: text(1000).nullable(),
};
const transactionCreate = z.strictObject({
  type: z.enum(TRANSACTION_TYPES),
  ts: fields.ts,
  symbol: fields.symbol.optional(),
  quantity: fields.quantity.optional(),
  price: fields.price.optional(),
  fee: fields.fee.optional(),
  ratio: fields.ratio.optional(),
  currency: fields.currency.optional(),
  note: fields.note.optional(),
});
const transactionPatch = z
  .strictObject({
    type: z.enum(TRANSACTION_TYPES).optional(),
    ts: fields.ts.optional(),
    symbol: fields.symbol.optional(),
    quantity: fields.quantity.optional(),
    price: fields.price.optional(),
    fee: fields.fee.optional(),
    ratio: fields.ratio.optional(),
    currency: fields.currency.optional(),
    note: fields.note.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'give at least one field to change');
const importBody = z.strictObject({
  csv: z.string().max(4_000_000),
  mapping: z.record(z.string(), z.unknown()).optional(),
  preset: z.enum(PRESET_NAMES as [string, ...string[]]).optional(),
});
const day = z.iso.date();
const performanceQuery = z.strictObject({ from: day.optional(), to: day.optional(), benchmark: text(64).optional() });

const idParams = z.strictObject({ id: z.uuid() });
const txParams = z.strictObject({ id: z.uuid(), txId: z.string().regex(/^\d{1,18}$/, 'a transaction id') });
const dateOf = (ts: string | undefined) =>
  ts === undefined ? undefined : new Date(/^\d{4}-\d{2}-\d{2}$/.test(ts) ? `${ts}T00:00:00Z` : ts);

/** What the portfolio plugins share: typed routes, tags, the guard, and "this user's portfolio". */
function portfolioPlugin(appBase: FastifyInstance) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const base = { tags: ['portfolios'], security: [{ bearerAuth: [] }] };
  const guard = { onRequest: requireUser, bodyLimit: SMALL_BODY };
  const mine = (req: { params: { id: string } } & Parameters<typeof currentUser>[0]) =>
    getPortfolio(app.db, currentUser(req).id, req.params.id);
  return { app, base, guard, mine };
}

/** Portfolios and their transactions. */
export async function portfolioRoutes(appBase: FastifyInstance): Promise<void> {
  const { app, base, guard, mine } = portfolioPlugin(appBase);

  app.get(
    '/api/portfolios',
    { ...guard, schema: { ...base, summary: "The user's portfolios", response: { 200: z.array(portfolioOut) } } },
    async (req) => listPortfolios(app.db, currentUser(req).id),
  );
  app.post(
    '/api/portfolios',
    {
      ...guard,
      schema: { ...base, summary: 'Create a portfolio', body: portfolioCreate, response: { 201: portfolioOut } },
    },
    async (req, reply) => reply.status(201).send(await createPortfolio(app.db, currentUser(req).id, req.body)),
  );
  app.get(
    '/api/portfolios/:id',
    { ...guard, schema: { ...base, summary: 'One portfolio', params: idParams, response: { 200: portfolioOut } } },
    async (req) => mine(req),
  );
  app.patch(
    '/api/portfolios/:id',
    {
      ...guard,
      schema: {
        ...base,
        summary: 'Rename or change the base currency',
        params: idParams,
        body: portfolioPatch,
        response: { 200: portfolioOut },
      },
    },
    async (req) => updatePortfolio(app.db, currentUser(req).id, req.params.id, req.body),
  );
  app.delete(
    '/api/portfolios/:id',
    { ...guard, schema: { ...base, summary: 'Delete a portfolio and its transactions', params: idParams } },
    async (req, reply) => {
      await removePortfolio(app.db, currentUser(req).id, req.params.id);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/portfolios/:id/transactions',
    {
      ...guard,
      schema: {
        ...base,
        summary: 'Transactions in the order they apply',
        params: idParams,
        response: { 200: z.array(transactionOut) },
      },
    },
    async (req) => (await listTransactions(app.db, (await mine(req)).id)).map(transactionView),
  );
  app.post(
    '/api/portfolios/:id/transactions',
    {
      ...guard,
      schema: {
        ...base,
        summary: 'Record a transaction (docs/portfolio.md)',
        params: idParams,
        body: transactionCreate,
        response: { 201: transactionOut },
      },
    },
    async (req, reply) => {
      const p = await mine(req);
      const t = await addTransaction(app.db, p, { ...req.body, ts: dateOf(req.body.ts) as Date });
      return reply.status(201).send(transactionView(t));
    },
  );
  app.patch(
    '/api/portfolios/:id/transactions/:txId',
    {
      ...guard,
      schema: {
        ...base,
        summary: 'Change a transaction',
        params: txParams,
        body: transactionPatch,
        response: { 200: transactionOut },
      },
    },
    async (req) => {
      const p = await mine(req);
      const { ts, ...rest } = req.body;
      return transactionView(await editTransaction(app.db, p, req.params.txId, { ...rest, ts: dateOf(ts) }));
    },
  );
  app.delete(
    '/api/portfolios/:id/transactions/:txId',
    { ...guard, schema: { ...base, summary: 'Delete a transaction', params: txParams } },
    async (req, reply) => {
      await removeTransaction(app.db, await mine(req), req.params.txId);
      return reply.status(204).send();
    },
  );
}

/** Positions, performance and the CSV import of a portfolio. */
export async function portfolioReportRoutes(appBase: FastifyInstance): Promise<void> {
  const { app, base, guard, mine } = portfolioPlugin(appBase);

  app.get(
    '/api/portfolios/:id/positions',
    {
      ...guard,
      schema: {
        ...base,
        summary: 'FIFO positions, cash and totals',
        params: idParams,
        response: { 200: z.looseObject({}) },
      },
    },
    async (req) => positions(app.db.reader(), await mine(req)),
  );
  app.get(
    '/api/portfolios/:id/performance',
    {
      ...guard,
      schema: {
        ...base,
        summary: 'Value per day, TWR, IRR, max drawdown, benchmark',
        params: idParams,
        querystring: performanceQuery,
        response: { 200: z.looseObject({}) },
      },
    },
    async (req) => performance(app.db, await mine(req), req.query),
  );
  app.post(
    '/api/portfolios/:id/import',
    {
      onRequest: requireUser,
      bodyLimit: 5 * 1024 * 1024,
      schema: {
        ...base,
        summary: 'Import a CSV of transactions, all or nothing',
        params: idParams,
        body: importBody,
        response: { 200: z.looseObject({}) },
      },
    },
    async (req) => {
      const p = await mine(req);
      if (req.body.mapping && req.body.preset) throw new UserError('give mapping or preset, not both');
      const mapping = req.body.preset
        ? presetMapping(req.body.preset)
        : req.body.mapping
          ? parseMapping(req.body.mapping)
          : DEFAULT_MAPPING;
      return importTransactions(app.db, p, req.body.csv, mapping);
    },
  );
}
