/**
 * The SDK's middleware parameters, with Conduit's names (`sdk.*`), defaults and rules. Every
 * connector side accepts them (`defineConnector` and the runtime add them); the connector's own
 * parser never sees them.
 */
import { ConfigError, ConfigErrors } from '../errors.js';
import { defineConfig } from '../params/config.js';
import { param } from '../params/param.js';

/** Why `true` is refused for every schema parameter (one text, so the errors read alike). */
export const NO_SCHEMA_REGISTRY =
  'schema support (a schema registry) is not available in this runtime yet';

const extractNote = (side: 'source' | 'destination') =>
  ` Conduit's default is true (it has a built-in schema registry); here the default is false and true is refused: ${NO_SCHEMA_REGISTRY}. Records keep their ${side === 'source' ? 'structured data as read' : 'data as received'}.`;

/**
 * Schema extraction, decoding and encoding need a schema registry: `false` is accepted, `true`
 * is a configuration error that says so (never ignored). Checks any parsed `sdk.*` config.
 */
export function refuseSchemaTrue(config: { readonly [name: string]: unknown }): void {
  const errors = Object.entries(config)
    .filter(
      ([name, v]) => v === true && /^sdk\.schema\.(extract|decode|encode)\..+\.enabled$/.test(name),
    )
    .map(
      ([name]) =>
        new ConfigError({
          parameter: name,
          value: 'true',
          rule: 'needs a schema registry',
          fix: `set it to false (or remove it): ${NO_SCHEMA_REGISTRY}`,
        }),
    );
  if (errors.length > 0) throw new ConfigErrors(errors);
}

const batchSize = (where: string) =>
  param.int({
    default: 0,
    greaterThan: -1,
    description: `Maximum size of batch before it gets ${where}. 0: no size bound (what is available, at most the runtime's read size).`,
  });

const batchDelay = (description: string) =>
  param.duration({
    default: 0,
    description,
    check: (ms) => (ms >= 0 ? undefined : 'use 0 or a positive duration'),
  });

/** Source middleware: batching and schema extraction (extraction off: no registry yet). */
export const sourceMiddlewareParams = {
  'sdk.batch.delay': batchDelay(
    'Maximum delay before an incomplete batch is read from the source (counted from its first record). 0: no wait.',
  ),
  'sdk.batch.size': batchSize('read from the source'),
  'sdk.schema.context.enabled': param.bool({
    default: true,
    description:
      'Specifies whether to use a schema context name (a prefix of schema subjects). Only used with schema extraction, which is not available yet.',
  }),
  'sdk.schema.context.name': param.string({
    description:
      'Schema context name used as a prefix of schema subjects; empty: the connector id. Only used with schema extraction, which is not available yet.',
  }),
  'sdk.schema.extract.key.enabled': param.bool({
    default: false,
    description: `Whether to extract and encode the record key with a schema.${extractNote('source')}`,
  }),
  'sdk.schema.extract.key.subject': param.string({
    default: 'key',
    description:
      'The subject of the key schema ("opencdc.collection" is prepended with a dot when set). Only used with schema extraction, which is not available yet.',
  }),
  'sdk.schema.extract.payload.enabled': param.bool({
    default: false,
    description: `Whether to extract and encode the record payload with a schema.${extractNote('source')}`,
  }),
  'sdk.schema.extract.payload.subject': param.string({
    default: 'payload',
    description:
      'The subject of the payload schema ("opencdc.collection" is prepended with a dot when set). Only used with schema extraction, which is not available yet.',
  }),
  'sdk.schema.extract.type': param.string({
    default: 'avro',
    inclusion: ['avro'],
    description: 'The type of the payload schema.',
  }),
} as const;

/** Destination middleware: batching, rate limiting, record format, schema extraction. */
export const destinationMiddlewareParams = {
  'sdk.batch.delay': batchDelay(
    'Maximum delay before an incomplete batch is written to the destination (counted from its first record). The runtime collects reads for this long (unless the source sets its own sdk.batch.*).',
  ),
  'sdk.batch.size': batchSize('written to the destination'),
  'sdk.rate.burst': param.int({
    default: 0,
    greaterThan: -1,
    description:
      'Allow bursts of at most X records (0: as many as sdk.rate.perSecond, rounded up). Only takes effect if a rate limit per second is set; a write larger than the burst is split into writes of at most this many records.',
  }),
  'sdk.rate.perSecond': param.float({
    default: 0,
    greaterThan: -1,
    description: 'Maximum number of records written per second (0 means no rate limit).',
  }),
  'sdk.record.format': param.string({
    default: 'opencdc/json',
    inclusion: ['opencdc/json', 'debezium/json', 'template'],
    description:
      'The format of the output record, for destinations that write bytes (e.g. Kafka, file): opencdc/json, debezium/json, or template (a Go template in sdk.record.format.options). Destinations that write rows ignore it.',
  }),
  'sdk.record.format.options': param.string({
    description:
      'Options of the chosen format: for debezium/json comma-separated key=value pairs (debezium.schema.name, debezium.rawData.key); for template the Go template itself.',
  }),
  'sdk.schema.extract.key.enabled': param.bool({
    default: false,
    description: `Whether to extract and decode the record key with a schema.${extractNote('destination')}`,
  }),
  'sdk.schema.extract.payload.enabled': param.bool({
    default: false,
    description: `Whether to extract and decode the record payload with a schema.${extractNote('destination')}`,
  }),
} as const;

export const sourceMiddlewareConfig = defineConfig(sourceMiddlewareParams);
export const destinationMiddlewareConfig = defineConfig(destinationMiddlewareParams);

export type SourceMiddlewareConfig = ReturnType<typeof sourceMiddlewareConfig.parse>;
export type DestinationMiddlewareConfig = ReturnType<typeof destinationMiddlewareConfig.parse>;

const processorSchema = (verb: 'decode' | 'encode', part: 'key' | 'payload') =>
  param.bool({
    default: false,
    description: `Whether to ${verb} the record ${part} with a schema. Conduit's default is true (it has a built-in schema registry); here the default is false and true is refused: ${NO_SCHEMA_REGISTRY}.`,
  });

/**
 * The processor SDK's schema middleware parameters (`sdk.schema.decode.*`, `sdk.schema.encode.*`)
 * for the runtime's processors; after parsing, `refuseSchemaTrue` refuses `true` (no schema
 * registry yet).
 */
export const processorMiddlewareParams = {
  'sdk.schema.decode.key.enabled': processorSchema('decode', 'key'),
  'sdk.schema.decode.payload.enabled': processorSchema('decode', 'payload'),
  'sdk.schema.encode.key.enabled': processorSchema('encode', 'key'),
  'sdk.schema.encode.key.subject': param.string({
    default: 'key',
    description:
      'The subject of the key schema. Only used with schema encoding, which is not available yet.',
  }),
  'sdk.schema.encode.payload.enabled': processorSchema('encode', 'payload'),
  'sdk.schema.encode.payload.subject': param.string({
    default: 'payload',
    description:
      'The subject of the payload schema. Only used with schema encoding, which is not available yet.',
  }),
  'sdk.schema.encode.type': param.string({
    default: 'avro',
    inclusion: ['avro'],
    description: 'The type of the payload schema.',
  }),
} as const;

export const processorMiddlewareConfig = defineConfig(processorMiddlewareParams);
