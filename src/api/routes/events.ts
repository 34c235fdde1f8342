/**
 * GET /api/events: Server-Sent Events with new candles, signals and (for the authenticated user) alert
 * events. Each event's id is a cursor: a client that reconnects with Last-Event-ID gets what it missed.
 * Without a token the stream carries market data only; a bad token is a 401 so the client refreshes.
 */
import type { FastifyInstance } from 'fastify';
import { authenticate } from '../../accounts/auth.ts';
import { type Cursor, decodeCursor, encodeCursor, type FeedEvent, windowCovered } from '../../events/feed.ts';
import { z } from 'zod';
import { newestCandleTs } from '../../market/candle-series.ts';
import { problem } from '../problem.ts';

const eventsQuery = z.strictObject({
  since: z.string().min(1).max(1000).optional().describe('a cursor to resume from, as Last-Event-ID'),
});

function covered(e: FeedEvent, upto: Cursor, alertIds: Set<string>): boolean {
  if (e.kind === 'candle' || e.kind === 'candles') return windowCovered(e.cursor.candles, upto.candles);
  if (e.kind === 'signal') return windowCovered(e.cursor.signals, upto.signals);
  return alertIds.has(e.data.id);
}

export async function eventRoutes(app: FastifyInstance): Promise<void> {
  // Open streams never end by themselves: close them when the server shuts down, or close() would wait.
  const open = new Set<{ end(): void }>();
  app.addHook('preClose', async () => {
    for (const raw of open) raw.end();
    open.clear();
  });
  app.get(
    '/api/events',
    {
      sse: { kind: 'only', heartbeat: true },
      schema: {
        tags: ['events'],
        summary:
          'Server-Sent Events: candles (range changed), candle, signal and (with a token) alert; resumable with Last-Event-ID',
        // Strict: an unknown parameter (say ?access_token=…, which is never read) is a 400, not ignored.
        querystring: eventsQuery,
      },
    },
    async (req, reply) => {
      let userId: string | null = null;
      const auth = req.headers.authorization;
      if (auth) {
        const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
        const user = m ? await authenticate(app.db, await app.auth.secret(), m[1]) : null;
        if (!user) {
          await reply
            .status(401)
            .header('www-authenticate', 'Bearer')
            .type('application/problem+json')
            .send(problem(401, 'invalid or expired access token'));
          return;
        }
        userId = user.id;
      }
      const visible = (e: FeedEvent) => e.kind !== 'alert' || e.userId === userId;
      const send = (e: FeedEvent) =>
        reply.sse.send({ id: encodeCursor(e.cursor), event: e.kind, data: e.data }).catch(() => undefined);

      // Live events wait in a queue until the backlog (if any) is out, so the order holds.
      let queue: FeedEvent[] | null = [];
      const unsubscribe = app.events.subscribe((e) => {
        if (!visible(e)) return;
        if (queue) queue.push(e);
        else void send(e);
      });
      open.add(reply.raw);
      reply.sse.onClose(() => {
        unsubscribe();
        open.delete(reply.raw);
      });
      reply.sse.keepAlive();

      const resume = decodeCursor(reply.sse.lastEventId ?? (req.query as z.infer<typeof eventsQuery>).since);
      let upto: Cursor | null = null;
      const alertIds = new Set<string>();
      if (resume) {
        for (const e of await app.events.backlog(resume)) {
          upto = e.cursor;
          if (e.kind === 'alert') alertIds.add(e.data.id);
          if (visible(e)) await send(e);
        }
      }
      const pending = queue;
      queue = null;
      for (const e of pending) if (!upto || !covered(e, upto, alertIds)) await send(e);
      // A first event tells the client the stream is open (and flushes the headers), with the newest candle's time.
      const newest = await newestCandleTs(app.db);
      await reply.sse.send({
        event: 'ready',
        data: { resumed: resume !== null, newest_candle_ts: newest ? newest.toISOString() : null },
      });
    },
  );
}
