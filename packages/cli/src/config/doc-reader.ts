import { isMap, isScalar, isSeq, type LineCounter, type Node, type YAMLMap } from 'yaml';
import type { FileIssue, FilePosition } from './errors.js';
import { expandEnv } from './expand-env.js';

export type Env = { readonly [name: string]: string | undefined };

/**
 * Reads values out of one parsed YAML document the way Conduit's decoder does, collecting every
 * problem (with its position) instead of stopping at the first one.
 */
export class DocReader {
  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
    private readonly env: Env,
    readonly issues: FileIssue[],
    readonly warnings: string[],
  ) {}

  pos(offset: number | undefined): FilePosition {
    const p = this.lines.linePos(offset ?? 0);
    return { file: this.file, line: p.line, col: p.col };
  }

  at(node: unknown, fallback?: FilePosition): FilePosition {
    const n = node as Node | null | undefined;
    return n?.range ? this.pos(n.range[0]) : (fallback ?? this.pos(0));
  }

  issue(message: string, where: FilePosition): void {
    this.issues.push({ message, at: where });
  }

  warn(message: string, where: FilePosition): void {
    this.warnings.push(`${where.file}:${where.line}:${where.col}: ${message}`);
  }

  /**
   * A scalar as Conduit's `string` fields receive it: strings expanded like `os.ExpandEnv`
   * (an unset variable becomes empty, with a warning here), numbers and booleans in their
   * source spelling, null as "".
   */
  text(node: unknown, what: string, fallback: FilePosition): string | undefined {
    if (!isScalar(node)) {
      this.issue(
        `${what}: expected a single value, found a ${isSeq(node) ? 'list' : 'mapping'}; write one value (quote it if it contains ":" or "#")`,
        this.at(node, fallback),
      );
      return undefined;
    }
    if (node.value === null || node.value === undefined) return '';
    if (typeof node.value !== 'string') return node.source ?? String(node.value);
    const where = this.at(node, fallback);
    const { value, unset } = expandEnv(node.value, this.env);
    for (const name of unset) {
      this.warn(
        `${what}: environment variable "${name}" is not set; it is replaced with "" (as Conduit does): export ${name} or change the value`,
        where,
      );
    }
    return value;
  }

  /** A scalar as written, without environment expansion (Conduit reads `version` this way). */
  raw(node: unknown): string | undefined {
    if (!isScalar(node)) return undefined;
    if (node.value === null || node.value === undefined) return '';
    return typeof node.value === 'string' ? node.value : (node.source ?? String(node.value));
  }

  get(map: YAMLMap, key: string): { node: unknown; keyAt: FilePosition } | undefined {
    for (const pair of map.items) {
      if (isScalar(pair.key) && String(pair.key.value) === key) {
        return { node: pair.value, keyAt: this.at(pair.key) };
      }
    }
    return undefined;
  }

  /** Conduit decodes with known fields only: an unknown key is a warning, and ignored. */
  checkKeys(map: YAMLMap, known: ReadonlySet<string>, what: string): void {
    for (const pair of map.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : '?';
      if (!known.has(k)) {
        this.warn(
          `unknown key "${k}" in ${what} (ignored; known keys: ${[...known].join(', ')})`,
          this.at(pair.key),
        );
      }
    }
  }

  /**
   * A `settings` mapping as Conduit's flat string map. Nested mappings are also accepted and
   * flattened with dots (`snapshot: {fetchSize: 1}` is `snapshot.fetchSize`).
   */
  settings(node: unknown, what: string, fallback: FilePosition): { [k: string]: string } {
    const out: { [k: string]: string } = {};
    if (node == null || (isScalar(node) && node.value === null)) return out;
    if (!isMap(node)) {
      this.issue(
        `${what}: expected a mapping of setting names to values (name: value, one per line)`,
        this.at(node, fallback),
      );
      return out;
    }
    const walk = (map: YAMLMap, prefix: string) => {
      for (const pair of map.items) {
        const name = prefix + (isScalar(pair.key) ? String(pair.key.value) : '');
        if (isMap(pair.value)) walk(pair.value, `${name}.`);
        else {
          const v = this.text(pair.value ?? null, `${what}.${name}`, this.at(pair.key));
          if (v !== undefined) out[name] = v;
        }
      }
    };
    walk(node, '');
    return out;
  }

  /** An integer field (`workers`, `window-size`): Conduit decodes these as Go ints. */
  integer(node: unknown, what: string, fallback: FilePosition, min: number): number | undefined {
    const v = this.text(node, what, fallback);
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v) || Number(v) < min) {
      this.issue(`${what}: "${v}" must be an integer >= ${min}`, this.at(node, fallback));
      return undefined;
    }
    return Number(v);
  }
}
