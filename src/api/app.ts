/**
 * The HTTP API: a Fastify instance over one open database. Routes stay thin: they validate with zod
 * (which also feeds the OpenAPI document at /docs) and call the library.
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { Config } from '../config.ts';
import type { Database } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { ProviderError } from '../sync/providers/provider.ts';
import { isTransientConflict, isUnavailable } from '../db/pg-errors.ts';
import { signingSecret } from '../accounts/secret.ts';
import { registerCors } from './cors.ts';
import { compatBinanceRoutes } from './routes/compat-binance.ts';
import { refuseNul } from './nul.ts';
import { serializeRequest } from './log-url.ts';
import { humanStream, logRequests, type LogFormat } from './request-log.ts';
import { alertRoutes } from './routes/alerts.ts';
import { alertRuleRoutes } from './routes/alert-rules.ts';
import { authRoutes } from './routes/auth.ts';
import { accountAccessRoutes, accountRoutes } from './routes/account.ts';
import { healthRoutes } from './routes/health.ts';
import { watchlistRoutes } from './routes/watchlists.ts';
import { paperRoutes } from './routes/paper.ts';
import { portfolioReportRoutes, portfolioRoutes } from './routes/portfolios.ts';
import { strategyRoutes } from './routes/strategies.ts';
import { backtestRunRoutes } from './routes/backtests.ts';
import { assetRoutes } from './routes/assets.ts';
import { candleRoutes } from './routes/candles.ts';
import { queryRoutes } from './routes/queries.ts';
import { adminDbRoutes } from './routes/admin-db/index.ts';
import { analysisRoutes } from './routes/analysis/index.ts';
import { adminUserRoutes } from './routes/admin-users.ts';
import { marketRoutes } from './routes/markets.ts';
import cookie from '@fastify/cookie';
import { registerWebApp, serveClientRoute, WEB_DIST } from './web.ts';
import { fastifySSE as sse } from '@fastify/sse';
import { EventHub } from '../events/hub.ts';
import { eventRoutes } from './routes/events.ts';
import { VERSION } from '../version.ts';
import { problem, providerProblem } from './problem.ts';
import { adminSyncRoutes } from './routes/admin-sync.ts';
import { channelRoutes } from './routes/channels.ts';
import { drawingRoutes } from './routes/drawings.ts';
import { layoutRoutes } from './routes/layouts.ts';
import { type RateLimits, rateLimitsFor } from './rate-limit-store.ts';

export interface AppOptions {
  db: Database;
  config: Config;
  /** Request logging, one line per request (src/api/request-log.ts); off in tests. */
  logger?: boolean;
  /** pino's JSON lines (default) or short human lines for a terminal. */
  logFormat?: LogFormat;
  /** Where the log lines go (default stdout); tests read them to check redaction. */
  logStream?: NodeJS.WritableStream;
  /** The built browser app to serve at / (default web/dist when it exists); false serves none. */
  webDir?: string | false;
}

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
    config: Config;
    auth: { secret(): Promise<string> };
    /** Whether the browser app is served at /. */
    webApp: boolean;
    /** The live event feed behind /api/events. */
    events: EventHub;
    /** Rate-limit counters: shared through the database on a server (several processes), else in memory. */
    limits: RateLimits;
  }
}

/** What logs must never show: credentials in headers and bodies (pino replaces them with [Redacted]). */
export const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'req.body.password',
  'req.body.new_password',
  'req.body.refresh_token',
  'req.body.access_token',
];

