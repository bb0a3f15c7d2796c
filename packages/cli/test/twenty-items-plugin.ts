// A tiny third-party source plugin for the bin's tests, written to a `.mjs` file next to the
// pipeline file: 20 `create` records for collection "items" (ids 0..19), delivered in one read,
// then nothing until the run stops. `after` is the JavaScript expression of each record's
// `payload.after` (with `k` the id); `prelude` adds functions it may call.

export function twentyItemsPlugin(after: string, prelude = ''): string {
  return `
const noConfig = { parameters: {}, parse: () => ({}) };
${prelude}
export default {
  specification: { name: 'twenty', summary: '', description: '', version: '1.0.0', author: '', sourceParams: {}, destinationParams: {}, features: {} },
  source: { config: noConfig, create: () => {
    let sent = false;
    return {
      async open() {},
      async read(max, signal) {
        if (sent) { await new Promise((r) => signal.addEventListener('abort', r)); return []; }
        sent = true;
        return Array.from({ length: 20 }, (_, k) => ({ position: new TextEncoder().encode(String(k)), operation: 'create',
          metadata: new Map([['opencdc.collection', 'items']]), key: { id: k },
          payload: { before: null, after: ${after} } }));
      },
      async ack() {}, async teardown() {},
    };
  } },
};
`;
}
