import type { ProcessorSpecification } from '@opencdc-ts/sdk';
import { builtinProcessors } from '../engine/processors-package.js';
import { loadProcessor } from '../plugins/processor-plugin.js';
import { table } from './connectors.js';

interface Row {
  plugin: string;
  specification?: ProcessorSpecification;
  /** A plain function: no specification, no parameters. */
  plain?: boolean;
  error?: string;
}

/**
 * Lists the built-in processors (and any `extra` plugin references: npm package names or paths)
 * with their parameters, as `opencdc connectors` lists connectors.
 */
export async function processorsCommand(
  opts: { json: boolean; extra: string[] },
  out: (s: string) => void = console.log,
): Promise<number> {
  const builtins = await builtinProcessors();
  const rows: Row[] = [...builtins.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, p]) => ({ plugin: name, specification: p.specification }));
  for (const plugin of opts.extra) {
    try {
      const loaded = await loadProcessor(plugin, process.cwd(), builtins);
      rows.push(
        typeof loaded.processor === 'function'
          ? { plugin, plain: true }
          : { plugin, specification: loaded.processor.specification },
      );
    } catch (err) {
      rows.push({ plugin, error: (err as Error).message });
    }
  }
  const failed = rows.some((r) => r.error) ? 1 : 0;
  if (opts.json) {
    out(JSON.stringify(rows, null, 2));
    return failed;
  }
  for (const r of rows) {
    if (r.error) out(`${r.plugin}: not available (${r.error})\n`);
    else if (r.plain) out(`${r.plugin}  (a plain function of the records: no parameters)\n`);
    else {
      const s = r.specification!;
      out(`${r.plugin}  ${s.name} ${s.version}  ${s.summary}`);
      out(table('parameters', s.parameters));
      out('');
    }
  }
  return failed;
}
