/**
 * The browser app (web/, built by `npm run build:web` into web/dist) served at `/`: files as they are,
 * and index.html for client routes (GET of a path outside /api, /docs and /health that names no file).
 * Its pages carry a Content-Security-Policy that allows scripts only from this origin.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';

// src/api/web.ts from source, a chunk in dist/ when compiled: web/dist is two or one levels up.
export const WEB_DIST = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? '../../web/dist' : '../web/dist', import.meta.url),
);

/** No inline scripts, no eval, no third-party origins; styles set from scripts (CSSOM) are not affected. */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // lightweight-charts styles elements it creates; inline styles cannot run code, inline scripts stay forbidden.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const NOT_WEB = /^\/(api|docs|health)(\/|$|\?)/;

function securityHeaders(reply: FastifyReply): void {
  void reply
    .header('content-security-policy', WEB_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('x-frame-options', 'DENY');
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** `/assets/<file>` → its bytes and type, for the .js and .css files of the build. */
function assetsInMemory(dir: string): Map<string, { body: Buffer; type: string }> {
  const out = new Map<string, { body: Buffer; type: string }>();
  const assets = path.join(dir, 'assets');
  if (!existsSync(assets)) return out;
  for (const f of readdirSync(assets)) {
    const type = TYPES[path.extname(f)];
    if (type) out.set(`/assets/${f}`, { body: readFileSync(path.join(assets, f)), type });
  }
  return out;
}

/** Registers the app when its build exists; returns false (and serves nothing) when it does not. */
export async function registerWebApp(app: FastifyInstance, dir = WEB_DIST): Promise<boolean> {
  if (!existsSync(`${dir}/index.html`)) return false;
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    wildcard: false,
    index: false,
    // Hashed file names under assets/ never change; index.html must be revalidated to pick up a new build.
    setHeaders: (res, file) => {
      void res.header('cache-control', file.includes('/assets/') ? IMMUTABLE : 'no-cache');
    },
  });
  // The built JavaScript and CSS (a few hundred kB) are answered from memory, in the turn the request
  // arrives: on the embedded database a query runs on this thread, and a file read through the thread pool
  // (stat, open, read: several turns) waited for every query queued meanwhile, so the chart's chunk, asked
  // first, arrived after the chart's data (docs/performance.md#web-app).
  const assets = assetsInMemory(dir);
  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return;
    const a = assets.get(req.url);
    if (a) return reply.header('cache-control', IMMUTABLE).type(a.type).send(a.body);
  });
  app.addHook('onSend', async (req, reply, payload) => {
    if (!NOT_WEB.test(req.url)) securityHeaders(reply);
    return payload;
  });
  return true;
}

/** For the not-found handler: answers a client route with index.html; false when it is not one. */
export function serveClientRoute(req: FastifyRequest, reply: FastifyReply): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (NOT_WEB.test(req.url) || !('sendFile' in reply)) return false;
  const accept = req.headers.accept ?? '';
  if (!accept.includes('text/html') && !accept.includes('*/*')) return false;
  void reply.header('cache-control', 'no-cache').type('text/html').sendFile('index.html');
  return true;
}
