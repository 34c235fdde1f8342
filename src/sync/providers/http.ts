/**
 * HTTP for providers: GET a JSON document with a timeout, retrying network errors, 5xx, malformed
 * bodies and 429 with exponential backoff and jitter (429 waits at least its Retry-After). A 418
 * (Binance's ban) and other 4xx are not retried: the provider's `classify` names them.
 */
import type { ProviderName } from './provider.ts';
import { ProviderError } from './provider.ts';

export interface RetryPolicy {
  /** Requests in all, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
}

/** TM_SYNC_RETRY_BASE_MS and TM_SYNC_RETRIES tune it (tests shorten the waits). */
export function retryPolicy(env: NodeJS.ProcessEnv = process.env): RetryPolicy {
  const base = Number(env.TM_SYNC_RETRY_BASE_MS ?? 500);
  const attempts = Number(env.TM_SYNC_RETRIES ?? 5);
  return {
    attempts: Number.isInteger(attempts) && attempts > 0 ? attempts : 5,
    baseMs: Number.isFinite(base) && base >= 0 ? base : 500,
    maxMs: 30_000,
  };
}

/** Exponential backoff with "equal jitter": half fixed, half random, so clients spread out. */
export function backoffMs(policy: RetryPolicy, attempt: number, random = Math.random): number {
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
  return cap / 2 + random() * (cap / 2);
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface GetOptions {
  provider: ProviderName;
  headers?: Record<string, string>;
  policy: RetryPolicy;
  timeoutMs?: number;
  /**
   * Turns a non-2xx answer (or a 2xx with an error document) into an error; return undefined to
   * fall back to the generic handling by status.
   */
  classify?: (r: JsonResponse) => ProviderError | undefined;
  /** Called with every answer (rate-limit headers). */
  observe?: (headers: Headers) => void;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** A Retry-After longer than this is not waited for in place: the error says when to come back. */
const MAX_INLINE_WAIT_MS = 60_000;

/** The URL without its query string: what errors may show (queries can hold keys). */
function safeUrl(url: string): string {
  return url.split('?')[0];
}

export async function getJson(url: string, opts: GetOptions): Promise<JsonResponse> {
  const sleep = opts.sleep ?? defaultSleep;
  let last: ProviderError | undefined;
  for (let attempt = 0; attempt < opts.policy.attempts; attempt++) {
    if (attempt > 0) await sleep(waitBefore(last, opts.policy, attempt - 1));
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { accept: 'application/json', ...opts.headers },
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      last = new ProviderError(opts.provider, 'network', `GET ${safeUrl(url)} failed: ${cause}`);
      continue;
    }
    opts.observe?.(res.headers);
    const text = await res.text().catch(() => '');
    let body: unknown;
    let parsed = true;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = false;
    }
    const r: JsonResponse = { status: res.status, headers: res.headers, body };
    const named = parsed ? opts.classify?.(r) : undefined;
    if (named) {
      if (!named.transient) throw named;
      last = named;
      continue;
    }
    if (res.status === 429) {
      const wait = retryAfterMs(res.headers.get('retry-after'));
      last = new ProviderError(opts.provider, 'rate_limited', 'rate limit reached (429)', Date.now() + (wait ?? 0));
      if (wait !== undefined && wait > MAX_INLINE_WAIT_MS) throw last;
      continue;
    }
    if (res.status === 418) {
      const wait = retryAfterMs(res.headers.get('retry-after'));
      throw new ProviderError(
        opts.provider,
        'banned',
        `the provider banned this address for ignoring rate limits (418)${wait !== undefined ? `; retry after ${Math.ceil(wait / 1000)} s` : ''}`,
        wait !== undefined ? Date.now() + wait : undefined,
      );
    }
    if (res.status >= 500) {
      last = new ProviderError(opts.provider, 'server', `server error ${res.status} from GET ${safeUrl(url)}`);
      continue;
    }
    if (res.status >= 400) {
      throw new ProviderError(
        opts.provider,
        'rejected',
        `GET ${safeUrl(url)} answered ${res.status}: ${text.slice(0, 200)}`,
      );
    }
    if (!parsed) {
      last = new ProviderError(opts.provider, 'malformed', `GET ${safeUrl(url)} answered malformed JSON`);
      continue;
    }
    return r;
  }
  throw last ?? new ProviderError(opts.provider, 'network', `GET ${safeUrl(url)} failed`);
}

function waitBefore(err: ProviderError | undefined, policy: RetryPolicy, attempt: number): number {
  const backoff = backoffMs(policy, attempt);
  if (err?.kind === 'rate_limited' && err.retryAt !== undefined) return Math.max(err.retryAt - Date.now(), backoff);
  return backoff;
}

/** Spaces requests of one provider at least `minGapMs` apart (its published request rate). */
export class Pacer {
  private next = 0;
  constructor(private minGapMs: number) {}
  /** Waits for the slot, and takes it. */
  async take(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + this.minGapMs;
    if (at > now) await defaultSleep(at - now);
  }
  /** Pushes the next slot back (a header said the budget is spent). */
  holdUntil(ms: number): void {
    this.next = Math.max(this.next, ms);
  }
}
