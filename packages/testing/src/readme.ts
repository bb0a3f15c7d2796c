import { readFileSync } from 'node:fs';

/**
 * A README example kept as a fixture file: the fixture's code from its first `import` on, as the
 * fenced `ts` block the README must contain verbatim, and the README's text. A test then checks
 * `expect(readme).toContain(block)` and runs the fixture itself.
 */
export function readmeExample(fixture: URL, readme: URL): { block: string; readme: string } {
  const code = readFileSync(fixture, 'utf8');
  const example = code.slice(Math.max(0, code.search(/^import /m)));
  return { block: `\`\`\`ts\n${example}\`\`\`\n`, readme: readFileSync(readme, 'utf8') };
}
