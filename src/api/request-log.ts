/**
 * One log line per request (Fastify's default writes two: "incoming request" and "request completed").
 * On a terminal the lines are short and human (`14:03:07 GET /api/markets 200 4 ms`) and the web app's
 * static files and /health answered without error are left out, so `tm serve`'s start-up lines stay
 * readable; elsewhere (a file, a log collector) or with TM_LOG=json they are pino's JSON lines.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { redactUrlCredentials } from './log-url.ts';

export type LogFormat = 'json' | 'human';

/** TM_LOG: `0` off, `json`, `human`; unset: human on a terminal, JSON otherwise. */
export function logFormatFrom(env: NodeJS.ProcessEnv, isTTY: boolean): LogFormat | null {
  const v = env.TM_LOG?.trim().toLowerCase();
  if (v === '0' || v === 'off') return null;
  if (v === 'json') return 'json';
  if (v === 'human' || v === 'pretty') return 'human';
  if (v === undefined || v === '' || v === '1') return isTTY ? 'human' : 'json';
  throw new Error(`TM_LOG must be 0, json or human, got "${env.TM_LOG}"`);
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: '', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** Turns one pino JSON record into a short line; anything that is not JSON passes through. */
export function humanLine(json: string): string {
  let rec: { level?: number; time?: number; msg?: string; err?: { message?: string; stack?: string } };
  try {
    rec = JSON.parse(json);
  } catch {
    return json;
  }
  const time = new Date(rec.time ?? Date.now()).toTimeString().slice(0, 8);
  const level = LEVELS[rec.level ?? 30] ?? '';
  const err = rec.err ? `: ${rec.err.stack ?? rec.err.message ?? ''}` : '';
  return [time, level, `${rec.msg ?? ''}${err}`].filter(Boolean).join(' ');
}

/** A stream for pino that writes human lines to `out`. */
export function humanStream(out: NodeJS.WritableStream = process.stdout): Writable {
  return new Writable({
    write(chunk, _enc, cb) {
      const lines = String(chunk).split('\n').filter(Boolean);
      out.write(lines.map((l) => `${humanLine(l)}\n`).join(''));
      cb();
    },
  });
}

/** Requests that a terminal log leaves out when they succeed: static files and the health probe. */
function routine(url: string): boolean {
  return !url.startsWith('/api/') && !url.startsWith('/compat/');
}

/** Logs each answered request once: method, redacted URL, status and time taken. */
export function logRequests(app: FastifyInstance, format: LogFormat): void {
  app.addHook('onResponse', async (req, reply) => {
    const status = reply.statusCode;
    if (format === 'human' && status < 400 && routine(req.url)) return;
    const ms = Math.round(reply.elapsedTime);
    const line = `${req.method} ${redactUrlCredentials(req.url)} ${status} ${ms} ms`;
    if (format === 'human') req.log.info(line);
    else req.log.info({ req, res: { statusCode: status }, responseTime: reply.elapsedTime }, 'request completed');
  });
}
