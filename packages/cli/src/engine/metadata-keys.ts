import type { OpenCDCRecord } from '@opencdc-ts/commons';

import {
  METADATA_CONDUIT_DESTINATION_PLUGIN_NAME,
  METADATA_CONDUIT_DESTINATION_PLUGIN_VERSION,
  METADATA_CONDUIT_SOURCE_CONNECTOR_ID,
  METADATA_CONDUIT_SOURCE_PLUGIN_NAME,
  METADATA_CONDUIT_SOURCE_PLUGIN_VERSION,
} from '@opencdc-ts/commons';

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
    setIfAbsent(r, METADATA_CONDUIT_SOURCE_CONNECTOR_ID, connectorId);
    setIfAbsent(r, METADATA_CONDUIT_SOURCE_PLUGIN_NAME, plugin.name);
    setIfAbsent(r, METADATA_CONDUIT_SOURCE_PLUGIN_VERSION, plugin.version);
  }
}

/** Stamps the destination about to write the records. */
export function stampDestination(records: readonly OpenCDCRecord[], plugin: PluginInfo): void {
  for (const r of records) {
    r.metadata.set(METADATA_CONDUIT_DESTINATION_PLUGIN_NAME, plugin.name);
    r.metadata.set(METADATA_CONDUIT_DESTINATION_PLUGIN_VERSION, plugin.version);
  }
}

/** Unix nanoseconds as a decimal string (the `opencdc.createdAt` format). */
export function nowNanos(): string {
  return (BigInt(Date.now()) * 1_000_000n).toString();
}
