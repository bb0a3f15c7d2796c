import { DecodeError } from './errors.js';

// Standard alphabet, padded: what Go's base64.StdEncoding writes and reads.
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Whether `text` is standard padded base64 (what Go's base64.StdEncoding writes for bytes). */
export function isStandardBase64(text: string): boolean {
  return STRICT_BASE64.test(text);
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Decodes standard padded base64. Node's own decoder skips characters it does not know, which
 * would turn a typo into silently wrong bytes, so the text is checked first.
 */
export function decodeBase64(text: string, path: string): Uint8Array {
  if (!isStandardBase64(text)) {
    const shown =
      text.length > 40 ? `${JSON.stringify(text.slice(0, 40))}...` : JSON.stringify(text);
    throw new DecodeError(
      'INVALID_BASE64',
      path,
      `${shown} is not standard padded base64 (alphabet A-Z a-z 0-9 + /, length a multiple of 4)`,
    );
  }
  const buf = Buffer.from(text, 'base64');
  // A plain Uint8Array view: callers compare and type-check records, Buffer would leak through.
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
