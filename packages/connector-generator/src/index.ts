import { defineConnector } from '@opencdc-ts/sdk';
import { parseConfig, sourceConfig } from './config.js';
import type { GeneratorConfig } from './model.js';
import { GeneratorSource } from './source.js';
import { VERSION } from './version.js';

export { parseConfig, sourceConfig, toGeneratorConfig } from './config.js';
export { BUILTIN_TYPES, fakerMethods } from './fields.js';
export { decodePosition, RecordGenerator, SEEDED_EPOCH_MS } from './generator.js';
export type { CollectionConfig, FormatType, GeneratorConfig } from './model.js';
export { GeneratorSource } from './source.js';

/** The generator connector: fake records for many collections (source only). */
export const connector = defineConnector<GeneratorConfig>({
  name: 'generator',
  summary:
    'Generates fake records for many collections, each with its own fields, rate and operations.',
  description:
    'Produces OpenCDC records with built-in (int, string, time, bool, duration) or @faker-js/faker field types, for one default collection or many named ones with weights, rates, bursts and operations. With a seed the output is reproducible and a restart resumes exactly.',
  version: VERSION,
  author: 'opencdc-ts',
  // Synthetic records (create/update/delete per key), not captured from a change log: no CDC,
  // but resumable from its position (exactly so when seeded). See the README's "Features".
  features: { source: { multipleCollections: true, resume: true } },
  source: {
    // The sdk's parser validates each parameter; ours then checks how they combine.
    config: { parameters: sourceConfig.parameters, parse: parseConfig },
    create: (config) => new GeneratorSource(config),
  },
});

export default connector;
