/** RFC 9457 problem details (application/problem+json), the one error shape of the API. */
import type { ProviderError, ProviderErrorKind } from '../sync/providers/provider.ts';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * A market-data provider's failure by kind: the user's input only when it names a market the provider
 * does not list; otherwise the provider (502, 504) or this server's setup or rate budget (503).
 */
const PROVIDER_STATUS: Record<ProviderErrorKind, number> = {
  unknown_symbol: 404,
  rejected: 502,
  plan_limit: 502,
  server: 502,
  network: 502,
  malformed: 502,
  too_large: 502,
  timeout: 504,
  rate_limited: 503,
  banned: 503,
  config: 503,
};

/** Status and Retry-After (seconds) of a provider failure. */
export function providerProblem(err: ProviderError, now = Date.now()): { status: number; retryAfter?: number } {
  const status = PROVIDER_STATUS[err.kind];
  const retryAfter = err.retryAt !== undefined ? Math.max(1, Math.ceil((err.retryAt - now) / 1000)) : undefined;
  return { status, retryAfter };
}

export function problem(status: number, detail: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'about:blank',
    title: TITLES[status] ?? (status >= 500 ? 'Internal Server Error' : 'Error'),
    status,
    detail,
    ...extra,
  };
}
