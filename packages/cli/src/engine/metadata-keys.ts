import type { OpenCDCRecord } from '@opencdc-ts/commons';

import {
  METADATA_COLLECTION,
  METADATA_CONDUIT_DESTINATION_PLUGIN_NAME,
  METADATA_CONDUIT_DESTINATION_PLUGIN_VERSION,
  METADATA_CONDUIT_DLQ_NACK_ERROR,
  METADATA_CONDUIT_DLQ_NACK_NODE_ID,
  METADATA_CONDUIT_SOURCE_CONNECTOR_ID,
  METADATA_CONDUIT_SOURCE_PLUGIN_NAME,
  METADATA_CONDUIT_SOURCE_PLUGIN_VERSION,
  METADATA_CREATED_AT,
} from '@opencdc-ts/commons';

// Short local names for commons' constants (read from the upstream protos).
export const KEY_CREATED_AT = METADATA_CREATED_AT;
export const KEY_COLLECTION = METADATA_COLLECTION;
export const KEY_SOURCE_PLUGIN_NAME = METADATA_CONDUIT_SOURCE_PLUGIN_NAME;
export const KEY_SOURCE_PLUGIN_VERSION = METADATA_CONDUIT_SOURCE_PLUGIN_VERSION;
export const KEY_DESTINATION_PLUGIN_NAME = METADATA_CONDUIT_DESTINATION_PLUGIN_NAME;
export const KEY_DESTINATION_PLUGIN_VERSION = METADATA_CONDUIT_DESTINATION_PLUGIN_VERSION;
export const KEY_SOURCE_CONNECTOR_ID = METADATA_CONDUIT_SOURCE_CONNECTOR_ID;
export const KEY_DLQ_NACK_ERROR = METADATA_CONDUIT_DLQ_NACK_ERROR;
export const KEY_DLQ_NACK_NODE_ID = METADATA_CONDUIT_DLQ_NACK_NODE_ID;

export interface PluginInfo {
  name: string;
  version: string;
}

/** Upstream semantics: missing and empty both count as "not set". */
function setIfAbsent(r: OpenCDCRecord, key: string, value: string): void {
  const v = r.metadata.get(key);
  if (v === undefined || v === '') r.metadata.set(key, value);
}

/** Stamps what the runtime knows about where a record came from (once, when read). */
export function stampSource(
  records: readonly OpenCDCRecord[],
  connectorId: string,
  plugin: PluginInfo,
): void {
  for (const r of records) {
    setIfAbsent(r, KEY_SOURCE_CONNECTOR_ID, connectorId);
    setIfAbsent(r, KEY_SOURCE_PLUGIN_NAME, plugin.name);
    setIfAbsent(r, KEY_SOURCE_PLUGIN_VERSION, plugin.version);
  }
}

/** Stamps the destination about to write the records. */
export function stampDestination(records: readonly OpenCDCRecord[], plugin: PluginInfo): void {
  for (const r of records) {
    r.metadata.set(KEY_DESTINATION_PLUGIN_NAME, plugin.name);
    r.metadata.set(KEY_DESTINATION_PLUGIN_VERSION, plugin.version);
  }
}

/** Unix nanoseconds as a decimal string (the `opencdc.createdAt` format). */
export function nowNanos(): string {
  return (BigInt(Date.now()) * 1_000_000n).toString();
}
