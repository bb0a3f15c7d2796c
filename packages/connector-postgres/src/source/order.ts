/**
 * Snapshot order under foreign keys: a table is snapshotted only after every selected table it
 * references, so a destination that keeps source order never sees a child row before its parent.
 */

export interface SnapshotOrder {
  /** Collection → the collections whose snapshot must finish before it starts. */
  deps: Map<string, Set<string>>;
  /** Foreign keys ignored to break cycles, as `[child, parent]` collections. */
  ignored: [string, string][];
}

/**
 * Builds the dependency graph from `[child, parent]` foreign keys among `collections`
 * (self-references and tables outside the selection are dropped). Cycles are broken
 * deterministically: a depth-first walk over the collections in sorted order (and each table's
 * parents in sorted order) ignores every edge that leads back to a table still on the walk's path.
 */
export function snapshotOrder(
  collections: readonly string[],
  fks: readonly (readonly [string, string])[],
): SnapshotOrder {
  const selected = new Set(collections);
  const parents = new Map<string, Set<string>>();
  for (const c of collections) parents.set(c, new Set());
  for (const [child, parent] of fks)
    if (child !== parent && selected.has(child) && selected.has(parent))
      parents.get(child)!.add(parent);

  const deps = new Map<string, Set<string>>();
  const ignored: [string, string][] = [];
  const state = new Map<string, 1 | 2>(); // 1 = on the current path, 2 = finished
  const visit = (c: string): void => {
    state.set(c, 1);
    const kept = new Set<string>();
    for (const p of [...parents.get(c)!].sort()) {
      const s = state.get(p);
      if (s === 1) {
        ignored.push([c, p]);
        continue;
      }
      kept.add(p);
      if (s === undefined) visit(p);
    }
    deps.set(c, kept);
    state.set(c, 2);
  };
  for (const c of [...collections].sort()) if (!state.has(c)) visit(c);
  return { deps, ignored };
}
