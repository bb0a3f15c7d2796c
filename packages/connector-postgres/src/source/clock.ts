/** `opencdc.readAt` (unix nanoseconds as text), recomputed at most once per millisecond. */
let lastMs = 0;
let lastText = '0';

export function readAtNow(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastText = `${ms}000000`;
  }
  return lastText;
}
