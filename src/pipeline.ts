/**
 * Overlapping reads and writes without losing an error: `readAhead` fetches the next item while the
 * caller works on the current one; `WriteBehind` runs writes one after another in the background while
 * the caller prepares the next. Every error reaches the caller: a failed read when its item is
 * reached, a failed write at the next `after` or `drain`.
 */

type Settled<T> = { ok: true; value: IteratorResult<T> } | { ok: false; error: unknown };

/**
 * The items of `source`, with the next one already requested while the caller handles the current one.
 * When the caller stops early (break, throw), the item in flight is awaited and discarded: the reason the
 * caller stopped is the error that matters then.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T, void, undefined> {
  const it = source[Symbol.asyncIterator]();
  const request = (): Promise<Settled<T>> =>
    it.next().then(
      (value) => ({ ok: true, value }),
      (error: unknown) => ({ ok: false, error }),
    );
  let next: Promise<Settled<T>> | undefined = request();
  try {
    while (next) {
      const r: Settled<T> = await next;
      next = undefined;
      if (!r.ok) throw r.error;
      if (r.value.done) return;
      next = request();
      yield r.value.value;
    }
  } finally {
    if (next) {
      const r = await next;
      if (r.ok && !r.value.done) await it.return?.();
    }
  }
}

/** Writes run in order, one at a time, behind the caller; after a failure the queued ones are skipped. */
export class WriteBehind {
  private tail: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  /** Queues `write` behind the writes queued before; returns at once. */
  enqueue(write: () => Promise<unknown>): void {
    this.tail = this.tail.then(async () => {
      if (this.failure) return;
      try {
        await write();
      } catch (error) {
        this.failure = { error };
      }
    });
  }

  /** Waits for the queued writes (throwing the first error), then starts `write` in the background. */
  async after(write: () => Promise<unknown>): Promise<void> {
    await this.drain();
    this.enqueue(write);
  }

  /** Waits for every queued write; throws the first error one of them raised. */
  async drain(): Promise<void> {
    await this.tail;
    if (this.failure) throw this.failure.error;
  }

  /**
   * Waits for every queued write without throwing, for cleanup after another failure (no ROLLBACK while
   * a COPY still runs); returns the first write error, if any, so the caller can report it too.
   */
  async settle(): Promise<unknown> {
    await this.tail;
    return this.failure?.error;
  }
}

/** The error to report when `primary` stopped the work and a background write had failed too. */
export function bothErrors(primary: unknown, background: unknown): unknown {
  if (background === undefined || background === primary) return primary;
  const text = (e: unknown) => (e instanceof Error ? e.message : String(e));
  return new AggregateError([background, primary], `${text(background)}; and then: ${text(primary)}`);
}
