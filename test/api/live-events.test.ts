/**
 * The live feed on both backends: candles posted through the API, signals and alert events come out
 * of the event hub and /api/events (SSE) with cursor ids; a stream resumed with Last-Event-ID gets
 * what it missed; alerts go only to their owner.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/types.ts';
import {
  currentCursor,
  decodeCursor,
  encodeCursor,
  type FeedEvent,
  readEvents,
  windowCovered,
} from '../../src/events/feed.ts';
import { openServer } from '../../src/db/server.ts';
import { EventHub } from '../../src/events/hub.ts';
import { ingestCandles } from '../../src/ingest/ingest.ts';
import type { RawCandle } from '../../src/market/import/validate.ts';
import { tokenFor } from '../helpers/auth.ts';
import type { ServerTestDb } from '../helpers/db.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { insertAsset, insertCloses } from '../helpers/market.ts';
import { until } from '../helpers/wait.ts';

interface Sse {
  events: { id: string; event: string; data: unknown }[];
  close(): void;
}

/** Reads an SSE stream in the background, collecting its events. */
async function openStream(base: string, headers: Record<string, string> = {}): Promise<Sse> {
  const ctl = new AbortController();
  const res = await fetch(`${base}/api/events`, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: ctl.signal,
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const out: Sse = { events: [], close: () => ctl.abort() };
  const body = res.body;
  assert.ok(body);
  void (async () => {
    let buf = '';
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += value;
        let cut = buf.indexOf('\n\n');
        while (cut >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const field = (k: string) =>
            block
              .split('\n')
              .find((l) => l.startsWith(`${k}:`))
              ?.slice(k.length + 1)
              .trim();
          const data = field('data');
          if (data)
            out.events.push({ id: field('id') ?? '', event: field('event') ?? 'message', data: JSON.parse(data) });
          cut = buf.indexOf('\n\n');
        }
      }
    } catch {
      // aborted
    }
  })();
  return out;
}

