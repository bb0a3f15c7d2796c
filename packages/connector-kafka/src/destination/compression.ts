/**
 * Snappy both ways, lz4 and zstd writing (kafkajs ships only gzip). snappy (Node-API, from the
 * same napi-rs family as lz4-napi, prebuilt per platform as registry packages) replaces the
 * pure-JavaScript kafkajs-snappy: compressing and decompressing a batch was up to a fifth of a
 * pipeline's CPU there. Its synchronous calls are used: the asynchronous ones run on libuv's
 * thread pool, whose per-thread malloc arenas kept ~100 MB more resident memory (measured on
 * Postgres → Kafka and Kafka → Postgres) for no gain in speed. Both codecs install from the npm
 * registry alone and run on Node 20 and 24: lz4-napi (Node-API, prebuilt per platform as
 * registry packages) writes standard LZ4 frames with independent 64 KB blocks and no checksums,
 * which Java's and Go's clients read; @bokuweb/zstd-wasm (WebAssembly, no native build) writes
 * standard zstd frames, and fzstd (pure JavaScript) reads them, also frames without a content
 * size as Java's streaming compressor (and the broker, when it recompresses) writes them.
 */
import { compressSync as snappyCompress, uncompressSync as snappyUncompress } from 'snappy';

// lz4 and zstd are loaded on first use: most pipelines never meet them, and their four libraries
// (one of them WebAssembly) were loaded at every start: the package's import measured 235 → 221 ms
// without them. snappy, the common codec, stays loaded up front.
let lz4Writer: Promise<typeof import('lz4-napi')> | undefined;
let lz4Reader: Promise<typeof import('lz4js')> | undefined;
let zstdWriter: Promise<typeof import('@bokuweb/zstd-wasm')> | undefined;
let zstdReader: Promise<typeof import('fzstd')> | undefined;

/** What kafkajs calls a codec: compress gets its encoder (`.buffer` holds the bytes). */
export interface KafkaCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/** The xerial framing Java's snappy writer uses: magic, version, compatible version. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
/** Past the magic and the two 32-bit versions, blocks follow, each after its 32-bit size. */
const XERIAL_BLOCKS = 16;

/**
 * Snappy as Kafka clients use it: a batch is written as one raw snappy block (as kafkajs-snappy
 * did, and as Java and Go read it); read as a raw block or in xerial framing (Java's writer).
 */
export function snappyCodec(): KafkaCodec {
  return {
    compress: async (encoder) => snappyCompress(encoder.buffer),
    async decompress(buffer) {
      if (buffer.length < XERIAL_BLOCKS || !buffer.subarray(0, 8).equals(XERIAL_MAGIC))
        return snappyUncompress(buffer) as Buffer;
      const blocks: Buffer[] = [];
      let offset = XERIAL_BLOCKS;
      while (offset + 4 <= buffer.length) {
        const size = buffer.readUInt32BE(offset);
        offset += 4;
        blocks.push(snappyUncompress(buffer.subarray(offset, offset + size)) as Buffer);
        offset += size;
      }
      return Buffer.concat(blocks);
    },
  };
}

/** LZ4: frames written by lz4-napi, read by lz4js. */
export function lz4Codec(): KafkaCodec {
  return {
    async compress(encoder) {
      lz4Writer ??= import('lz4-napi');
      return (await lz4Writer).compressFrame(encoder.buffer);
    },
    async decompress(buffer) {
      lz4Reader ??= import('lz4js');
      const lz4 = await lz4Reader;
      return Buffer.from(lz4.default.decompress(buffer));
    },
  };
}

/** zstd's default level, as Kafka's and franz-go's producers use. */
const ZSTD_LEVEL = 3;
let zstdReady: Promise<void> | undefined;

export function zstdCodec(): KafkaCodec {
  return {
    async compress(encoder) {
      zstdWriter ??= import('@bokuweb/zstd-wasm');
      const zstd = await zstdWriter;
      zstdReady ??= zstd.init();
      await zstdReady;
      return Buffer.from(zstd.compress(encoder.buffer, ZSTD_LEVEL));
    },
    async decompress(buffer) {
      zstdReader ??= import('fzstd');
      return Buffer.from((await zstdReader).decompress(buffer));
    },
  };
}
