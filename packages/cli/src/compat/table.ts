import type { Parameters, Processor } from '@opencdc-ts/sdk';
import { SUPPORTED_VERSIONS } from '../config/versions.js';
import { loadPlugin } from '../plugins/resolve.js';
import { CONDUIT_CONNECTORS, CONDUIT_PROCESSORS } from './conduit-reference.js';

/**
 * The README's compatibility section, computed from the code: which Conduit pipeline file
 * versions, plugin names, connectors, connector parameters and processors work here. `pnpm
 * generate` writes it, so it stays true when the code changes.
 */
export async function compatibilityMarkdown(
  builtinProcessors: ReadonlyMap<string, Processor>,
  /** Built-ins that only refuse, naming what they would need (a schema registry, a model API). */
  unavailable: ReadonlySet<string> = new Set(),
): Promise<string> {
  const out: string[] = [];
  out.push(
    `Pipeline file versions read: ${SUPPORTED_VERSIONS.join(', ')} (another 1.x or 2.x is read as the latest of its major, with a warning, as Conduit does).`,
  );
  out.push('');
  out.push('| Conduit connector | here | source parameters | destination parameters |');
  out.push('|---|---|---|---|');
  for (const c of CONDUIT_CONNECTORS) {
    const loaded = await loadPlugin(`builtin:${c.name}`).catch(() => undefined);
    if (!loaded) {
      out.push(`| \`builtin:${c.name}\` | not available | | |`);
      continue;
    }
    const spec = loaded.connector.specification;
    const side = (
      conduit: readonly string[] | undefined,
      ours: Parameters | undefined,
      has: boolean,
    ) => {
      if (!conduit) return has ? 'extra side here' : '';
      if (!has) return 'side not available';
      return compareParams(conduit, ours ?? {});
    };
    out.push(
      `| \`builtin:${c.name}\` | ${spec.name} ${spec.version} | ${side(c.source, spec.sourceParams, Boolean(loaded.connector.source))} | ${side(c.destination, spec.destinationParams, Boolean(loaded.connector.destination))} |`,
    );
  }
  out.push('');
  out.push(
    'Plugin names: `builtin:<name>`, `any:<name>` and a bare `<name>` load the built-ins above; `<name>@<version>` loads the installed version (a different one is a warning); `standalone:<name>` is not available (no Conduit plugin binaries); an npm package name or a file path loads a third-party connector or processor.',
  );
  out.push('');
  out.push('| Conduit processor | here |');
  out.push('|---|---|');
  for (const name of CONDUIT_PROCESSORS) {
    const p = builtinProcessors.get(name);
    const here = !p
      ? 'not available'
      : unavailable.has(name)
        ? `not available: needs ${/needs ([^;]+);/.exec(p.specification.description)?.[1] ?? 'a service not provided here'}`
        : 'yes';
    out.push(`| \`${name}\` | ${here} |`);
  }
  const extra = [...builtinProcessors.keys()]
    .filter((n) => !CONDUIT_PROCESSORS.includes(n) && !unavailable.has(n))
    .sort();
  if (extra.length > 0) {
    out.push('');
    out.push(`Built-in processors not in Conduit: ${extra.map((n) => `\`${n}\``).join(', ')}.`);
  }
  return out.join('\n');
}

/** "all N" or the Conduit parameters missing here (a `*` matches any name segment). */
function compareParams(conduit: readonly string[], ours: Parameters): string {
  const names = Object.keys(ours);
  const has = (p: string) => names.includes(p);
  const missing = conduit.filter((p) => !has(p));
  const extra = names.filter((n) => !conduit.includes(n)).sort();
  const parts = [
    missing.length === 0
      ? `all ${conduit.length}`
      : `${conduit.length - missing.length} of ${conduit.length}; missing ${missing.map((m) => `\`${m}\``).join(', ')}`,
  ];
  if (extra.length > 0) parts.push(`also ${extra.map((e) => `\`${e}\``).join(', ')}`);
  return parts.join('; ');
}
