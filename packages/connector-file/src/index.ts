import { defineConnector } from '@opencdc-ts/sdk';
import { destinationConfig, sourceConfig } from './config.js';
import { FileDestination } from './destination/destination.js';
import { FileSource } from './source/source.js';
import { VERSION } from './version.js';

export { destinationConfig, type FileConfig, pathProblem, sourceConfig } from './config.js';
export { FileDestination } from './destination/destination.js';
export { formatRecord } from './destination/format.js';
export { countLines, type Line, LineReader } from './source/line-reader.js';
export { decodePosition, encodePosition } from './source/position.js';
export { FileSource, type FileSourceOptions, METADATA_FILE_PATH } from './source/source.js';

/** The file connector (Conduit's `builtin:file`): a source and a destination. */
export const connector = defineConnector({
  name: 'file',
  summary:
    'Reads the lines of a file as records, following appended data; appends records to a file.',
  description:
    "Compatible with Conduit's builtin file connector. The source reads a file line by line (each line a create record: key the line number, payload.after the line's bytes, metadata file.path), follows data appended later, waits for a file that does not exist yet, starts over when the file is truncated, and resumes after a restart from its position (a byte offset). The destination appends each record as one line in the sdk.record.format (OpenCDC JSON by default), durable (fdatasync) before a write completes.",
  version: VERSION,
  author: 'opencdc-ts',
  // A file holds one stream of lines: no collections; positions are byte offsets, so the source
  // resumes exactly. Appending is not idempotent: a redelivered record is a second line.
  features: { source: { resume: true } },
  source: {
    config: sourceConfig,
    create: (config, ctx) => new FileSource(config, ctx),
  },
  destination: {
    config: destinationConfig,
    create: (config, ctx) => new FileDestination(config, ctx),
  },
});

export default connector;
