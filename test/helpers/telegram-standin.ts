/**
 * A local stand-in for the Telegram Bot API (TM_TELEGRAM_API_URL points at it): POST /bot<token>/sendMessage
 * with a JSON body, answered as the Bot API documents: `{"ok": true, "result": Message}`, or
 * `{"ok": false, "error_code", "description", "parameters"?: {"retry_after"}}` with that HTTP status.
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

export interface TelegramStandIn {
  url: string;
  sent: SentMessage[];
  behave: BotBehaviour;
  close(): Promise<void>;
}

export async function startTelegramStandIn(behave: BotBehaviour = () => ({ status: 200 })): Promise<TelegramStandIn> {
  const t: TelegramStandIn = { url: '', sent: [], behave, close: async () => {} };
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
