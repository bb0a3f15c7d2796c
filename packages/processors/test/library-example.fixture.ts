// The library example from the README (kept identical; tested in library-example.test.ts).
import { createRecord, type OpenCDCRecord } from '@opencdc-ts/commons';
import { builtinProcessors, createChain } from '@opencdc-ts/processors';

export async function shape(records: OpenCDCRecord[]) {
  const chain = await createChain(
    [
      {
        id: 'drop-tests',
        processor: builtinProcessors.get('filter')!,
        settings: {},
        condition: '{{ hasPrefix "test-" .Payload.After.email }}',
      },
      {
        id: 'mask',
        processor: builtinProcessors.get('field.set')!,
        settings: {
          field: '.Payload.After.email',
          value: '{{ printf "%.3s***" .Payload.After.email }}',
        },
      },
      // A plain function is a processor too: one entry per record (a record, null or a list).
      {
        id: 'tag',
        processor: (rs) => rs.map((r) => ({ ...r, operation: 'snapshot' as const })),
        settings: {},
      },
    ],
    { logger: console },
  );
  try {
    // One outcome per input: a record, { filter: true }, { records: [...] } or { error }.
    return await chain.process(records);
  } finally {
    await chain.teardown();
  }
}

export const example = [
  createRecord({ position: new Uint8Array([1]), after: { email: 'ada@example.com' } }),
  createRecord({ position: new Uint8Array([2]), after: { email: 'test-1@example.com' } }),
];
