import SnappyCodec from 'kafkajs-snappy';
import lz4 from 'lz4js';

/**
 * kafkajs ships only gzip. Java producers often use snappy or lz4, and a consumer that cannot
 * decompress a batch cannot read the topic at all, so both are registered (pure JavaScript, no
 * native build): snappy both ways (xerial framing as Java writes it), lz4 for reading only (the
 * pure-JS encoder writes frames Java clients may refuse). zstd has no pure-JS codec on Node 20.
 * kafkajs keeps codecs in a table per copy of the package whose snappy and lz4 slots hold stubs
 * that throw "not implemented": replace those in the given copy (ours, see `kafkajs-fixes.ts`;
 * a codec someone else registered there is kept).
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
  if (stub(CompressionTypes.Snappy)) codecs[CompressionTypes.Snappy] = SnappyCodec;
  if (stub(CompressionTypes.LZ4))
    codecs[CompressionTypes.LZ4] = () => ({
      compress: async () => {
        throw new Error('lz4 compression is not supported by this connector; use gzip or snappy');
      },
      decompress: async (buffer: Buffer) => Buffer.from(lz4.decompress(buffer)),
    });
}
