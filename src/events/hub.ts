/**
 * One poller per server process fans the feed out to every open stream. It polls only while someone
 * listens. A stream that resumes (Last-Event-ID) first gets what it missed, read from the database,
 * then joins the live fan-out without a gap: it subscribes before reading its backlog and drops live
 * events its backlog already covered.
 */
import type { Queryable } from '../db/types.ts';
import { type Cursor, currentCursor, type FeedEvent, readEvents, readEventsTo } from './feed.ts';

export type Listener = (e: FeedEvent) => void;

export interface EventHubOptions {
  /** How often the tables are read while a stream is open (default 1000 ms). */
  pollMs?: number;
  onError?: (err: unknown) => void;
}

export class EventHub {
  private listeners = new Set<Listener>();
  private cursor: Cursor | null = null;
  private seen = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private closed = false;
  private readonly pollMs: number;

  constructor(
    private db: Queryable,
    private opts: EventHubOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 1000;
  }

  /** Starts delivering to `l`; returns the function that stops it. */
  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    this.schedule();
    return () => {
      this.listeners.delete(l);
      if (this.listeners.size === 0 && this.timer) {
        clearTimeout(this.timer);
        this.timer = null;
        // The next listener starts from "now" again, not from where this one left.
        this.cursor = null;
      }
    };
  }

  /** Events after `from` up to the hub's position (for a resuming stream). */
  async backlog(from: Cursor): Promise<FeedEvent[]> {
    return readEvents(this.db, from, new Map());
  }

  /** Where the live fan-out stands (read from the database when idle). */
  async position(): Promise<Cursor> {
    if (this.running) await this.running;
    return this.cursor ?? currentCursor(this.db);
  }

  /** One poll now (tests and writers in this process can call it instead of waiting). */
  async poll(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        if (!this.cursor) {
          this.cursor = await currentCursor(this.db);
          return;
        }
        const { events, cursor } = await readEventsTo(this.db, this.cursor, this.seen);
        for (const e of events) {
          this.cursor = e.cursor;
          for (const l of this.listeners) l(e);
        }
        this.cursor = cursor;
      } catch (err) {
        this.opts.onError?.(err);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private schedule(): void {
    if (this.timer || this.closed || this.listeners.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.poll().finally(() => this.schedule());
    }, this.pollMs);
    if (!this.cursor) void this.poll();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
  }
}
