// The TypeScript processor from the README (kept identical; tested in typescript-processor.test.ts).
import { copyMetadata, defineConfig, defineProcessor, param, recordWith } from '@opencdc-ts/sdk';

export default defineProcessor({
  name: 'acme.tag-region',
  summary: 'Tags each record with the region of its country.',
  description: 'Reads a country code from a field and sets metadata `region`.',
  version: '1.0.0',
  author: 'Acme',
  config: defineConfig({
    field: param.string({ default: 'country', description: 'Payload field with the country.' }),
    fallback: param.string({ default: 'other', description: 'Region of unknown countries.' }),
  }),
  create(config, { logger }) {
    const regions: { [country: string]: string } = { DE: 'eu', FR: 'eu', US: 'na' };
    logger.info('tagging regions', { field: config.field });
    return {
      process: (records) =>
        records.map((r) => {
          const after = r.payload.after;
          if (after === null || after instanceof Uint8Array)
            return { error: new Error('needs structured data: decode it first (json.decode)') };
          const metadata = copyMetadata(r.metadata);
          metadata.set('region', regions[String(after[config.field])] ?? config.fallback);
          return recordWith(r, { metadata });
        }),
    };
  },
});
