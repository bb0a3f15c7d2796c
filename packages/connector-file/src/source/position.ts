/**
 * A file source position: the byte offset just past a record's line (where the next line
 * starts), as decimal ASCII, the form Conduit's file connector uses (`"1234"`). Opening at it
 * continues with the next line, so a position is exclusive, as the Source contract wants.
 */

const ascii = new TextEncoder();
const text = new TextDecoder();

export function encodePosition(offset: number): Uint8Array {
  return ascii.encode(String(offset));
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
