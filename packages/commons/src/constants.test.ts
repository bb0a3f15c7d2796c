import { getOption } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import * as constants from './constants.js';
import * as runtimePb from './gen/metadata/v1/constants_pb.js';
import * as opencdcPb from './gen/opencdc/v1/opencdc_pb.js';

// Upstream's convention: each language's constant must equal the value of its proto option.
// The table also pins the option's name, field number (wire compatibility) and value.
const table: [constName: string, option: string, field: number, value: string][] = [
  ['OPENCDC_VERSION', 'opencdc_version', 9999, 'v1'],
  ['METADATA_VERSION', 'metadata_version', 10000, 'opencdc.version'],
  ['METADATA_CREATED_AT', 'metadata_created_at', 10001, 'opencdc.createdAt'],
  ['METADATA_READ_AT', 'metadata_read_at', 10002, 'opencdc.readAt'],
  ['METADATA_COLLECTION', 'metadata_collection', 10003, 'opencdc.collection'],
  [
    'METADATA_KEY_SCHEMA_SUBJECT',
    'metadata_key_schema_subject',
    10004,
    'opencdc.key.schema.subject',
  ],
  [
    'METADATA_KEY_SCHEMA_VERSION',
    'metadata_key_schema_version',
    10005,
    'opencdc.key.schema.version',
  ],
  [
    'METADATA_PAYLOAD_SCHEMA_SUBJECT',
    'metadata_payload_schema_subject',
    10006,
    'opencdc.payload.schema.subject',
  ],
  [
    'METADATA_PAYLOAD_SCHEMA_VERSION',
    'metadata_payload_schema_version',
    10007,
    'opencdc.payload.schema.version',
  ],
  ['METADATA_FILE_NAME', 'metadata_file_name', 10008, 'opencdc.file.name'],
  ['METADATA_FILE_SIZE', 'metadata_file_size', 10009, 'opencdc.file.size'],
  ['METADATA_FILE_HASH', 'metadata_file_hash', 10010, 'opencdc.file.hash'],
  ['METADATA_FILE_CHUNKED', 'metadata_file_chunked', 10011, 'opencdc.file.chunked'],
  ['METADATA_FILE_CHUNK_INDEX', 'metadata_file_chunk_index', 10012, 'opencdc.file.chunk.index'],
  ['METADATA_FILE_CHUNK_COUNT', 'metadata_file_chunk_count', 10013, 'opencdc.file.chunk.count'],
  [
    'METADATA_CONDUIT_SOURCE_PLUGIN_NAME',
    'metadata_conduit_source_plugin_name',
    20000,
    'conduit.source.plugin.name',
  ],
  [
    'METADATA_CONDUIT_SOURCE_PLUGIN_VERSION',
    'metadata_conduit_source_plugin_version',
    20001,
    'conduit.source.plugin.version',
  ],
  [
    'METADATA_CONDUIT_DESTINATION_PLUGIN_NAME',
    'metadata_conduit_destination_plugin_name',
    20002,
    'conduit.destination.plugin.name',
  ],
  [
    'METADATA_CONDUIT_DESTINATION_PLUGIN_VERSION',
    'metadata_conduit_destination_plugin_version',
    20003,
    'conduit.destination.plugin.version',
  ],
  [
    'METADATA_CONDUIT_SOURCE_CONNECTOR_ID',
    'metadata_conduit_source_connector_id',
    20004,
    'conduit.source.connector.id',
  ],
  [
    'METADATA_CONDUIT_DLQ_NACK_ERROR',
    'metadata_conduit_dlq_nack_error',
    20005,
    'conduit.dlq.nack.error',
  ],
  [
    'METADATA_CONDUIT_DLQ_NACK_NODE_ID',
    'metadata_conduit_dlq_nack_node_id',
    20006,
    'conduit.dlq.nack.node.id',
  ],
];

type Ext = typeof opencdcPb.metadata_collection;

describe('metadata constants', () => {
  it.each(table)('%s equals its proto option %s (field %i)', (name, option, field, value) => {
    const fromOpencdc = (opencdcPb as unknown as Record<string, Ext | undefined>)[option];
    const ext = fromOpencdc ?? (runtimePb as unknown as Record<string, Ext>)[option]!;
    const file =
      fromOpencdc === undefined
        ? runtimePb.file_metadata_v1_constants
        : opencdcPb.file_opencdc_v1_opencdc;
    expect(ext.number).toBe(field);
    expect(ext.extendee.typeName).toBe('google.protobuf.FileOptions');
    const optionValue = getOption(file, ext);
    expect(optionValue).toBe(value);
    expect((constants as Record<string, unknown>)[name]).toBe(optionValue);
  });

  it('covers every option the protos declare', () => {
    const declared = [
      ...opencdcPb.file_opencdc_v1_opencdc.extensions,
      ...runtimePb.file_metadata_v1_constants.extensions,
    ].map((e) => e.name);
    expect(declared.sort()).toEqual(table.map(([, option]) => option).sort());
  });

  it('MetadataKeys lists every key once', () => {
    const keys = Object.values(constants.MetadataKeys);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.sort()).toEqual(
      table
        .filter(([name]) => name !== 'OPENCDC_VERSION')
        .map(([, , , v]) => v)
        .sort(),
    );
    expect(constants.MetadataKeys.collection).toBe('opencdc.collection');
  });
});
