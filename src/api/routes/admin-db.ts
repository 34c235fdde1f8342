/**
 * Admin API for the TimescaleDB operations, mounted at /api/admin/db. Every route is admin-only
 * (requireAdmin); each one calls the same library function as its tm command.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intParam } from '../schemas.ts';
import { requireAdmin } from '../guards.ts';
import { pageQuery } from '../pagination.ts';
import { INTERVALS } from '../../intervals.ts';
import { ensureHypertable, hypertableStats, listChunks, listHypertables } from '../../timescale/hypertables.ts';
import {
  DEFAULT_COMPRESS_AFTER,
  addCompressionPolicy,
  compressChunks,
  compressionStatus,
  decompressChunk,
  enableCompression,
  removeCompressionPolicy,
} from '../../timescale/compression.ts';
import {
  DEFAULT_DROP_AFTER,
  addRetentionPolicy,
  removeRetentionPolicy,
  retentionStatus,
} from '../../timescale/retention.ts';
import {
  createAggregates,
  dropAggregate,
  listAggregates,
  parseTargets,
  refreshAggregate,
} from '../../timescale/aggregates.ts';
import { jobHistory, listJobs, runDueJobs, runJob } from '../../timescale/jobs.ts';
import { addChecks, runDoctor } from '../../timescale/doctor.ts';
import { addSyncChecks } from '../../sync/status.ts';
import { replicaDoctorChecks } from '../../db/replicas.ts';
import { applySettings, recommend, tuneInput } from '../../timescale/tune.ts';
import { refreshSeries } from '../../market/candle-series.ts';
import { analyze, relationSizes, slowQueries } from '../../timescale/monitor.ts';

const tags = ['admin: database'];
const security = [{ bearerAuth: [] }];
const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a table or view name');
const tuneQuery = z.strictObject({
  memory: z.string().optional().describe('RAM, e.g. 16GB (default: this machine)'),
  cpus: intParam(1, 4096).optional(),
  max_connections: intParam(1, 262143).default(100),
});

function paginate<T>(items: T[], page: { limit: number; offset: number }) {
  return {
    items: items.slice(page.offset, page.offset + page.limit),
    limit: page.limit,
    offset: page.offset,
    total: items.length,
  };
}

const fromQuery = (q: z.infer<typeof tuneQuery>) =>
  tuneInput({ memory: q.memory, cpus: q.cpus, maxConnections: q.max_connections });

export const adminDbRoutes: FastifyPluginAsyncZod = async (app) => {
  app.addHook('onRequest', requireAdmin);

  app.get(
    '/hypertables',
    {
      schema: { tags, security, summary: 'hypertables with chunk interval, chunk count, size', querystring: pageQuery },
    },
    async (req) => paginate(await listHypertables(app.db), req.query),
  );

  app.get(
    '/hypertables/:table/chunks',
    {
      schema: {
        tags,
        security,
        summary: 'chunks of a hypertable, oldest first',
        params: z.strictObject({ table: identifier }),
        querystring: pageQuery,
      },
    },
    async (req) => listChunks(app.db, req.params.table, req.query),
  );

  app.get(
    '/hypertables/:table/stats',
    {
      schema: {
        tags,
        security,
        summary: "sizes and compression of a hypertable (replaces the seed's hypertable_stats)",
        params: z.strictObject({ table: identifier }),
      },
    },
    async (req) => hypertableStats(app.db, req.params.table),
  );

  app.post(
    '/hypertables/ensure',
    {
      schema: {
        tags,
        security,
        summary: 'make candles a hypertable (7-day chunks), migrating its rows; no-op if it is one',
      },
    },
    async () => ensureHypertable(app.db),
  );

  app.get(
    '/compression',
    { schema: { tags, security, summary: 'compression settings, policy and sizes of candles' } },
    async () => compressionStatus(app.db),
  );

  app.post(
    '/compression/enable',
    {
      schema: {
        tags,
        security,
        summary: 'enable compression on candles',
        body: z
          .strictObject({ segmentby: z.string().max(200).optional(), orderby: z.string().max(200).optional() })
          .default({}),
      },
    },
    async (req) => enableCompression(app.db, { segmentby: req.body.segmentby, orderby: req.body.orderby }),
  );

  app.post(
    '/compression/policy',
    {
      schema: {
        tags,
        security,
        summary: 'add the compression policy',
        body: z
          .strictObject({ after: z.string().max(40).default(DEFAULT_COMPRESS_AFTER) })
          .default({ after: DEFAULT_COMPRESS_AFTER }),
      },
    },
    async (req, reply) => {
      const r = await addCompressionPolicy(app.db, req.body.after);
      return reply.status(r.created ? 201 : 200).send(r);
    },
  );

  app.delete(
    '/compression/policy',
    { schema: { tags, security, summary: 'remove the compression policy' } },
    async () => removeCompressionPolicy(app.db),
  );

  app.post(
    '/compression/compress',
    {
      schema: {
        tags,
        security,
        summary: 'compress chunks older than an age now',
        body: z
          .strictObject({ older_than: z.string().max(40).default(DEFAULT_COMPRESS_AFTER) })
          .default({ older_than: DEFAULT_COMPRESS_AFTER }),
      },
    },
    async (req) => compressChunks(app.db, req.body.older_than),
  );

  app.post(
    '/compression/decompress',
    {
      schema: {
        tags,
        security,
        summary: 'decompress one chunk',
        body: z.strictObject({ chunk: z.string().min(1).max(130) }),
      },
    },
    async (req) => decompressChunk(app.db, req.body.chunk),
  );

  app.get(
    '/retention',
    { schema: { tags, security, summary: 'retention policy and the chunks past its horizon' } },
    async () => retentionStatus(app.db),
  );

  app.post(
    '/retention/policy',
    {
      schema: {
        tags,
        security,
        summary: 'add the retention policy',
        body: z
          .strictObject({ drop_after: z.string().max(40).default(DEFAULT_DROP_AFTER) })
          .default({ drop_after: DEFAULT_DROP_AFTER }),
      },
    },
    async (req, reply) => {
      const r = await addRetentionPolicy(app.db, req.body.drop_after);
      return reply.status(r.created ? 201 : 200).send(r);
    },
  );

  app.delete('/retention/policy', { schema: { tags, security, summary: 'remove the retention policy' } }, async () =>
    removeRetentionPolicy(app.db),
  );

  app.get(
    '/aggregates',
    { schema: { tags, security, summary: 'continuous aggregates made by tm', querystring: pageQuery } },
    async (req) => paginate(await listAggregates(app.db), req.query),
  );

  app.post(
    '/aggregates',
    {
      schema: {
        tags,
        security,
        summary: 'create continuous aggregates from a stored interval to coarser ones',
        body: z.strictObject({
          from: z.enum(INTERVALS).default('1m'),
          to: z.array(z.enum(INTERVALS)).min(1),
          refresh: z.boolean().default(true),
          hierarchical: z.boolean().default(false),
        }),
      },
    },
    async (req, reply) => {
      const rows = await createAggregates(app.db, req.body.from, parseTargets(req.body.to), {
        refresh: req.body.refresh,
        hierarchical: req.body.hierarchical,
      });
      return reply.status(rows.some((r) => r.created) ? 201 : 200).send({ items: rows });
    },
  );

  app.post(
    '/aggregates/:name/refresh',
    {
      schema: {
        tags,
        security,
        summary: 'materialize an aggregate over a window now',
        params: z.strictObject({ name: identifier }),
        body: z.strictObject({ from: z.string().max(40).optional(), to: z.string().max(40).optional() }).default({}),
      },
    },
    async (req) => refreshAggregate(app.db, req.params.name, req.body.from, req.body.to),
  );

  app.delete(
    '/aggregates/:name',
    {
      schema: {
        tags,
        security,
        summary: 'drop an aggregate and its policy',
        params: z.strictObject({ name: identifier }),
      },
    },
    async (req) => dropAggregate(app.db, req.params.name),
  );

  app.get(
    '/jobs',
    { schema: { tags, security, summary: 'TimescaleDB jobs with next start and last run', querystring: pageQuery } },
    async (req) => paginate(await listJobs(app.db), req.query),
  );

  app.get(
    '/jobs/history',
    {
      schema: {
        tags,
        security,
        summary: 'job runs, newest first',
        querystring: pageQuery.extend({ job_id: intParam(1, 2 ** 31 - 1).optional() }),
      },
    },
    async (req) => jobHistory(app.db, { jobId: req.query.job_id, limit: req.query.limit, offset: req.query.offset }),
  );

  app.post(
    '/jobs/run-due',
    { schema: { tags, security, summary: 'run the due policy jobs once (embedded database)' } },
    async () => runDueJobs(app.db, 'schedule'),
  );

  app.post(
    '/jobs/:id/run',
    {
      schema: {
        tags,
        security,
        summary: 'run one job now',
        params: z.strictObject({
          id: intParam(1, 2 ** 31 - 1),
        }),
      },
    },
    async (req) => runJob(app.db, req.params.id, 'manual'),
  );

  app.get(
    '/doctor',
    {
      schema: {
        tags,
        security,
        summary: 'the tm doctor report (market data sync and read replicas included)',
        querystring: tuneQuery,
      },
    },
    async (req) => {
      const report = await addSyncChecks(app.db, await runDoctor(app.db, { tune: fromQuery(req.query) }));
      return addChecks(report, await replicaDoctorChecks(app.db, app.config.maxReplicaLagSeconds).catch(() => []));
    },
  );

  app.get(
    '/tune',
    { schema: { tags, security, summary: "timescaledb-tune's advice for a machine", querystring: tuneQuery } },
    async (req) => {
      const input = fromQuery(req.query);
      return { input, settings: recommend(input) };
    },
  );

  app.post(
    '/tune/apply',
    {
      schema: {
        tags,
        security,
        summary: 'ALTER SYSTEM the advice on the server and reload',
        body: tuneQuery.default({ max_connections: 100 }),
      },
    },
    async (req) => applySettings(app.db, recommend(fromQuery(req.body))),
  );

  app.post(
    '/analyze',
    {
      schema: {
        tags,
        security,
        summary: 'ANALYZE one table or all',
        body: z.strictObject({ table: identifier.optional() }).default({}),
      },
    },
    async (req) => {
      const r = await analyze(app.db, req.body.table);
      const table = req.body.table;
      return !table || table === 'candles' ? { ...r, series: await refreshSeries(app.db) } : r;
    },
  );

  app.get(
    '/monitor/queries',
    {
      schema: {
        tags,
        security,
        summary: 'slowest statements (pg_stat_statements)',
        querystring: z.strictObject({ limit: intParam(1, 1000).default(10) }),
      },
    },
    async (req) => ({ items: await slowQueries(app.db, req.query.limit) }),
  );

  app.get(
    '/monitor/sizes',
    {
      schema: {
        tags,
        security,
        summary: 'tables, hypertables, aggregates and indexes by size',
        querystring: pageQuery,
      },
    },
    async (req) => paginate(await relationSizes(app.db), req.query),
  );
};
