import { lz4Codec, snappyCodec, zstdCodec } from '../destination/compression.js';

/**
 * kafkajs ships only gzip. Java producers often use snappy, lz4 or zstd, and a consumer that
 * cannot decompress a batch cannot read the topic at all, so all three are registered, both ways
 * (`../destination/compression.ts` says which libraries and why): snappy also in the xerial
 * framing Java writes, lz4 frames, zstd frames. kafkajs keeps codecs in a table per copy of the
 * package whose snappy and lz4 slots hold stubs that throw "not implemented": replace those in
 * the given copy (ours, see `kafkajs-fixes.ts`; a codec someone else registered there is kept).
 */
export function registerCodecs(kafkajs: typeof import('kafkajs')): void {
  const { CompressionCodecs, CompressionTypes } = kafkajs;
  const codecs = CompressionCodecs as { [type: number]: (() => unknown) | undefined };
  const stub = (type: number) => {
    try {
      codecs[type]?.();
      return codecs[type] === undefined;
    } catch {
      return true;
    }
  };
  if (stub(CompressionTypes.Snappy)) {
    const codec = snappyCodec();
    codecs[CompressionTypes.Snappy] = () => codec;
  }
  if (stub(CompressionTypes.LZ4)) {
    const codec = lz4Codec();
    codecs[CompressionTypes.LZ4] = () => codec;
  }
  if (stub(CompressionTypes.ZSTD)) {
    const codec = zstdCodec();
    codecs[CompressionTypes.ZSTD] = () => codec;
  }
}
