/**
 * GET /api/alerts: the authenticated user's price-alert events, newest first; GET /api/alerts/price: the
 * thresholds they have set (watchlist items), with when each last fired. Only the user's own.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listAlerts, listPriceAlertSettings } from '../../accounts/alerts.ts';
import { currentUser, requireUser } from '../guards.ts';
import { pageQuery } from '../pagination.ts';
import { pageOf } from '../schemas.ts';

const alertOut = z.object({
  id: z.uuid(),
  watchlist_id: z.uuid().nullable(),
  watchlist_item_id: z.uuid().nullable(),
  asset_id: z.uuid(),
  symbol: z.string(),
  direction: z.enum(['above', 'below']),
  threshold: z.number(),
  price: z.number(),
  candle_ts: z.date(),
  interval: z.string(),
  triggered_at: z.date(),
});

const priceAlertOut = z.object({
  watchlist_id: z.uuid(),
  watchlist_name: z.string(),
  item_id: z.uuid(),
  asset_id: z.uuid(),
  symbol: z.string(),
  price_alert_high: z.number().nullable(),
  price_alert_low: z.number().nullable(),
  price_alert_enabled: z.boolean(),
  last_fired_at: z.date().nullable(),
  fired_count: z.number().int(),
});

const alertQuery = pageQuery.extend({ asset_id: z.uuid().optional(), watchlist_id: z.uuid().optional() });

export async function alertRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/alerts',
    {
      onRequest: requireUser,
      schema: {
        tags: ['alerts'],
        summary: "The user's price-alert events, newest first (filter by asset_id or watchlist_id)",
        security: [{ bearerAuth: [] }],
        querystring: alertQuery,
        response: { 200: pageOf(alertOut) },
      },
    },
    async (req) => {
      const { limit, offset, asset_id, watchlist_id } = req.query;
      return listAlerts(app.db, currentUser(req).id, { limit, offset }, { asset_id, watchlist_id });
    },
  );

  app.get(
    '/api/alerts/price',
    {
      onRequest: requireUser,
      schema: {
        tags: ['alerts'],
        summary:
          "The user's price alerts: every watchlist item with a threshold, with when it last fired (change one with PATCH /api/watchlists/{id}/items/{itemId})",
        security: [{ bearerAuth: [] }],
        response: { 200: z.array(priceAlertOut) },
      },
    },
    async (req) => listPriceAlertSettings(app.db, currentUser(req).id),
  );
}
