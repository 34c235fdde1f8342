/**
 * The provider's clock as we see it: our clock plus the offset last measured from the provider (Binance's
 * /api/v3/time, otherwise the HTTP Date header of each answer). Whether a bar has closed is decided on
 * this clock, so a machine whose clock runs ahead never stores a bar the provider is still building.
 */
export class ProviderClock {
  private offset = 0;
  private measuredAt: number | undefined;

  constructor(private readonly local: () => number = Date.now) {}

  /** The provider's time now (epoch ms). */
  now(): number {
    return this.local() + this.offset;
  }

  /** Our clock (for waits and retry times). */
  localNow(): number {
    return this.local();
  }

  /** When the offset was last measured (our clock), if ever. */
  get lastMeasured(): number | undefined {
    return this.measuredAt;
  }

  /** The provider said its time was `providerMs` when it answered (just before we received it). */
  observe(providerMs: number): void {
    if (!Number.isFinite(providerMs)) return;
    const at = this.local();
    this.offset = providerMs - at;
    this.measuredAt = at;
  }

  /**
   * An HTTP Date header: whole seconds, rounded down, so the provider's time read from it is never later
   * than its real time (a bar is never taken for closed too early).
   */
  observeDateHeader(value: string | null): void {
    if (!value) return;
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) this.observe(ms);
  }

  /** A provider time (epoch ms) on our clock. */
  toLocal(providerMs: number): number {
    return providerMs - this.offset;
  }
}
