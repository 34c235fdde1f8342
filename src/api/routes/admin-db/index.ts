/**
 * Admin API for the TimescaleDB operations, mounted at /api/admin/db: one file per subsystem, as the tm
 * commands are. Every route is admin-only (the hook here covers the plugins registered below it); each one
 * calls the same library function as its tm command.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireAdmin } from '../../guards.ts';
import { aggregateRoutes } from './aggregates.ts';
import { compressionRoutes } from './compression.ts';
import { doctorRoutes } from './doctor.ts';
import { hypertableRoutes } from './hypertables.ts';
import { jobRoutes } from './jobs.ts';
import { monitorRoutes } from './monitor.ts';
import { retentionRoutes } from './retention.ts';
import { tuneRoutes } from './tune.ts';

export const adminDbRoutes: FastifyPluginAsyncZod = async (app) => {
  app.addHook('onRequest', requireAdmin);
  for (const routes of [
    hypertableRoutes,
    compressionRoutes,
    retentionRoutes,
    aggregateRoutes,
    jobRoutes,
    doctorRoutes,
    tuneRoutes,
    monitorRoutes,
  ]) {
    await app.register(routes);
  }
};
