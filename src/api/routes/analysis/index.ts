/**
 * /api/indicators and /api/signals: reads are public like market data; computing and generating
 * (writes) need an administrator; backtests are public and rate-limited.
 */
import type { FastifyInstance } from 'fastify';
import { backtestRoutes } from './backtest.ts';
import { chartRoutes } from './chart.ts';
import { indicatorRoutes } from './indicators.ts';
import { signalRoutes } from './signals.ts';

export async function analysisRoutes(app: FastifyInstance): Promise<void> {
  await indicatorRoutes(app);
  await signalRoutes(app);
  await backtestRoutes(app);
  await chartRoutes(app);
}
