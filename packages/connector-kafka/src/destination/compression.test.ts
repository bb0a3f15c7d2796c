import fc from 'fast-check';
import SnappyJs from 'kafkajs-snappy';
import { describe, expect, it } from 'vitest';
import { snappyCodec } from './compression.js';

const XERIAL_HEADER = Buffer.from([
  0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0, 0, 0, 0, 1, 0, 0, 0, 1,
]);

describe('snappy codec', () => {
  const ours = snappyCodec();
  const pureJs = SnappyJs();

  it('writes raw snappy blocks that the pure-JavaScript codec reads, and reads its blocks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 70_000 }), async (bytes) => {
        const b = Buffer.from(bytes);
        expect((await pureJs.decompress(await ours.compress({ buffer: b }))).equals(b)).toBe(true);
        expect((await ours.decompress(await pureJs.compress({ buffer: b }))).equals(b)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it("reads Java's xerial framing (blocks, each after its size)", async () => {
    const parts = [Buffer.from('a'.repeat(40_000)), Buffer.from('0123456789'), Buffer.alloc(0)];
    const blocks: Buffer[] = [XERIAL_HEADER];
    for (const p of parts) {
      const c = await ours.compress({ buffer: p });
      const size = Buffer.alloc(4);
      size.writeUInt32BE(c.length);
      blocks.push(size, c);
    }
    const out = await ours.decompress(Buffer.concat(blocks));
    expect(out.equals(Buffer.concat(parts))).toBe(true);
  });
});
