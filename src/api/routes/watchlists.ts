/** /api/watchlists and their items: a user's own lists only (another user's id answers 404). */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  COLOR_RE,
  createWatchlist,
  deleteWatchlist,
  getWatchlist,
  listWatchlists,
  updateWatchlist,
  WATCHLIST_ICONS,
} from '../../accounts/watchlists.ts';
import {
  addItem,
  getOwnItem,
  listItems,
  removeItem,
  reorderItems,
  updateItem,
} from '../../accounts/watchlist-items.ts';
import { currentUser, requireUser } from '../guards.ts';
import { pageQuery } from '../pagination.ts';
import { pageOf, SMALL_BODY, text } from '../schemas.ts';

const watchlistOut = z.object({
  id: z.uuid(),
  user_id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  color: z.string().nullable(),
  icon: z.string().nullable(),
  is_default: z.boolean(),
  item_count: z.number().int(),
  created_at: z.date(),
  updated_at: z.date(),
});

const itemOut = z.object({
  id: z.uuid(),
  watchlist_id: z.uuid(),
  asset_id: z.uuid(),
  symbol: z.string(),
  position: z.number().int(),
  notes: z.string().nullable(),
  price_alert_high: z.number().nullable(),
  price_alert_low: z.number().nullable(),
  price_alert_enabled: z.boolean(),
  created_at: z.date(),
  updated_at: z.date(),
});

const page = pageOf;

// Stored verbatim (no trimming); only an all-blank name is refused.
const name = text(100).refine((s) => s.trim().length > 0, 'must not be blank');
const description = text(2000).nullable();
const color = z.string().regex(COLOR_RE, 'must be a colour #RRGGBB').nullable();
const icon = z.enum(WATCHLIST_ICONS).nullable();

const watchlistCreate = z.strictObject({
  name,
  description: description.optional(),
  color: color.optional(),
  icon: icon.optional(),
  is_default: z.boolean().optional(),
});
const watchlistPatch = z
  .strictObject({
    name: name.optional(),
    description: description.optional(),
    color: color.optional(),
    icon: icon.optional(),
    is_default: z.boolean().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'give at least one field to change');

const price = z.number().positive().finite().nullable();
const notes = text(2000).nullable();
const highAboveLow = (v: { price_alert_high?: number | null; price_alert_low?: number | null }) =>
  v.price_alert_high == null || v.price_alert_low == null || v.price_alert_high > v.price_alert_low;
const HIGH_LOW = { message: 'must be greater than price_alert_low', path: ['price_alert_high'] };

const itemCreate = z
  .strictObject({
    asset_id: z.uuid(),
    position: z.number().int().min(0).optional(),
    notes: notes.optional(),
    price_alert_high: price.optional(),
    price_alert_low: price.optional(),
  })
  .refine(highAboveLow, HIGH_LOW);
const itemPatch = z
  .strictObject({
    position: z.number().int().min(0).optional(),
    notes: notes.optional(),
    price_alert_high: price.optional(),
    price_alert_low: price.optional(),
    price_alert_enabled: z.boolean().optional().describe('false turns the alert off, keeping its thresholds'),
  })
  .refine((p) => Object.keys(p).length > 0, 'give at least one field to change')
  .refine(highAboveLow, HIGH_LOW);
const reorderBody = z.strictObject({ item_ids: z.array(z.uuid()).max(10_000) });

const idParams = z.strictObject({ id: z.uuid() });
const itemParams = z.strictObject({ id: z.uuid(), itemId: z.uuid() });

export async function watchlistRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const base = { tags: ['watchlists'], security: [{ bearerAuth: [] }] };
  const guard = { onRequest: requireUser, bodyLimit: SMALL_BODY };

  app.get(
    '/api/watchlists',
    {
      ...guard,
      schema: {
        ...base,
        summary: "The user's watchlists",
        querystring: pageQuery,
        response: { 200: page(watchlistOut) },
      },
    },
    async (req) => listWatchlists(app.db, currentUser(req).id, req.query),
  );

  app.post(
    '/api/watchlists',
    {
      ...guard,
      schema: {
        ...base,
        summary: 'Create a watchlist (the first one is the default)',
        description: `icon: one of ${WATCHLIST_ICONS.join(', ')}. color: #RRGGBB.`,
        body: watchlistCreate,
        response: { 201: watchlistOut },
      },
    },
    async (req, reply) => reply.status(201).send(await createWatchlist(app.db, currentUser(req).id, req.body)),
  );

  app.get(
    '/api/watchlists/:id',
    { ...guard, schema: { ...base, summary: 'One watchlist', params: idParams, response: { 200: watchlistOut } } },
    async (req) => getWatchlist(app.db, currentUser(req).id, req.params.id),
  );

  app.patch(
    '/api/watchlists/:id',
    {
      ...guard,
      schema: {
        ...base,
        summary: 'Change a watchlist; is_default: true makes it the default',
        params: idParams,
        body: watchlistPatch,
        response: { 200: watchlistOut },
      },
    },
    async (req) => updateWatchlist(app.db, currentUser(req).id, req.params.id, req.body),
  );

  app.delete(
    '/api/watchlists/:id',
    {
      ...guard,
      schema: {
        ...base,
        summary: 'Delete a watchlist and its items (deleting the default promotes the oldest other list)',
        params: idParams,
      },
    },
    async (req, reply) => {
      await deleteWatchlist(app.db, currentUser(req).id, req.params.id);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/watchlists/:id/items',
    {
      ...guard,
      schema: {
        ...base,
        summary: 'Items in position order',
        params: idParams,
        querystring: pageQuery,
        response: { 200: page(itemOut) },
      },
    },
    async (req) => listItems(app.db, currentUser(req).id, req.params.id, req.query),
  );

  app.post(
    '/api/watchlists/:id/items',
    {
      ...guard,
      schema: {
        ...base,
        summary: 'Add an asset (at the end, or at `position`); 409 when it is already there',
        params: idParams,
        body: itemCreate,
        response: { 201: itemOut },
      },
    },
    async (req, reply) => reply.status(201).send(await addItem(app.db, currentUser(req).id, req.params.id, req.body)),
  );

  // Registered before /items/:itemId so "order" is never taken for an item id.
  app.put(
    '/api/watchlists/:id/items/order',
    {
      ...guard,
      schema: {
        ...base,
        summary: 'Reorder: item_ids lists every item once, in the new order',
        params: idParams,
        body: reorderBody,
        response: { 200: z.array(itemOut) },
      },
    },
    async (req) => reorderItems(app.db, currentUser(req).id, req.params.id, req.body.item_ids),
  );

  app.get(
    '/api/watchlists/:id/items/:itemId',
    { ...guard, schema: { ...base, summary: 'One item', params: itemParams, response: { 200: itemOut } } },
    async (req) => getOwnItem(app.db, currentUser(req).id, req.params.id, req.params.itemId),
  );

  app.patch(
    '/api/watchlists/:id/items/:itemId',
    {
      ...guard,
      schema: {
        ...base,
        summary: 'Change notes, alert thresholds (null clears), turn the alert off or on, or move it (others shift)',
        params: itemParams,
        body: itemPatch,
        response: { 200: itemOut },
      },
    },
    async (req) => updateItem(app.db, currentUser(req).id, req.params.id, req.params.itemId, req.body),
  );

  app.delete(
    '/api/watchlists/:id/items/:itemId',
    { ...guard, schema: { ...base, summary: 'Remove an item (later items move up)', params: itemParams } },
    async (req, reply) => {
      await removeItem(app.db, currentUser(req).id, req.params.id, req.params.itemId);
      return reply.status(204).send();
    },
  );
}
