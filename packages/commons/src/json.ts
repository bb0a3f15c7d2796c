/**
 * OpenCDC JSON: `json/encode.ts` (with the exact encoder, the fast path and the Go formatting
 * they share) and `json/decode.ts`.
 */

export { fromOpenCDCJSON } from './json/decode.js';
export { encodeExact, toOpenCDCJSON } from './json/encode.js';
