/**
 * A local stand-in for the Telegram Bot API (TM_TELEGRAM_API_URL points at it): POST /bot<token>/sendMessage
 * with a JSON body, answered as the Bot API documents: `{"ok": true, "result": Message}`, or
 * `{"ok": false, "error_code", "description", "parameters"?: {"retry_after"}}` with that HTTP status;
 * POST /bot<token>/getUpdates returns the queued `updates` from the call's offset on.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentMessage {
  token: string;
  method: string;
  body: { chat_id: number | string; text: string; parse_mode?: string; [k: string]: unknown };
}

export type BotAnswer = { status: number; description?: string; retryAfter?: number };
export type BotBehaviour = (m: SentMessage, n: number) => BotAnswer;

/** An incoming message as getUpdates returns it. */
export interface Update {
  update_id: number;
  message: { message_id: number; date: number; text: string; chat: { id: number; type: string; username?: string } };
}

export interface TelegramStandIn {
  url: string;
  /** sendMessage calls. */
  sent: SentMessage[];
  /** Messages waiting for getUpdates; the ones below a call's offset are confirmed and dropped. */
  updates: Update[];
  /** The offset of each getUpdates call. */
  polls: (number | undefined)[];
  behave: BotBehaviour;
  close(): Promise<void>;
}

export async function startTelegramStandIn(behave: BotBehaviour = () => ({ status: 200 })): Promise<TelegramStandIn> {
  const t: TelegramStandIn = { url: '', sent: [], updates: [], polls: [], behave, close: async () => {} };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? '');
      if (!m || req.method !== 'POST') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error_code: 404, description: 'Not Found' }));
        return;
      }
      if (m[2] === 'getUpdates') {
        // Short polls only (timeout ignored): the tests' pollers ask with timeout 0.
        const offset = (JSON.parse(raw || '{}') as { offset?: number }).offset;
        t.polls.push(offset);
        if (offset !== undefined) t.updates = t.updates.filter((u) => u.update_id >= offset);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, result: t.updates }));
        return;
      }
      const msg: SentMessage = { token: m[1], method: m[2], body: JSON.parse(raw) };
      t.sent.push(msg);
      const a = t.behave(msg, t.sent.length);
      const body =
        a.status === 200
          ? {
              ok: true,
              result: {
                message_id: t.sent.length,
                date: Math.floor(Date.now() / 1000),
                chat: { id: msg.body.chat_id },
              },
            }
          : {
              ok: false,
              error_code: a.status,
              description: a.description ?? 'Error',
              ...(a.retryAfter !== undefined ? { parameters: { retry_after: a.retryAfter } } : {}),
            };
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  t.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.close = () =>
    new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    });
  return t;
}
