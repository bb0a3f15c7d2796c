/** `filter`, `error`, `clone`, `split`: processors that drop, fail or multiply records. */
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import { copyMetadata, param, recordWith } from '@opencdc-ts/sdk';
import { builtin, perRecord, REFERENCE_DOC, reference, template } from './define.js';

export const filter = builtin({
  name: 'filter',
  summary: 'Acknowledges all records that get passed to the filter.',
  description:
    'Drops every record it sees; the source still acknowledges them, in order. Give it a `condition` to drop only some, e.g. `{{ eq .Metadata.table "audit" }}`.',
  params: {},
  create: () => ({ process: (records) => records.map(() => ({ filter: true }) as const) }),
});

export const error = builtin({
  name: 'error',
  summary: 'Returns an error for all records that get passed to the processor.',
  description:
    'Fails every record it sees with `message` (a Go template over the record), so the record goes to the dead-letter queue per the pipeline. Give it a `condition` to fail only some.',
  params: {
    message: param.string({
      default: 'error processor triggered',
      description:
        'The error message; a Go template rendered over the record, e.g. `bad record {{ .Key.id }}`.',
    }),
  },
  create(config) {
    const message = config.message;
    const render = message.includes('{{') ? template('message', message) : () => message;
    return perRecord((r) => {
      let text: string;
      try {
        text = render(r);
      } catch (e) {
        text = (e as Error).message;
      }
      return { error: new Error(text) };
    });
  },
});

function withMetadata(r: OpenCDCRecord, key: string, value: string): OpenCDCRecord {
  const metadata = copyMetadata(r.metadata);
  metadata.set(key, value);
  return recordWith(r, { metadata });
}

export const clone = builtin({
  name: 'clone',
  summary: 'Clone records.',
  description:
    'Turns each record into count+1 copies, each with metadata `clone.index` (0, 1, ...). The copies are acknowledged once all of them are written. Use a condition on `clone.index` in later processors to treat them differently.',
  params: {
    count: param.int({
      required: true,
      greaterThan: 0,
      description: 'How many copies to add (count 2 gives 3 records per input).',
    }),
  },
  create(config) {
    const n = config.count + 1;
    return perRecord((r) => {
      const records: OpenCDCRecord[] = new Array(n);
      for (let j = 0; j < n; j++) records[j] = withMetadata(r, 'clone.index', String(j));
      return { records };
    });
  },
});

export const split = builtin({
  name: 'split',
  summary: 'Split records.',
  description:
    'Turns a record whose field holds a list into one record per item: each a copy of the record with the field set to that item and metadata `split.index`. The records are acknowledged once all of them are written. A field that is not a list is an error for that record.',
  params: {
    field: param.string({
      required: true,
      regex: /^\.(Payload|Key).*/,
      description: `The field holding the list, under .Key or .Payload. ${REFERENCE_DOC}`,
    }),
  },
  create(config) {
    const ref = reference('field', config.field);
    return perRecord((r) => {
      const list = ref.get(r);
      if (!Array.isArray(list))
        throw new Error(`field ${JSON.stringify(config.field)} is not a slice`);
      return {
        records: list.map((item, i) => withMetadata(ref.set(r, item), 'split.index', String(i))),
      };
    });
  },
});
