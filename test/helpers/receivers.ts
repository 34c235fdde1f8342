/** Local receivers for notification tests: a Standard Webhooks HTTP endpoint and an SMTP server. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { SMTPServer } from 'smtp-server';

export interface Received {
  id: string;
  body: unknown;
  /** Whether the signature verified with the channel's secret (standardwebhooks' own check). */
  verified: boolean;
  status: number;
}

export type Behaviour = (req: { id: string; n: number }) => { status: number; delayMs?: number };

export interface WebhookReceiver {
  url: string;
  received: Received[];
  secret: string;
  behave: Behaviour;
  close(): Promise<void>;
}

export async function startWebhookReceiver(
  secret: string,
  behave: Behaviour = () => ({ status: 200 }),
): Promise<WebhookReceiver> {
  const wh = new Webhook(secret);
  const r: WebhookReceiver = { url: '', received: [], secret, behave, close: async () => {} };
  const seen = new Map<string, number>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const headers = {
        'webhook-id': String(req.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      };
      let verified = false;
      let parsed: unknown = null;
      try {
        parsed = wh.verify(body, headers);
        verified = true;
      } catch {
        parsed = JSON.parse(body);
      }
      const n = (seen.get(headers['webhook-id']) ?? 0) + 1;
      seen.set(headers['webhook-id'], n);
      const b = r.behave({ id: headers['webhook-id'], n });
      r.received.push({ id: headers['webhook-id'], body: parsed, verified, status: b.status });
      const reply = () => {
        if (!res.destroyed) res.writeHead(b.status).end();
      };
      if (b.delayMs) setTimeout(reply, b.delayMs).unref();
      else reply();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  r.close = () =>
    new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    });
  return r;
}

export interface Mail {
  from: string;
  to: string[];
  raw: string;
}

export async function startSmtpReceiver(): Promise<{ url: string; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => (raw += c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((x) => x.address),
          raw,
        });
        cb();
      });
    },
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
