/**
 * Writing lz4 and zstd batches (kafkajs ships only gzip). Both codecs install from the npm
 * registry alone and run on Node 20 and 24: lz4-napi (Node-API, prebuilt per platform as
 * registry packages) writes standard LZ4 frames with independent 64 KB blocks and no checksums,
 * which Java's and Go's clients read; @bokuweb/zstd-wasm (WebAssembly, no native build) writes
 * standard zstd frames, and fzstd (pure JavaScript) reads them, also frames without a content
 * size as Java's streaming compressor (and the broker, when it recompresses) writes them.
 */
import { init as initZstd, compress as zstdCompress } from '@bokuweb/zstd-wasm';
import { decompress as zstdDecompress } from 'fzstd';
import { compressFrame } from 'lz4-napi';

/** What kafkajs calls a codec: compress gets its encoder (`.buffer` holds the bytes). */
export interface KafkaCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/** LZ4 writing; reading stays with `decompress` (the source's reader). */
export function lz4Codec(decompress: (buffer: Buffer) => Promise<Buffer>): KafkaCodec {
  return { compress: (encoder) => compressFrame(encoder.buffer), decompress };
}

/** zstd's default level, as Kafka's and franz-go's producers use. */
const ZSTD_LEVEL = 3;
let zstdReady: Promise<void> | undefined;

export function zstdCodec(): KafkaCodec {
  return {
    async compress(encoder) {
      zstdReady ??= initZstd();
      await zstdReady;
      return Buffer.from(zstdCompress(encoder.buffer, ZSTD_LEVEL));
    },
    async decompress(buffer) {
      return Buffer.from(zstdDecompress(buffer));
    },
  };
}
