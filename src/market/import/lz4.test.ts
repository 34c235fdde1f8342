/** LZ4 frames as the lz4 tool and pandas' to_feather(compression="lz4") write them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lz4FrameDecode } from './lz4.ts';

/** The text the frame below holds: 108,000 bytes, a few lines repeated. */
function original(): string {
  let s = '';
  for (let i = 0; i < 4000; i++) s += `candle ${i % 4} open 1.25 close ${i % 3}\n`;
  return s;
}

// `lz4 -9 -B4 -BD --content-size`: 64 KiB blocks linked to each other (matches reach into the block
// before, as in freqtrade's feather files), long overlapping matches, a content size in the header.
const FRAME =
  'BCJNGExA4KUBAAAAAABPZQEAAPMMY2FuZGxlIDAgb3BlbiAxLjI1IGNsb3NlIDAKGwAdMRsAFDEbAB0yGwAUMhsAHzNRAAcfMFEABx8xUQAHHzJRAAcfM1EABx8wUQAHHzFRAAcfMlEABx8zUQAAD0QB////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////o1BuZGxlILAAAAAPRAH/////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////blBzZSAwCgAAAADg17+V';

test('a frame of linked blocks decodes to its original bytes', () => {
  const out = lz4FrameDecode(Buffer.from(FRAME, 'base64'));
  assert.equal(Buffer.from(out).toString('latin1'), original());
});

test('two frames in a row decode to both, and a damaged frame is refused by name', () => {
  const one = Buffer.from(FRAME, 'base64');
  assert.equal(lz4FrameDecode(Buffer.concat([one, one])).length, 2 * original().length);
  assert.throws(() => lz4FrameDecode(Buffer.from('not lz4 at all')), /not a valid LZ4 frame: bad magic number/);
  assert.throws(() => lz4FrameDecode(one.subarray(0, one.length - 30)), /not a valid LZ4 frame: truncated/);
});
