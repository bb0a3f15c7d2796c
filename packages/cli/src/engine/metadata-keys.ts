import type { OpenCDCRecord } from '@opencdc-ts/commons';

import {
  METADATA_CONDUIT_DESTINATION_PLUGIN_NAME,
  METADATA_CONDUIT_DESTINATION_PLUGIN_VERSION,
  METADATA_CONDUIT_SOURCE_CONNECTOR_ID,
  METADATA_CONDUIT_SOURCE_PLUGIN_NAME,
  METADATA_CONDUIT_SOURCE_PLUGIN_VERSION,
  METADATA_READ_AT,
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

/**
 * Stamps what the runtime knows about where a record came from, once, right after `read`:
 * `opencdc.readAt` (one clock reading for the whole batch: `readAt`, default now) and the source
 * connector. Sources do not set `opencdc.readAt`; one that did is overwritten (an unwrapped
 * record carries the read time of its first pipeline, not this one's).
 */
export function stampSource(
  records: readonly OpenCDCRecord[],
  connectorId: string,
  plugin: PluginInfo,
  readAt: string = nowNanos(),
): void {
  for (const r of records) {
    r.metadata.set(METADATA_READ_AT, readAt);
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

/** Unix nanoseconds as a decimal string (the `opencdc.createdAt` format), at ms resolution. */
export function nowNanos(): string {
  return `${Date.now()}000000`;
}