/** Seconds a client is told to wait after a 503 for an unavailable database (about one Patroni loop). */
const UNAVAILABLE_RETRY_AFTER_S = 2;

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const format = opts.logFormat ?? 'json';
  const stream = format === 'human' ? humanStream(opts.logStream) : opts.logStream;
  const app = Fastify({
    logger: opts.logger
      ? { level: 'info', redact: REDACT, serializers: { req: serializeRequest }, ...(stream ? { stream } : {}) }
      : false,
    disableRequestLogging: true, // logRequests writes one line per request instead of two
    bodyLimit: 10 * 1024 * 1024,
    // Behind a reverse proxy, X-Forwarded-For gives the client address the login limits key on.
    ...(opts.config.trustProxy !== undefined ? { trustProxy: opts.config.trustProxy } : {}),
  });
  if (opts.logger) logRequests(app, format);
  app.decorate('db', opts.db);
  app.decorate('config', opts.config);
  // The signing key is read (or generated) on first use, so the app starts on a database not yet migrated.
  let secret: Promise<string> | undefined;
  app.decorate('auth', {
    secret: () => {
      secret ??= signingSecret(opts.db, opts.config.auth.jwtSecret).catch((err: unknown) => {
        secret = undefined;
        throw err;
      });
      return secret;
    },
  });
  app.decorateRequest('user', null);
  const events = new EventHub(opts.db, {
    pollMs: opts.config.eventsPollMs,
    onError: (err) => app.log.error({ err }, 'event feed'),
  });
  app.decorate('events', events);
  app.addHook('onClose', async () => events.close());
  registerCors(app, opts.config.corsOrigins);
  // nosniff, a frame policy (DENY), Referrer-Policy: no-referrer and the rest of helmet's defaults. No
  // Content-Security-Policy here: the API answers JSON, and the web app sets its own.
  await app.register(helmet, { contentSecurityPolicy: false, frameguard: { action: 'deny' } });
  // Per-route limits only (config.rateLimit on the expensive public routes); login keeps its own limiter.
  const limits = rateLimitsFor(opts.db, opts.config.rateLimitStore);
  app.decorate('limits', limits);
  await app.register(rateLimit, { global: false, ...(limits.fastifyStore ? { store: limits.fastifyStore } : {}) });
  refuseNul(app, problem);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const errors = err.validation.map((v) => ({
        field: `${err.validationContext ?? ''}${v.instancePath}`,
        message: v.message,
      }));
      const detail = errors.map((e) => `${e.field || 'request'}: ${e.message}`).join('; ');
      return reply
        .status(400)
        .type('application/problem+json')
        .send(problem(400, detail, { errors }));
    }
    if (isTransientConflict(err)) {
      // Retried already (retryTransient); still failing means heavy contention: the client may retry, it is no bug.
      req.log.warn(
        { code: (err as { code?: string }).code },
        'transaction rolled back by a deadlock or serialization failure',
      );
      return reply
        .status(503)
        .header('retry-after', '1')
        .type('application/problem+json')
        .send(problem(503, 'the database was busy with concurrent writes; retry the request'));
    }
    if (err instanceof ProviderError) {
      const { status, retryAfter } = providerProblem(err);
      if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
      return reply.status(status).type('application/problem+json').send(problem(status, err.message));
    }
    if (isUnavailable(err)) {
      // A restart, a failover or a dropped connection: the request was fine and may be sent again.
      req.log.warn({ code: (err as { code?: string }).code, msg: err.message }, 'database unavailable');
      return reply
        .status(503)
        .header('retry-after', String(UNAVAILABLE_RETRY_AFTER_S))
        .type('application/problem+json')
        .send(problem(503, 'the database is unavailable for a moment (restart or failover); retry the request'));
    }
    const status = err instanceof UserError ? err.status : (err.statusCode ?? 500);
    if (status >= 500) app.log.error(err);
    const detail = status >= 500 && !(err instanceof UserError) ? 'internal error' : err.message;
    const extra = err instanceof UserError && err.details !== undefined ? { errors: err.details } : {};
    return reply
      .status(status)
      .type('application/problem+json')
      .send(problem(status, detail, extra));
  });
  app.setNotFoundHandler((req, reply) => {
    if (serveClientRoute(req, reply)) return;
    void reply
      .status(404)
      .type('application/problem+json')
      .send(problem(404, `no route ${req.method} ${req.url.split('?')[0]}`));
  });

  await app.register(cookie);
  await app.register(sse, { heartbeatInterval: 15_000 });
  const web = opts.webDir === false ? false : await registerWebApp(app, opts.webDir ?? WEB_DIST);
  app.decorate('webApp', web);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Trading Manager API',
        version: VERSION,
        description: 'Market data, indicators, signals and watchlists on PostgreSQL + TimescaleDB.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(healthRoutes);
  await app.register(authRoutes);
  await app.register(accountRoutes);
  await app.register(accountAccessRoutes);
  await app.register(watchlistRoutes);
  await app.register(portfolioRoutes);
  await app.register(portfolioReportRoutes);
  await app.register(paperRoutes);
  await app.register(strategyRoutes);
  await app.register(backtestRunRoutes);
  await app.register(alertRoutes);
  await app.register(alertRuleRoutes);
  await app.register(drawingRoutes);
  await app.register(layoutRoutes);
  await app.register(assetRoutes);
  await app.register(candleRoutes);
  await app.register(queryRoutes);
  await app.register(adminDbRoutes, { prefix: '/api/admin/db' });
  await app.register(adminUserRoutes, { prefix: '/api/admin/users' });
  await app.register(adminSyncRoutes, { prefix: '/api/admin/sync' });
  await app.register(analysisRoutes);
  await app.register(marketRoutes);
  await app.register(eventRoutes);
  await app.register(channelRoutes);
  await app.register(compatBinanceRoutes, { prefix: '/compat/binance' });
  await app.register(compatBinanceRoutes, { prefix: '/compat/binance/x/:exchange' });
  return app;
}
