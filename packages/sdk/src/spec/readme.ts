import type { Parameter, Parameters } from '../params/types.js';
import type { Specification } from './types.js';

export const README_START = '<!-- parameters:start -->';
export const README_END = '<!-- parameters:end -->';

function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').trim();
}

function code(text: string): string {
  if (text === '') return '';
  // Backticks inside a value need a longer fence.
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${text.includes('`') ? ` ${text} ` : text}${fence}`;
}

function rules(p: Parameter): string {
  return p.validations
    .filter((v) => v.type !== 'required')
    .map((v) => {
      switch (v.type) {
        case 'greater-than':
          return `> ${v.value}`;
        case 'less-than':
          return `< ${v.value}`;
        case 'inclusion':
          return `one of: ${v.value.split(',').map(code).join(', ')}`;
        case 'exclusion':
          return `not: ${v.value.split(',').map(code).join(', ')}`;
        default:
          return `matches ${code(v.value)}`;
      }
    })
    .join('; ');
}

function table(params: Parameters): string {
  const names = Object.keys(params).sort();
  if (names.length === 0) return '_None._';
  const rows = names.map((name) => {
    const p = params[name]!;
    const required = p.validations.some((v) => v.type === 'required') ? 'yes' : '';
    return `| ${code(name)} | ${p.type} | ${cell(code(p.default))} | ${required} | ${cell(rules(p))} | ${cell(p.description)} |`;
  });
  return [
    '| Name | Type | Default | Required | Validations | Description |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function capture(c: { snapshot: boolean; resume: boolean } | undefined): string {
  if (!c) return 'no';
  return `yes (snapshot: ${c.snapshot ? 'yes' : 'no'}, resume: ${c.resume ? 'yes' : 'no'})`;
}

function features(spec: Specification, hasSource: boolean, hasDestination: boolean): string {
  const lines: string[] = [];
  const s = spec.features.source ?? {};
  const d = spec.features.destination ?? {};
  if (hasSource) {
    lines.push(`- Source, multiple collections: ${s.multipleCollections ? 'yes' : 'no'}`);
    lines.push(`- Source, CDC: ${capture(s.cdc)}`);
    lines.push(`- Source, long polling: ${capture(s.longPolling)}`);
    // Resume without change capture; shown only when declared (CDC and polling show their own).
    if (s.resume) lines.push('- Source, resume (no change capture): yes');
  }
  if (hasDestination) {
    lines.push(`- Destination, multiple collections: ${d.multipleCollections ? 'yes' : 'no'}`);
    lines.push(`- Destination, idempotent writes: ${d.idempotentWrites ? 'yes' : 'no'}`);
  }
  return lines.join('\n');
}

/**
 * The generated README section (features and parameter tables), deterministic for a given
 * specification. Sides are shown when they have parameters or features.
 */
export function renderReadmeSection(
  spec: Specification,
  sides: { source: boolean; destination: boolean } = {
    source: Object.keys(spec.sourceParams).length > 0 || spec.features.source !== undefined,
    destination:
      Object.keys(spec.destinationParams).length > 0 || spec.features.destination !== undefined,
  },
): string {
  const parts = [
    README_START,
    `<!-- generated from the specification of ${spec.name} ${spec.version} by opencdc-readme; do not edit by hand -->`,
    '',
    '### Features',
    '',
    features(spec, sides.source, sides.destination),
  ];
  if (sides.source) parts.push('', '### Source parameters', '', table(spec.sourceParams));
  if (sides.destination)
    parts.push('', '### Destination parameters', '', table(spec.destinationParams));
  parts.push('', README_END);
  return parts.join('\n');
}

/**
 * Replaces the text between the markers (markers included) with the generated section.
 * Throws when the markers are missing or out of order.
 */
export function replaceReadmeSection(readme: string, section: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < 0 || end < start)
    throw new Error(
      `the README needs the markers ${README_START} and ${README_END} (in this order) where the generated section goes`,
    );
  return readme.slice(0, start) + section + readme.slice(end + README_END.length);
}
