/**
 * A small fixed-window counter per key, in memory. Enough for login throttling on one API process
 * (several processes each keep their own counts: the limit then applies per process).
 * Own code rather than @fastify/rate-limit: the per-username limit counts failed logins only and
 * must be checked before the password is, which a per-route plugin does not express.
 */
export interface Hit {
  allowed: boolean;
  /** Seconds until the window resets. */
  retryAfter: number;
}

export class FixedWindowLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    readonly max: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private current(key: string): { count: number; resetAt: number } {
    const t = this.now();
    let w = this.windows.get(key);
    if (!w || w.resetAt <= t) {
      if (this.windows.size > 10_000) this.sweep(t);
      w = { count: 0, resetAt: t + this.windowMs };
      this.windows.set(key, w);
    }
    return w;
  }

  /** Whether another attempt is allowed now, without counting one. */
  check(key: string): Hit {
    const w = this.current(key);
    return { allowed: w.count < this.max, retryAfter: Math.max(1, Math.ceil((w.resetAt - this.now()) / 1000)) };
  }

  /** Counts an attempt; `allowed` is false once the key has used up its window. */
  hit(key: string): Hit {
    const w = this.current(key);
    w.count++;
    return { allowed: w.count <= this.max, retryAfter: Math.max(1, Math.ceil((w.resetAt - this.now()) / 1000)) };
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private sweep(t: number): void {
    for (const [k, w] of this.windows) if (w.resetAt <= t) this.windows.delete(k);
  }
}