forEachBackend('live events', (open, backend) => {
  let db: Database;
  let app: FastifyInstance;
  let base: string;
  let assetId: string;

  before(async () => {
    db = await open();
    app = await buildApp({ db, config: loadConfig({ TM_EVENTS_POLL_MS: '100' }), webDir: false });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    assetId = await insertAsset(db, 'LIVE');
    await insertCloses(db, assetId, [10, 11, 12], { start: '2026-01-05T00:00:00Z', interval: '1h', stepMs: 3_600_000 });
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  test('cursors round-trip and reject junk', () => {
    const c = {
      candles: { from: '700', to: '812', after: '12' },
      signals: { from: '812', to: '812', after: '0' },
      alerts: 1_700_000_000_000,
    };
    assert.deepEqual(decodeCursor(encodeCursor(c)), c);
    assert.equal(decodeCursor('12.3'), null);
    assert.equal(decodeCursor('12.3.1700000000000'), null, 'an id cursor of an older version');
    assert.equal(decodeCursor('9_8_0.1_1_0.1700000000000'), null, 'a window that ends before it starts');
    assert.equal(decodeCursor("1.2.3'; DROP"), null);
  });

  test('a posted candle, a signal and an alert reach their streams; resume fills the gap', async () => {
    const owner = await tokenFor(app);
    const other = await tokenFor(app);
    const admin = await tokenFor(app, { admin: true });
    const list = await app.inject({
      method: 'POST',
      url: '/api/watchlists',
      headers: { authorization: owner.authorization },
      payload: { name: 'live' },
    });
    const item = await app.inject({
      method: 'POST',
      url: `/api/watchlists/${list.json().id}/items`,
      headers: { authorization: owner.authorization },
      payload: { asset_id: assetId, price_alert_high: 20 },
    });
    assert.equal(item.statusCode, 201, item.body);

    const mine = await openStream(base, { authorization: owner.authorization });
    const theirs = await openStream(base, { authorization: other.authorization });
    const anon = await openStream(base);
    await until('streams ready', () => (mine.events.some((e) => e.event === 'ready') ? true : undefined));
    const before = await currentCursor(db);
    // The hub has taken its starting position (its first poll) before the write.
    await app.events.position();

    const post = await app.inject({
      method: 'POST',
      url: '/api/candles',
      headers: { authorization: admin.authorization },
      payload: {
        interval: '1h',
        symbol: 'LIVE',
        candles: [{ ts: '2026-01-05T03:00:00Z', open: 12, high: 25, low: 12, close: 24, volume: 5 }],
      },
    });
    assert.equal(post.statusCode, 200, post.body);
    assert.equal(post.json().alerts_fired, 1);
    await db.query(
      `INSERT INTO signals (asset_id, ts, signal_type, strength, confidence, price, strategy, rationale, timeframe)
       VALUES ($1, '2026-01-05T03:00:00Z', 'buy', 0.5, 0.6, 24, 'test', 'crossed', '1h')`,
      [assetId],
    );

    const candle = await until('candle on the stream', () => mine.events.find((e) => e.event === 'candle'));
    assert.deepEqual(
      { ...(candle.data as Record<string, unknown>), asset_id: undefined },
      {
        asset_id: undefined,
        symbol: 'LIVE',
        interval: '1h',
        ts: '2026-01-05T03:00:00.000Z',
        open: 12,
        high: 25,
        low: 12,
        close: 24,
        volume: 5,
      },
    );
    const alert = await until('alert on the owner stream', () => mine.events.find((e) => e.event === 'alert'));
    assert.equal((alert.data as { direction: string }).direction, 'above');
    assert.equal((alert.data as { threshold: number }).threshold, 20);
    await until('signal on the stream', () => anon.events.find((e) => e.event === 'signal'));
    await until('candle on the anonymous stream', () => anon.events.find((e) => e.event === 'candle'));
    // Whether another user or an anonymous client sees the alert, without waiting for something not to
    // arrive: streams resuming from before the write get the same events through the same filter, and
    // their 'ready' comes after the whole backlog.
    for (const [who, headers] of [
      ['another user', { authorization: other.authorization }],
      ['an anonymous client', {}],
    ] as const) {
      const r = await openStream(base, { ...headers, 'last-event-id': encodeCursor(before) });
      await until(`${who}'s resumed stream ready`, () => r.events.find((e) => e.event === 'ready'));
      r.close();
      const kinds = r.events.map((e) => e.event);
      assert.ok(kinds.includes('candle') && kinds.includes('signal'), `${who}: ${kinds.join()}`);
      assert.equal(kinds.includes('alert'), false, `${who} never sees the alert`);
    }
    assert.equal(theirs.events.filter((e) => e.event === 'alert').length, 0, 'another user never sees the alert');
    assert.equal(anon.events.filter((e) => e.event === 'alert').length, 0, 'an anonymous stream never sees alerts');
    for (const s of [mine, theirs, anon]) s.close();

    // Resuming from the position before the write replays the same events.
    const resumed = await openStream(base, {
      authorization: owner.authorization,
      'last-event-id': encodeCursor(before),
    });
    await until('resumed stream ready', () => resumed.events.find((e) => e.event === 'ready'));
    resumed.close();
    const kinds = resumed.events.map((e) => e.event);
    assert.ok(kinds.includes('candle') && kinds.includes('signal') && kinds.includes('alert'), kinds.join());
    const ready = resumed.events.find((e) => e.event === 'ready')?.data as
      | { resumed: boolean; newest_candle_ts: string | null }
      | undefined;
    assert.equal(ready?.resumed, true);
    assert.match(String(ready?.newest_candle_ts), /^\d{4}-\d\d-\d\dT/, 'the newest candle time');
    // And the library read agrees: each event's cursor moves only its own part forward.
    const feed: FeedEvent[] = await readEvents(db, before, new Map());
    assert.deepEqual(
      feed.map((e) => e.kind),
      ['candles', 'candle', 'signal', 'alert'],
    );
    assert.equal(windowCovered(feed[0].cursor.candles, before.candles), false, 'the candle part moved on');
    assert.equal(feed[0].cursor.signals.from, before.signals.from, 'the signal part did not');
    assert.equal(feed[0].cursor.signals.after, '0');
  });

  test('a bad token is refused, so the client refreshes', async () => {
    const res = await fetch(`${base}/api/events`, {
      headers: { accept: 'text/event-stream', authorization: 'Bearer nope' },
    });
    assert.equal(res.status, 401);
    await res.body?.cancel();
  });

  test('on a server, a write by another process reaches the streams of every server process', {
    skip: backend === 'server' ? undefined : 'one process owns the embedded database',
  }, async () => {
    const url = (db as ServerTestDb).url;
    // A second "tm serve" and a "tm import" from a shell: their own connection pools.
    const db2 = await openServer(url, { max: 2 });
    const writer = await openServer(url, { max: 2 });
    const app2 = await buildApp({ db: db2, config: loadConfig({ TM_EVENTS_POLL_MS: '100' }), webDir: false });
    const base2 = await app2.listen({ port: 0, host: '127.0.0.1' });
    try {
      const one = await openStream(base);
      const two = await openStream(base2);
      await until('both ready', () => (one.events.length && two.events.length ? true : undefined));
      // Both hubs have taken their starting positions before the write.
      await Promise.all([app.events.position(), app2.events.position()]);
      async function* rows(): AsyncIterable<RawCandle> {
        yield { line: 1, ts: '2026-01-05T09:00:00Z', open: 30, high: 31, low: 29, close: 30.5, volume: 7 };
      }
      await ingestCandles(writer, rows(), { interval: '1h', symbol: 'LIVE' });
      for (const s of [one, two]) {
        const c = await until("the other process's candle", () =>
          s.events.find((e) => e.event === 'candle' && (e.data as { ts: string }).ts === '2026-01-05T09:00:00.000Z'),
        );
        assert.equal((c.data as { close: number }).close, 30.5);
        s.close();
      }
    } finally {
      await app2.close();
      await db2.close();
      await writer.close();
    }
  });

  test('a transaction that took a lower id but commits later is not skipped', {
    skip: backend === 'server' ? undefined : 'one connection: embedded transactions never overlap',
  }, async () => {
    const slow = await openServer((db as ServerTestDb).url, { max: 1 });
    const insert = `INSERT INTO signals (asset_id, ts, signal_type, strength, confidence, price, strategy, rationale, timeframe)
       VALUES ($1, $2, 'buy', 0.5, 0.6, 24, 'race', 'overlap', '1h') RETURNING id::text AS id`;
    let cur = await currentCursor(db);
    const seen = new Map<string, number>();
    const sent: string[] = [];
    const poll = async () => {
      for (const e of await readEvents(db, cur, seen)) {
        if (e.kind === 'signal' && e.data.strategy === 'race') sent.push(e.data.id);
        cur = e.cursor;
      }
    };
    try {
      let early = '';
      let late = '';
      await slow.transaction(async (tx) => {
        early = (await tx.query<{ id: string }>(insert, [assetId, '2026-02-01T00:00:00Z'])).rows[0].id;
        late = (await db.query<{ id: string }>(insert, [assetId, '2026-02-01T01:00:00Z'])).rows[0].id;
        assert.ok(BigInt(early) < BigInt(late));
        // The later id is committed, the earlier not yet: nothing past the running transaction is sent.
        await poll();
        assert.deepEqual(sent, []);
      });
      // Once the horizon passes both (other databases' transactions on the cluster count too), both come, in id order.
      const end = Date.now() + 15_000;
      while (sent.length < 2 && Date.now() < end) {
        await poll();
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.deepEqual(sent, [early, late]);
    } finally {
      await db.exec("DELETE FROM signals WHERE strategy = 'race'");
      await slow.close();
    }
  });

  test('the hub goes on after polls without signals: a later signal, a changed range and a deletion come out', async () => {
    const hub = new EventHub(db, { pollMs: 3_600_000 });
    const got: FeedEvent[] = [];
    const off = hub.subscribe((e) => got.push(e));
    const pollUntil = async (what: string, ok: () => boolean) => {
      const end = Date.now() + 15_000;
      while (!ok()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${got.map((e) => e.kind).join()}`);
        await hub.poll();
      }
    };
    try {
      await hub.poll(); // the starting position
      async function* rows(): AsyncIterable<RawCandle> {
        yield { line: 1, ts: '2026-01-06T01:00:00Z', open: 30, high: 31, low: 29, close: 30.5, volume: 7 };
        yield { line: 2, ts: '2026-01-06T02:00:00Z', open: 30, high: 31, low: 29, close: 30.7, volume: 7 };
      }
      await ingestCandles(db, rows(), { interval: '1h', symbol: 'LIVE' });
      await pollUntil('the candles', () => got.some((e) => e.kind === 'candle'));
      const range = got.find((e) => e.kind === 'candles');
      assert.deepEqual(
        range?.kind === 'candles' && [range.data.from_ts.toISOString(), range.data.to_ts.toISOString()],
        ['2026-01-06T01:00:00.000Z', '2026-01-06T02:00:00.000Z'],
      );
      await hub.poll(); // a poll that finds nothing
      await db.query(
        `INSERT INTO signals (asset_id, ts, signal_type, strength, confidence, price, strategy, rationale, timeframe)
         VALUES ($1, '2026-01-06T02:00:00Z', 'buy', 0.5, 0.6, 30, 'after-candles', '', '1h')`,
        [assetId],
      );
      await pollUntil('the signal', () => got.some((e) => e.kind === 'signal' && e.data.strategy === 'after-candles'));
      got.length = 0;
      await db.query(`DELETE FROM candles WHERE asset_id = $1 AND "interval" = '1h' AND ts = '2026-01-06T02:00:00Z'`, [
        assetId,
      ]);
      await pollUntil('the deletion', () => got.some((e) => e.kind === 'candles'));
      const deleted = got.find((e) => e.kind === 'candles');
      assert.equal(deleted?.kind === 'candles' && deleted.data.from_ts.toISOString(), '2026-01-06T02:00:00.000Z');
      assert.equal(got.filter((e) => e.kind === 'candle').length, 0, 'a deleted bar is no candle event');
    } finally {
      off();
      hub.close();
      await db.query("DELETE FROM signals WHERE strategy = 'after-candles'");
    }
  });

  test('closing the server ends open streams instead of waiting for them', { timeout: 20_000 }, async () => {
    const app3 = await buildApp({ db, config: loadConfig({ TM_EVENTS_POLL_MS: '100' }), webDir: false });
    const base3 = await app3.listen({ port: 0, host: '127.0.0.1' });
    const s = await openStream(base3);
    await until('ready', () => (s.events.length ? true : undefined));
    await app3.close();
    s.close();
  });
});
