/**
 * A file source position: the byte offset just past a record's line (where the next line
 * starts), as decimal ASCII, the form Conduit's file connector uses (`"1234"`). Opening at it
 * continues with the next line, so a position is exclusive, as the Source contract wants.
 */

const text = new TextDecoder();

/** A non-negative integer as decimal ASCII bytes (faster than TextEncoder for a few digits). */
export function decimalBytes(n: number): Uint8Array {
  const s = String(n);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function encodePosition(offset: number): Uint8Array {
  return decimalBytes(offset);
}

/** The offset in `position`; throws when it is not one (Conduit: "expected a number"). */
export function decodePosition(position: Uint8Array): number {
  const s = text.decode(position);
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s)))
    throw new Error(
      `invalid file source position ${JSON.stringify(s)}: expected a byte offset (decimal digits), as the file source writes it`,
    );
  return Number(s);
}
