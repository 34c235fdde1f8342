/** Sends one webhook: POST, signed, a total timeout, no redirects followed, private addresses refused. */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { isPrivateAddress, PrivateAddressError, guardedLookup } from './ssrf.ts';
import { webhookHeaders } from './signing.ts';

export interface SendResult {
  ok: boolean;
  /** Why it failed, safe to store and print (no secrets, no URL query). */
  error?: string;
  /** The receiver said when to try again (Telegram's 429 retry_after): the retry waits exactly this. */
  retryAfterMs?: number;
  /** Trying again cannot help (Telegram: chat not found, bot blocked): the delivery fails now. */
  permanent?: boolean;
}

export interface WebhookRequest {
  url: string;
  secret: string;
  /** The webhook-id: the same on every attempt of one delivery. */
  id: string;
  body: string;
  timeoutMs: number;
  allowPrivate: boolean;
}

export function sendWebhook(r: WebhookRequest): Promise<SendResult> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(r.url);
    } catch {
      return resolve({ ok: false, error: 'invalid URL' });
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // Literal addresses skip the lookup hook: check them here.
    if (!r.allowPrivate && isIP(host) && isPrivateAddress(host))
      return resolve({ ok: false, error: new PrivateAddressError(host, host).message });
    const headers = { ...webhookHeaders(r.secret, r.id, r.body), 'user-agent': 'TradingManager-Webhooks/1' };
    const lib = url.protocol === 'https:' ? https : http;
    let settled = false;
    const done = (res: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(res);
    };
    const req = lib.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(r.body) },
        lookup: guardedLookup(r.allowPrivate) as never,
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.resume(); // the body is not needed; drain it so the socket closes
        res.on('end', () =>
          done(
            status >= 200 && status < 300
              ? { ok: true }
              : {
                  ok: false,
                  error:
                    status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`,
                },
          ),
        );
        res.on('error', (e) => done({ ok: false, error: e.message }));
      },
    );
    const timer = setTimeout(() => {
      done({ ok: false, error: `timed out after ${r.timeoutMs} ms` });
      req.destroy();
    }, r.timeoutMs);
    req.on('error', (e) => done({ ok: false, error: e.message }));
    req.end(r.body);
  });
}
