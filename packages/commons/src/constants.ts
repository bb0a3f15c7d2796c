import { getOption } from '@bufbuild/protobuf';
import {
  file_metadata_v1_constants,
  metadata_conduit_destination_plugin_name,
  metadata_conduit_destination_plugin_version,
  metadata_conduit_dlq_nack_error,
  metadata_conduit_dlq_nack_node_id,
  metadata_conduit_source_connector_id,
  metadata_conduit_source_plugin_name,
  metadata_conduit_source_plugin_version,
} from './gen/metadata/v1/constants_pb.js';
import {
  file_opencdc_v1_opencdc,
  metadata_collection,
  metadata_created_at,
  metadata_file_chunk_count,
  metadata_file_chunk_index,
  metadata_file_chunked,
  metadata_file_hash,
  metadata_file_name,
  metadata_file_size,
  metadata_key_schema_subject,
  metadata_key_schema_version,
  metadata_payload_schema_subject,
  metadata_payload_schema_version,
  metadata_read_at,
  metadata_version,
  opencdc_version,
} from './gen/opencdc/v1/opencdc_pb.js';

// Every value below is read from the proto file options at module load: the .proto files are the
// single source of truth, shared with every other language (upstream's convention). Each is also
// written as a literal, so TypeScript knows the exact key (`'opencdc.collection'`, not `string`)
// and code can use the constants wherever it would otherwise write the string; the load fails if
// the two ever disagree.
function option<const L extends string>(
  file: typeof file_opencdc_v1_opencdc,
  ext: typeof metadata_version,
  literal: L,
): L {
  const value: string = getOption(file, ext);
  if (value !== literal) {
    throw new Error(`metadata constant ${literal} differs from the proto option (${value})`);
  }
  return literal;
}
const opencdc = <const L extends string>(ext: typeof metadata_version, literal: L): L =>
  option(file_opencdc_v1_opencdc, ext, literal);
const runtime = <const L extends string>(ext: typeof metadata_version, literal: L): L =>
  option(file_metadata_v1_constants, ext, literal);

/** The OpenCDC version this package writes (`v1`): the value of {@link METADATA_VERSION}. */
export const OPENCDC_VERSION = opencdc(opencdc_version, 'v1');

/** `opencdc.version`: the OpenCDC version the record follows. */
export const METADATA_VERSION = opencdc(metadata_version, 'opencdc.version');
/** `opencdc.createdAt`: when the record was created upstream (unix nanoseconds). */
export const METADATA_CREATED_AT = opencdc(metadata_created_at, 'opencdc.createdAt');
/** `opencdc.readAt`: when the source read the record (unix nanoseconds). */
export const METADATA_READ_AT = opencdc(metadata_read_at, 'opencdc.readAt');
/** `opencdc.collection`: the table, topic, ... the record belongs to. */
export const METADATA_COLLECTION = opencdc(metadata_collection, 'opencdc.collection');
/** `opencdc.key.schema.subject`: the schema subject of the key. */
export const METADATA_KEY_SCHEMA_SUBJECT = opencdc(
  metadata_key_schema_subject,
  'opencdc.key.schema.subject',
);
/** `opencdc.key.schema.version`: the schema version of the key (integer). */
export const METADATA_KEY_SCHEMA_VERSION = opencdc(
  metadata_key_schema_version,
  'opencdc.key.schema.version',
);
/** `opencdc.payload.schema.subject`: the schema subject of the payload. */
export const METADATA_PAYLOAD_SCHEMA_SUBJECT = opencdc(
  metadata_payload_schema_subject,
  'opencdc.payload.schema.subject',
);
/** `opencdc.payload.schema.version`: the schema version of the payload (integer). */
export const METADATA_PAYLOAD_SCHEMA_VERSION = opencdc(
  metadata_payload_schema_version,
  'opencdc.payload.schema.version',
);
/** `opencdc.file.name`: the name of the file the record comes from. */
export const METADATA_FILE_NAME = opencdc(metadata_file_name, 'opencdc.file.name');
/** `opencdc.file.size`: the size of the whole file in bytes (integer). */
export const METADATA_FILE_SIZE = opencdc(metadata_file_size, 'opencdc.file.size');
/** `opencdc.file.hash`: the hash of the whole file. */
export const METADATA_FILE_HASH = opencdc(metadata_file_hash, 'opencdc.file.hash');
/** `opencdc.file.chunked`: whether the file is split into chunks (boolean). */
export const METADATA_FILE_CHUNKED = opencdc(metadata_file_chunked, 'opencdc.file.chunked');
/** `opencdc.file.chunk.index`: the one-based index of this chunk (integer). */
export const METADATA_FILE_CHUNK_INDEX = opencdc(
  metadata_file_chunk_index,
  'opencdc.file.chunk.index',
);
/** `opencdc.file.chunk.count`: the number of chunks (integer). */
export const METADATA_FILE_CHUNK_COUNT = opencdc(
  metadata_file_chunk_count,
  'opencdc.file.chunk.count',
);

