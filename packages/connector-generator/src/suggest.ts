/** Levenshtein distance, case-insensitive (users mistype case more than letters). */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  if (s === t) return 0;
  let prev = Array.from({ length: t.length + 1 }, (_, i) => i);
  let cur = new Array<number>(t.length + 1).fill(0);
  for (let i = 1; i <= s.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s.charCodeAt(i - 1) === t.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[t.length]!;
}

/**
 * The `limit` candidates nearest to `input`. A candidate whose method part matches exactly
 * (`fullName` for `persn.fullName`) or that contains the input's method part ranks first, so a
 * wrong module still finds the right method.
 */
export function nearest(input: string, candidates: readonly string[], limit = 3): string[] {
  const method = input.includes('.') ? input.slice(input.lastIndexOf('.') + 1) : input;
  const lower = method.toLowerCase();
  const scored = candidates.map((c) => {
    const cMethod = c.slice(c.lastIndexOf('.') + 1).toLowerCase();
    let score = editDistance(input, c);
    if (cMethod === lower) score = Math.min(score, 1);
    else if (lower.length >= 4 && cMethod.includes(lower)) score = Math.min(score, 2);
    return { c, score };
  });
  scored.sort((x, y) => x.score - y.score || (x.c < y.c ? -1 : 1));
  return scored.slice(0, limit).map((s) => s.c);
}
