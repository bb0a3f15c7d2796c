import type { OpenCDCRecord } from '@opencdc-ts/commons';

// Key values from the shared reference (metadata/v1/constants.proto, opencdc/v1/opencdc.proto).
export const KEY_CREATED_AT = 'opencdc.createdAt';
export const KEY_COLLECTION = 'opencdc.collection';
export const KEY_SOURCE_PLUGIN_NAME = 'conduit.source.plugin.name';
export const KEY_SOURCE_PLUGIN_VERSION = 'conduit.source.plugin.version';
export const KEY_DESTINATION_PLUGIN_NAME = 'conduit.destination.plugin.name';
export const KEY_DESTINATION_PLUGIN_VERSION = 'conduit.destination.plugin.version';
export const KEY_SOURCE_CONNECTOR_ID = 'conduit.source.connector.id';
export const KEY_DLQ_NACK_ERROR = 'conduit.dlq.nack.error';
export const KEY_DLQ_NACK_NODE_ID = 'conduit.dlq.nack.node.id';

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