/** `conduit.source.plugin.name`: the source plugin that read the record. */
export const METADATA_CONDUIT_SOURCE_PLUGIN_NAME = runtime(
  metadata_conduit_source_plugin_name,
  'conduit.source.plugin.name',
);
/** `conduit.source.plugin.version`: the version of that source plugin. */
export const METADATA_CONDUIT_SOURCE_PLUGIN_VERSION = runtime(
  metadata_conduit_source_plugin_version,
  'conduit.source.plugin.version',
);
/** `conduit.destination.plugin.name`: the destination plugin that wrote the record. */
export const METADATA_CONDUIT_DESTINATION_PLUGIN_NAME = runtime(
  metadata_conduit_destination_plugin_name,
  'conduit.destination.plugin.name',
);
/** `conduit.destination.plugin.version`: the version of that destination plugin. */
export const METADATA_CONDUIT_DESTINATION_PLUGIN_VERSION = runtime(
  metadata_conduit_destination_plugin_version,
  'conduit.destination.plugin.version',
);
/** `conduit.source.connector.id`: the id of the source connector that read the record. */
export const METADATA_CONDUIT_SOURCE_CONNECTOR_ID = runtime(
  metadata_conduit_source_connector_id,
  'conduit.source.connector.id',
);
/** `conduit.dlq.nack.error`: why the record was dead-lettered. */
export const METADATA_CONDUIT_DLQ_NACK_ERROR = runtime(
  metadata_conduit_dlq_nack_error,
  'conduit.dlq.nack.error',
);
/** `conduit.dlq.nack.node.id`: the pipeline node that nacked the record. */
export const METADATA_CONDUIT_DLQ_NACK_NODE_ID = runtime(
  metadata_conduit_dlq_nack_node_id,
  'conduit.dlq.nack.node.id',
);

/** Every metadata key, by name: `MetadataKeys.collection === 'opencdc.collection'`. */
export const MetadataKeys = Object.freeze({
  version: METADATA_VERSION,
  createdAt: METADATA_CREATED_AT,
  readAt: METADATA_READ_AT,
  collection: METADATA_COLLECTION,
  keySchemaSubject: METADATA_KEY_SCHEMA_SUBJECT,
  keySchemaVersion: METADATA_KEY_SCHEMA_VERSION,
  payloadSchemaSubject: METADATA_PAYLOAD_SCHEMA_SUBJECT,
  payloadSchemaVersion: METADATA_PAYLOAD_SCHEMA_VERSION,
  fileName: METADATA_FILE_NAME,
  fileSize: METADATA_FILE_SIZE,
  fileHash: METADATA_FILE_HASH,
  fileChunked: METADATA_FILE_CHUNKED,
  fileChunkIndex: METADATA_FILE_CHUNK_INDEX,
  fileChunkCount: METADATA_FILE_CHUNK_COUNT,
  conduitSourcePluginName: METADATA_CONDUIT_SOURCE_PLUGIN_NAME,
  conduitSourcePluginVersion: METADATA_CONDUIT_SOURCE_PLUGIN_VERSION,
  conduitDestinationPluginName: METADATA_CONDUIT_DESTINATION_PLUGIN_NAME,
  conduitDestinationPluginVersion: METADATA_CONDUIT_DESTINATION_PLUGIN_VERSION,
  conduitSourceConnectorId: METADATA_CONDUIT_SOURCE_CONNECTOR_ID,
  conduitDlqNackError: METADATA_CONDUIT_DLQ_NACK_ERROR,
  conduitDlqNackNodeId: METADATA_CONDUIT_DLQ_NACK_NODE_ID,
});
