import type { Connector, Parameters } from '@opencdc-ts/sdk';
import { BUILTIN_PACKAGES, loadPlugin } from '../plugins/resolve.js';

interface Row {
  plugin: string;
  connector?: Connector;
  error?: string;
}

/** Lists the built-in connectors (and any `extra` plugin references) with parameters and features. */
export async function connectorsCommand(
  opts: { json: boolean; extra: string[] },
  out: (s: string) => void = console.log,
): Promise<number> {
  const refs = [
    'builtin:log',
    ...Object.keys(BUILTIN_PACKAGES).map((n) => `builtin:${n}`),
    ...opts.extra,
  ];
  const rows: Row[] = [];
  for (const plugin of refs) {
    try {
      rows.push({ plugin, connector: (await loadPlugin(plugin)).connector });
    } catch (err) {
      rows.push({ plugin, error: (err as Error).message });
    }
  }
  if (opts.json) {
    out(
      JSON.stringify(
        rows.map((r) => ({
          plugin: r.plugin,
          specification: r.connector?.specification,
          error: r.error,
        })),
        null,
        2,
      ),
    );
    return rows.some((r) => r.error) ? 1 : 0;
  }
  for (const r of rows) {
    if (!r.connector) {
      out(`${r.plugin}: not available (${r.error})\n`);
      continue;
    }
    const s = r.connector.specification;
    const sides = [r.connector.source ? 'source' : '', r.connector.destination ? 'destination' : '']
      .filter(Boolean)
      .join(' + ');
    out(`${r.plugin}  ${s.name} ${s.version}  (${sides})  ${s.summary}`);
    out(`  features: ${formatFeatures(s.features)}`);
    if (r.connector.source) out(table('source parameters', s.sourceParams));
    if (r.connector.destination) out(table('destination parameters', s.destinationParams));
    out('');
  }
  return rows.some((r) => r.error) ? 1 : 0;
}

function formatFeatures(f: Connector['specification']['features']): string {
  const parts: string[] = [];
  const src = f?.source;
  if (src?.multipleCollections) parts.push('source: multiple collections');
  if (src?.cdc)
    parts.push(
      `source: CDC (snapshot ${src.cdc.snapshot ? 'yes' : 'no'}, resume ${src.cdc.resume ? 'yes' : 'no'})`,
    );
  if (src?.longPolling)
    parts.push(
      `source: long polling (snapshot ${src.longPolling.snapshot ? 'yes' : 'no'}, resume ${src.longPolling.resume ? 'yes' : 'no'})`,
    );
  if (src?.resume) parts.push('source: resume (no change capture)');
  if (f?.destination?.multipleCollections) parts.push('destination: multiple collections');
  return parts.length ? parts.join('; ') : 'none declared';
}

/** A parameters table (name, type, default, validations, description) under a title. */
export function table(title: string, params: Parameters): string {
  const rows = Object.entries(params).map(([name, p]) => [
    name,
    p.type,
    p.default === '' ? '' : p.default,
    p.validations
      .map((v) => (v.type === 'required' ? 'required' : `${v.type} ${v.value}`))
      .join('; '),
    p.description.split('\n')[0] ?? '',
  ]);
  if (rows.length === 0) return `  ${title}: none`;
  const head = ['name', 'type', 'default', 'validations', 'description'];
  const widths = head.map((h, i) =>
    Math.min(i === 4 ? 70 : 40, Math.max(h.length, ...rows.map((r) => r[i]!.length))),
  );
  const fmt = (r: string[]) =>
    `    ${r.map((c, i) => (c.length > widths[i]! ? `${c.slice(0, widths[i]! - 1)}…` : c.padEnd(widths[i]!))).join('  ')}`.trimEnd();
  return [`  ${title}:`, fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join(
    '\n',
  );
}
