/**
 * Validated candles as a PostgreSQL binary COPY payload for
 * `COPY candles (asset_id, ts, "interval", open, high, low, close, volume, trades, vwap) ... (FORMAT binary)`,
 * and for the import's staging table.
 * The server then stores the doubles and times as they are instead of parsing their text (the largest part
 * of a text COPY's cost), and JavaScript skips formatting numbers and dates.
 */
import type { ValidCandle } from './validate.ts';

export const CANDLE_COPY_COLUMNS = 'asset_id, ts, "interval", open, high, low, close, volume, trades, vwap';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** PostgreSQL timestamps count microseconds from 2000-01-01 UTC. */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const TWO_32 = 4_294_967_296;

/** A binary COPY payload: header, rows of fields, trailer; the field writers shared by the encoders below. */
class BinaryCopy {
  protected buf: Buffer;
  protected pos = 0;
  rows = 0;

  constructor(bytes: number) {
    this.buf = Buffer.allocUnsafe(19 + bytes);
    this.header();
  }

  private header(): void {
    SIGNATURE.copy(this.buf, 0);
    this.buf.writeInt32BE(0, 11); // flags
    this.buf.writeInt32BE(0, 15); // header extension length
    this.pos = 19;
    this.rows = 0;
  }

  protected room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** An int8 from a safe integer, without a BigInt. */
  protected int8(v: number): void {
    const hi = Math.floor(v / TWO_32);
    this.buf.writeInt32BE(hi, this.pos);
    this.buf.writeUInt32BE(v - hi * TWO_32, this.pos + 4);
    this.pos += 8;
  }

  protected float8(v: number): void {
    this.buf.writeInt32BE(8, this.pos);
    this.buf.writeDoubleBE(v, this.pos + 4);
    this.pos += 12;
  }

  /** A timestamptz field from epoch milliseconds. */
  protected timestamp(ms: number): void {
    this.buf.writeInt32BE(8, this.pos);
    this.pos += 4;
    const us = (ms - PG_EPOCH_MS) * 1000;
    if (Number.isSafeInteger(us)) this.int8(us);
    else {
      this.buf.writeBigInt64BE(BigInt(ms - PG_EPOCH_MS) * 1000n, this.pos);
      this.pos += 8;
    }
  }

  /** open, high, low, close, volume, trades and vwap: the fields every candle row ends with. */
  protected values(c: ValidCandle): void {
    this.float8(c.open);
    this.float8(c.high);
    this.float8(c.low);
    this.float8(c.close);
    this.float8(c.volume);
    if (c.trades === null) {
      this.buf.writeInt32BE(-1, this.pos);
      this.pos += 4;
    } else {
      this.buf.writeInt32BE(8, this.pos);
      this.pos += 4;
      this.int8(c.trades);
    }
    if (c.vwap === null) {
      this.buf.writeInt32BE(-1, this.pos);
      this.pos += 4;
    } else this.float8(c.vwap);
  }

  /** The payload so far (with its trailer); the encoder starts a new one. */
  take(): Buffer {
    this.room(2);
    this.buf.writeInt16BE(-1, this.pos);
    const out = Buffer.from(this.buf.subarray(0, this.pos + 2));
    this.header();
    return out;
  }
}

export class CandleCopyEncoder extends BinaryCopy {
  private readonly interval: Buffer;

  constructor(interval: string, rowsHint = 1024) {
    super(rowsHint * (130 + interval.length));
    this.interval = Buffer.from(interval, 'utf8');
  }

  /** `assetId`: the asset's uuid as 16 bytes (uuidBytes). */
  add(assetId: Buffer, c: ValidCandle): void {
    this.room(130 + this.interval.length);
    const b = this.buf;
    b.writeInt16BE(10, this.pos);
    b.writeInt32BE(16, this.pos + 2);
    assetId.copy(b, this.pos + 6);
    this.pos += 22;
    this.timestamp(c.ts);
    b.writeInt32BE(this.interval.length, this.pos);
    this.interval.copy(b, this.pos + 4);
    this.pos += 4 + this.interval.length;
    this.values(c);
    this.rows++;
  }
}

/** The staging table's rows (staging.ts: n, line, symbol, ts, open ... vwap) as a binary COPY payload. */
export class StagingCopyEncoder extends BinaryCopy {
  constructor(rowsHint = 1024) {
    super(rowsHint * 160);
  }

  add(n: number, c: ValidCandle): void {
    const symbol = Buffer.from(c.symbol, 'utf8');
    this.room(150 + symbol.length);
    this.buf.writeInt16BE(11, this.pos);
    this.buf.writeInt32BE(8, this.pos + 2);
    this.pos += 6;
    this.int8(n);
    this.buf.writeInt32BE(8, this.pos);
    this.pos += 4;
    this.int8(c.line);
    this.buf.writeInt32BE(symbol.length, this.pos);
    symbol.copy(this.buf, this.pos + 4);
    this.pos += 4 + symbol.length;
    this.timestamp(c.ts);
    this.values(c);
    this.rows++;
  }
}

export function uuidBytes(id: string): Buffer {
  return Buffer.from(id.replace(/-/g, ''), 'hex');
}
