/**
 * What Conduit offers, as facts to compare this runtime with (the README's compatibility table
 * is generated from this and from the code). Sources: ConduitIO/conduit @ bb6ce44
 * (pkg/plugin/processor/builtin/registry.go, the built-in connectors of its builtin registry) and
 * the parameter lists of Conduit's connector documentation pages (conduit-site @ ed6d118,
 * docs/1-using/5-connectors/10-list/*.mdx).
 */
export interface ConduitConnector {
  name: string;
  source?: readonly string[];
  destination?: readonly string[];
}

const SOURCE_SDK = [
  'sdk.batch.delay',
  'sdk.batch.size',
  'sdk.schema.context.enabled',
  'sdk.schema.context.name',
  'sdk.schema.extract.key.enabled',
  'sdk.schema.extract.key.subject',
  'sdk.schema.extract.payload.enabled',
  'sdk.schema.extract.payload.subject',
  'sdk.schema.extract.type',
];
const DESTINATION_SDK = [
  'sdk.batch.delay',
  'sdk.batch.size',
  'sdk.rate.burst',
  'sdk.rate.perSecond',
  'sdk.record.format',
  'sdk.record.format.options',
  'sdk.schema.extract.key.enabled',
  'sdk.schema.extract.payload.enabled',
];
const KAFKA_CLIENT = [
  'caCert',
  'clientCert',
  'clientID',
  'clientKey',
  'insecureSkipVerify',
  'saslMechanism',
  'saslPassword',
  'saslUsername',
  'servers',
  'tls.enabled',
];

export const CONDUIT_CONNECTORS: readonly ConduitConnector[] = [
  { name: 'file', source: ['path', ...SOURCE_SDK], destination: ['path', ...DESTINATION_SDK] },
  {
    name: 'generator',
    source: [
      'burst.generateTime',
      'burst.sleepTime',
      'collections.*.format.options.*',
      'collections.*.format.options.path',
      'collections.*.format.type',
      'collections.*.operations',
      'format.options.*',
      'format.options.path',
      'format.type',
      'operations',
      'rate',
      'readTime',
      'recordCount',
      ...SOURCE_SDK,
    ],
  },
  {
    name: 'kafka',
    source: [
      ...KAFKA_CLIENT,
      'commitOffsetsDelay',
      'commitOffsetsSize',
      'groupID',
      'readFromBeginning',
      'retryGroupJoinErrors',
      'topics',
      ...SOURCE_SDK,
    ],
    destination: [
      ...KAFKA_CLIENT,
      'acks',
      'batchBytes',
      'compression',
      'deliveryTimeout',
      'topic',
      ...DESTINATION_SDK,
    ],
  },
  { name: 'log', destination: ['level', 'message', ...DESTINATION_SDK] },
  {
    name: 'postgres',
    source: [
      'cdcMode',
      'logrepl.autoCleanup',
      'logrepl.publicationName',
      'logrepl.slotName',
      'logrepl.withAvroSchema',
      'snapshot.fetchSize',
      'snapshotMode',
      'tables',
      'url',
      ...SOURCE_SDK,
    ],
    destination: ['table', 'url', ...DESTINATION_SDK],
  },
  // Part of Conduit's binary; its parameters are not compared here.
  { name: 's3', source: [], destination: [] },
];

/** Conduit's built-in processors (DefaultBuiltinProcessors). */
export const CONDUIT_PROCESSORS: readonly string[] = [
  'avro.decode',
  'avro.encode',
  'base64.decode',
  'base64.encode',
  'clone',
  'cohere.command',
  'cohere.embed',
  'cohere.rerank',
  'custom.javascript',
  'error',
  'field.convert',
  'field.exclude',
  'field.rename',
  'field.set',
  'filter',
  'json.decode',
  'json.encode',
  'ollama.request',
  'openai.embed',
  'openai.textgen',
  'split',
  'unwrap.debezium',
  'unwrap.kafkaconnect',
  'unwrap.opencdc',
  'webhook.http',
];
