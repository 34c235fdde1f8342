/**
 * LZ4 frame decompression (the frame format of lz4.org's spec, blocks in the LZ4 block format), for the
 * Arrow IPC files freqtrade writes: pandas' to_feather(compression="lz4") compresses every buffer as one
 * LZ4 frame, and apache-arrow's JS reader decodes only through a codec registered for LZ4_FRAME.
 * Decompression only (tm writes uncompressed feather); checksums are skipped, not verified — the Arrow
 * reader fails on a buffer of the wrong length, and the import validates every row.
 */
import { CompressionType, compressionRegistry } from 'apache-arrow';

const MAGIC = 0x184d2204;
const BLOCK_MAX = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20];

class Lz4Error extends Error {
  constructor(what: string) {
    super(`not a valid LZ4 frame: ${what}`);
  }
}

/** Decodes one LZ4 block of `src[start, end)` into `out` from `pos` (at most to `limit`); returns the new position. */
function decodeBlock(src: Uint8Array, start: number, end: number, out: Uint8Array, pos: number, limit: number): number {
  let i = start;
  let o = pos;
  while (i < end) {
    const token = src[i++];
    let lit = token >>> 4;
    if (lit === 15) {
      let b: number;
      do {
        b = src[i++];
        lit += b;
      } while (b === 255 && i < end);
    }
    if (i + lit > end || o + lit > limit) throw new Lz4Error('a literal run goes past the block');
    out.set(src.subarray(i, i + lit), o);
    i += lit;
    o += lit;
    if (i >= end) break; // the last sequence has literals only
    const offset = src[i] | (src[i + 1] << 8);
    i += 2;
    if (offset === 0 || offset > o) throw new Lz4Error('a match refers before the start of the output');
    let len = token & 15;
    if (len === 15) {
      let b: number;
      do {
        b = src[i++];
        len += b;
      } while (b === 255 && i < end);
    }
    len += 4;
    if (o + len > limit) throw new Lz4Error('a match goes past the block size');
    // Byte by byte: a match may overlap its own output (offset < length repeats a pattern).
    for (let m = o - offset, stop = o + len; o < stop; ) out[o++] = out[m++];
  }
  return o;
}

const u32 = (b: Uint8Array, i: number) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;

/** Decompresses one or more concatenated LZ4 frames. */
export function lz4FrameDecode(src: Uint8Array): Uint8Array {
  // One output for all blocks: linked blocks (the default of lz4's frame API) match into earlier blocks.
  let out = new Uint8Array(Math.max(1024, src.length * 4));
  let o = 0;
  const room = (n: number) => {
    if (o + n <= out.length) return;
    const bigger = new Uint8Array(Math.max(out.length * 2, o + n));
    bigger.set(out.subarray(0, o));
    out = bigger;
  };
  let i = 0;
  while (i < src.length) {
    const magic = u32(src, i);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      i += 8 + u32(src, i + 4); // a skippable frame
      continue;
    }
    if (magic !== MAGIC) throw new Lz4Error('bad magic number');
    const flg = src[i + 4];
    const bd = src[i + 5];
    if (flg >>> 6 !== 1) throw new Lz4Error('unsupported version');
    const blockChecksum = (flg & 0x10) !== 0;
    const hasSize = (flg & 0x08) !== 0;
    const contentChecksum = (flg & 0x04) !== 0;
    if (flg & 0x01) throw new Lz4Error('dictionaries are not supported');
    const blockMax = BLOCK_MAX[(bd >>> 4) & 7];
    if (!blockMax) throw new Lz4Error('bad block size');
    i += 6 + (hasSize ? 8 : 0) + 1; // descriptor, content size, header checksum
    for (;;) {
      if (i + 4 > src.length) throw new Lz4Error('truncated');
      const word = u32(src, i);
      i += 4;
      if (word === 0) break; // end mark
      const size = word & 0x7fffffff;
      if (i + size > src.length) throw new Lz4Error('truncated block');
      if (word & 0x80000000) {
        room(size);
        out.set(src.subarray(i, i + size), o);
        o += size;
      } else {
        room(blockMax);
        o = decodeBlock(src, i, i + size, out, o, o + blockMax);
      }
      i += size + (blockChecksum ? 4 : 0);
    }
    if (contentChecksum) i += 4;
  }
  return out.slice(0, o);
}

/** Lets apache-arrow read LZ4-compressed IPC files (freqtrade's feather). */
export function registerLz4(): void {
  if (!compressionRegistry.get(CompressionType.LZ4_FRAME))
    compressionRegistry.set(CompressionType.LZ4_FRAME, { decode: lz4FrameDecode });
}
