/**
 * The app's only way to the server. The access token is kept in memory only; the refresh token is an
 * httpOnly cookie the page cannot read, and refresh/logout send the CSRF token from its readable cookie.
 * A 401 refreshes once and retries; when the session is gone, the login dialog opens and the request
 * waits for it, so nothing the user typed is lost.
 */
import { type FieldProblem, fieldMessages, summary } from './field-errors.ts';
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Validation errors by field (`password`, `items.0.price`), in words (field-errors.ts). */
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface User {
  id: string;
  username: string;
  email: string;
  is_active: boolean;
  is_admin: boolean;
  created_at: string;
  last_login: string | null;
}

interface Tokens {
  access_token: string;
  expires_in: number;
  csrf_token?: string;
}

let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
type Listener = (u: User | null) => void;
const listeners = new Set<Listener>();
let currentUser: User | null = null;
/** Set by the UI: opens the login dialog and resolves once the user has logged in again (or gave up). */
let reloginPrompt: (() => Promise<boolean>) | null = null;

export function onUser(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
export function user(): User | null {
  return currentUser;
}
function setUser(u: User | null): void {
  currentUser = u;
  for (const l of listeners) l(u);
}
export function setReloginPrompt(p: () => Promise<boolean>): void {
  reloginPrompt = p;
}
export function token(): string | null {
  return accessToken;
}

function csrfCookie(): string {
  const m = /(?:^|;\s*)tm_csrf=([^;]+)/.exec(document.cookie);
  return m ? decodeURIComponent(m[1]) : '';
}

/** The error a refused request becomes: its problem's detail, or for validation errors each field's in words. */
async function problemError(res: Response): Promise<ApiError> {
  let body: { detail?: string; title?: string; errors?: FieldProblem[] };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    return new ApiError(res.status, `${res.status} ${res.statusText || 'error'}`);
  }
  const fields = Array.isArray(body.errors) ? fieldMessages(body.errors) : {};
  const message = Object.keys(fields).length > 0 ? summary(fields) : body.detail || body.title || `${res.status}`;
  return new ApiError(res.status, message, fields);
}

async function raw(method: string, path: string, body?: unknown, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { accept: 'application/json', ...extra };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (accessToken) headers.authorization = `Bearer ${accessToken}`;
  try {
    return await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'the server cannot be reached; check that tm serve is running');
  }
}

async function renewAccessToken(): Promise<boolean> {
  if (!csrfCookie()) return false;
  const res = await fetch('/api/auth/refresh', {
    method: 'POST',
    headers: { 'x-csrf-token': csrfCookie() },
    credentials: 'same-origin',
  });
  if (!res.ok) {
    accessToken = null;
    return false;
  }
  accessToken = ((await res.json()) as Tokens).access_token;
  if (!currentUser) setUser(await api<User>('GET', '/api/auth/me'));
  return true;
}

/**
 * Trades the session cookie for a new access token; false when there is no live session. Concurrent
 * callers share one request: the cookie rotates, so a second request with the old one would fail.
 */
export function refresh(): Promise<boolean> {
  // Cleared in a later microtask (.finally), never synchronously inside the call that sets it.
  refreshing ??= renewAccessToken().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res = await raw(method, path, body);
  if (res.status === 401 && !path.startsWith('/api/auth/')) {
    const renewed = (await refresh()) || (currentUser !== null && reloginPrompt !== null && (await reloginPrompt()));
    if (!renewed) setUser(null);
    else res = await raw(method, path, body);
  }
  if (!res.ok) throw await problemError(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/**
 * GETs asked before the page that needs them has rendered (chart/prefetch.ts): the first `get` of the same
 * path within a few seconds takes the answer instead of asking again.
 */
const early = new Map<string, Promise<unknown>>();
const EARLY_MS = 10_000;

export function prefetch(path: string): void {
  if (early.has(path)) return;
  const p = api<unknown>('GET', path);
  // Whoever takes it sees the error; one nobody takes is dropped.
  p.catch(() => undefined);
  early.set(path, p);
  setTimeout(() => early.get(path) === p && early.delete(path), EARLY_MS);
}

/**
 * One GET whose answer holds the answers of several paths (GET /api/chart): each part is taken as that
 * path's early answer. A part the answer lacks (`pick` gives undefined) is asked for on its own.
 */
export function prefetchParts(path: string, parts: { path: string; pick: (answer: unknown) => unknown }[]): void {
  const whole = api<unknown>('GET', path);
  for (const part of parts) {
    if (early.has(part.path)) continue;
    const p = whole.then(
      (answer) => part.pick(answer) ?? api<unknown>('GET', part.path),
      () => api<unknown>('GET', part.path),
    );
    p.catch(() => undefined);
    early.set(part.path, p);
    setTimeout(() => early.get(part.path) === p && early.delete(part.path), EARLY_MS);
  }
}

export function get<T>(path: string): Promise<T> {
  const p = early.get(path);
  if (p) {
    early.delete(path);
    return p as Promise<T>;
  }
  return api<T>('GET', path);
}

export async function login(username: string, password: string): Promise<User> {
  const res = await raw('POST', '/api/auth/login', { username, password, cookie: true });
  if (!res.ok) throw await problemError(res);
  accessToken = ((await res.json()) as Tokens).access_token;
  const me = await api<User>('GET', '/api/auth/me');
  setUser(me);
  return me;
}

export async function register(username: string, email: string, password: string): Promise<void> {
  const res = await raw('POST', '/api/auth/register', { username, email, password });
  if (!res.ok) throw await problemError(res);
}

export async function logout(): Promise<void> {
  try {
    if (accessToken) await raw('POST', '/api/auth/logout', undefined, { 'x-csrf-token': csrfCookie() });
  } finally {
    accessToken = null;
    setUser(null);
  }
}

/** Whether this browser holds a session cookie (restoreSession will try it). */
export function hasSession(): boolean {
  return csrfCookie() !== '';
}

/** At start: a live session cookie signs the user in silently. */
export async function restoreSession(): Promise<void> {
  await refresh().catch(() => false);
}

/** Query string from an object, skipping undefined values. */
export function qs(params: Record<string, string | number | boolean | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.set(k, String(v));
  return u.toString();
}
