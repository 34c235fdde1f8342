/**
 * Request URLs as they are logged: the values of query parameters that look like credentials
 * (`?access_token=…`, `api_key`, `password`, …) are replaced, whichever route the URL names, so a
 * token a client put in a URL never reaches the log.
 */
import type { FastifyRequest } from 'fastify';

/** A parameter name that carries a credential (matched on the decoded name, any case). */
const CREDENTIAL = /token|key|pass(word)?|pwd|secret|signature|^sig$|auth|credential|session|^code$/i;
export const REDACTED = '[Redacted]';

function decoded(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s; // malformed escapes: judge the raw name
  }
}

/** The URL with credential-like query values replaced; everything else stays as the client sent it. */
export function redactUrlCredentials(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const parts = query.split(/([&;])/).map((part) => {
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    return eq >= 0 && CREDENTIAL.test(decoded(name)) ? `${name}=${REDACTED}` : part;
  });
  return `${url.slice(0, q + 1)}${parts.join('')}`;
}

/** pino's `req` serializer for Fastify: the default fields, the URL redacted. */
export function serializeRequest(req: FastifyRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: redactUrlCredentials(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}
