/**
 * HTTP for providers: GET a JSON document with a timeout, retrying network errors, 5xx, malformed
 * bodies and 429 with exponential backoff and jitter (429 waits at least its Retry-After). A 418
 * (Binance's ban) and other 4xx are not retried: the provider's `classify` names them.
 */
import type { ProviderName } from './provider.ts';
import { clip, ProviderError } from './provider.ts';

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

/** What every provider's HTTP shares: the retry policy, the limits, and the waits (tests inject sleep and clock). */
export interface HttpSettings {
  policy: RetryPolicy;
  /** The whole exchange, headers and body (TM_SYNC_TIMEOUT_MS, default 30 s). */
  timeoutMs: number;
  /** Bytes an answer may have (TM_SYNC_MAX_RESPONSE_BYTES, default 32 MiB; a 1000-row Binance page is ~150 kB). */
  maxBytes: number;
  sleep: (ms: number) => Promise<void>;
  /** Our clock. */
  now: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function httpSettings(
  env: NodeJS.ProcessEnv = process.env,
  deps: Partial<Pick<HttpSettings, 'sleep' | 'now'>> = {},
): HttpSettings {
  const positive = (v: string | undefined, dflt: number) => {
    const n = Number(v);
    return v !== undefined && v !== '' && Number.isFinite(n) && n > 0 ? n : dflt;
  };
  return {
    policy: retryPolicy(env),
    timeoutMs: positive(env.TM_SYNC_TIMEOUT_MS, 30_000),
    maxBytes: positive(env.TM_SYNC_MAX_RESPONSE_BYTES, 32 * 1024 * 1024),
    sleep: deps.sleep ?? defaultSleep,
    now: deps.now ?? Date.now,
  };
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface GetOptions {
  provider: ProviderName;
  http: HttpSettings;
  headers?: Record<string, string>;
  /** Values never to show (API keys): replaced in every error message. */
  secrets?: readonly string[];
  /**
   * Turns a non-2xx answer (or a 2xx with an error document) into an error; return undefined to
   * fall back to the generic handling by status.
   */
  classify?: (r: JsonResponse) => ProviderError | undefined;
  /** Called with every answer (rate-limit and Date headers). */
  observe?: (headers: Headers) => void;
}

/** A Retry-After longer than this is not waited for in place: the error says when to come back. */
const MAX_INLINE_WAIT_MS = 60_000;

/** The URL without its query string: what errors may show (queries can hold keys). */
function safeUrl(url: string): string {
  return url.split('?')[0];
}

const isTimeout = (err: unknown) => (err as { name?: string } | undefined)?.name === 'TimeoutError';

/** The body as text, at most `maxBytes`; a timeout while it trickles in is reported as one. */
async function readBody(res: Response, url: string, opts: GetOptions): Promise<string> {
  const { maxBytes, timeoutMs } = opts.http;
  const tooLarge = () =>
    new ProviderError(
      opts.provider,
      'too_large',
      `GET ${safeUrl(url)} answered more than ${maxBytes} bytes (TM_SYNC_MAX_RESPONSE_BYTES); ask for a shorter range`,
    );
  if (Number(res.headers.get('content-length')) > maxBytes) {
    await res.body?.cancel();
    throw tooLarge();
  }
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof ProviderError) throw err;
    if (isTimeout(err))
      throw new ProviderError(
        opts.provider,
        'timeout',
        `GET ${safeUrl(url)} timed out after ${timeoutMs / 1000} s while its answer was still arriving (${size} bytes received)`,
      );
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new ProviderError(opts.provider, 'network', `GET ${safeUrl(url)}: the answer broke off: ${cause}`);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function getJson(url: string, opts: GetOptions): Promise<JsonResponse> {
  try {
    return await attempts(url, opts);
  } catch (err) {
    throw err instanceof ProviderError ? err.hideSecrets(opts.secrets ?? []) : err;
  }
}

async function attempts(url: string, opts: GetOptions): Promise<JsonResponse> {
  const { policy, sleep, now } = opts.http;
  let last: ProviderError | undefined;
  for (let attempt = 0; attempt < policy.attempts; attempt++) {
    if (attempt > 0) await sleep(waitBefore(last, policy, attempt - 1, now()));
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        headers: { accept: 'application/json', ...opts.headers },
        signal: AbortSignal.timeout(opts.http.timeoutMs),
      });
      opts.observe?.(res.headers);
      text = await readBody(res, url, opts);
    } catch (err) {
      if (err instanceof ProviderError) {
        if (!err.transient) throw err;
        last = err;
        continue;
      }
      last = isTimeout(err)
        ? new ProviderError(
            opts.provider,
            'timeout',
            `GET ${safeUrl(url)}: no answer within ${opts.http.timeoutMs / 1000} s`,
          )
        : new ProviderError(
            opts.provider,
            'network',
            `GET ${safeUrl(url)} failed: ${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name}`,
          );
      continue;
    }
    let body: unknown;
    let parsed = true;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = false;
    }
    const r: JsonResponse = { status: res.status, headers: res.headers, body };
    // Called for unparsed bodies too: a status alone can name the failure (Binance's 403 is an HTML page).
    const named = opts.classify?.(r);
    if (named) {
      const wait = named.retryAt !== undefined ? named.retryAt - now() : 0;
      if (!named.transient || wait > MAX_INLINE_WAIT_MS) throw named;
      last = named;
      continue;
    }
    if (res.status === 429) {
      const wait = retryAfterMs(res.headers.get('retry-after'), now());
      last = new ProviderError(opts.provider, 'rate_limited', 'rate limit reached (429)', now() + (wait ?? 0));
      if (wait !== undefined && wait > MAX_INLINE_WAIT_MS) throw last;
      continue;
    }
    if (res.status === 418) {
      const wait = retryAfterMs(res.headers.get('retry-after'), now());
      throw new ProviderError(
        opts.provider,
        'banned',
        `the provider banned this address for ignoring rate limits (418)${wait !== undefined ? `; retry after ${Math.ceil(wait / 1000)} s` : ''}`,
        wait !== undefined ? now() + wait : undefined,
      );
    }
    if (res.status >= 500) {
      last = new ProviderError(opts.provider, 'server', `server error ${res.status} from GET ${safeUrl(url)}`);
      continue;
    }
    if (res.status >= 400) {
      throw new ProviderError(opts.provider, 'rejected', `GET ${safeUrl(url)} answered ${res.status}: ${clip(text)}`);
    }
    if (!parsed) {
      last = new ProviderError(
        opts.provider,
        'malformed',
        `GET ${safeUrl(url)} answered malformed JSON: ${clip(text, 100)}`,
      );
      continue;
    }
    return r;
  }
  throw last ?? new ProviderError(opts.provider, 'network', `GET ${safeUrl(url)} failed`);
}

function waitBefore(err: ProviderError | undefined, policy: RetryPolicy, attempt: number, now: number): number {
  const backoff = backoffMs(policy, attempt);
  if (err?.kind === 'rate_limited' && err.retryAt !== undefined) return Math.max(err.retryAt - now, backoff);
  return backoff;
}

/**
 * Spaces the requests of one provider at least `minGapMs` apart (its published request rate). One per
 * provider per process (the registry in index.ts), so concurrent syncs share it.
 */
export class Pacer {
  private next = 0;
  constructor(
    private minGapMs: number,
    private http: Pick<HttpSettings, 'sleep' | 'now'>,
  ) {}
  /** Waits for the slot, and takes it. */
  async take(): Promise<void> {
    const now = this.http.now();
    const at = Math.max(now, this.next);
    this.next = at + this.minGapMs;
    if (at > now) await this.http.sleep(at - now);
  }
  /** Pushes the next slot back (a header said the budget is spent). */
  holdUntil(ms: number): void {
    this.next = Math.max(this.next, ms);
  }
}
