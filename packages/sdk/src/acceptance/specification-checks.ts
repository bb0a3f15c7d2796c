/** The acceptance checks of the specification: metadata, parameters, declared features. */
import { fail, type Harness } from './harness.js';

const NAME = /^[A-Za-z0-9_-]+(?:\.(?:[A-Za-z0-9_-]+|\*))*$|^\*(?:\.(?:[A-Za-z0-9_-]+|\*))*$/;

export function addSpecificationChecks<SC, DC>(h: Harness<SC, DC>): void {
  const { add, spec, src, dst } = h;
  add(
    'specification',
    'specification: name, summary, description, version and author are set',
    undefined,
    async () => {
      for (const field of ['name', 'summary', 'description', 'version', 'author'] as const)
        if (!spec[field]?.trim()) fail(`specification.${field} is empty`);
      if (!/^v?\d+\.\d+\.\d+/.test(spec.version))
        fail(`specification.version ${JSON.stringify(spec.version)} is not semantic`);
    },
  );

  add(
    'specification',
    'specification: parameters have valid names, types and descriptions',
    undefined,
    async () => {
      const problems: string[] = [];
      for (const [side, params] of [
        ['source', spec.sourceParams],
        ['destination', spec.destinationParams],
      ] as const) {
        for (const [name, p] of Object.entries(params)) {
          if (!NAME.test(name))
            problems.push(`${side} parameter ${JSON.stringify(name)}: invalid name`);
          if (!p.description.trim()) problems.push(`${side} parameter ${name}: no description`);
          if (!['string', 'int', 'float', 'bool', 'duration', 'file'].includes(p.type))
            problems.push(`${side} parameter ${name}: unknown type ${p.type}`);
        }
      }
      if (problems.length > 0) fail(problems.join('\n'));
    },
  );

  add('specification', 'specification: features match the connector sides', undefined, async () => {
    if (spec.features.source && !src) fail('source features declared without a source');
    if (spec.features.destination && !dst)
      fail('destination features declared without a destination');
    if (src && Object.keys(spec.sourceParams).join() !== Object.keys(src.config.parameters).join())
      fail('specification.sourceParams differ from the source config');
    if (
      dst &&
      Object.keys(spec.destinationParams).join() !== Object.keys(dst.config.parameters).join()
    )
      fail('specification.destinationParams differ from the destination config');
  });
}
