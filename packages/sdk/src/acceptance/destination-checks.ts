/** The acceptance checks of a connector's destination side. */
import { type Harness, interleave, requiredParamsCheck } from './harness.js';

export function addDestinationChecks<SC, DC>(h: Harness<SC, DC>): void {
  const {
    o,
    dst,
    df,
    canReadBack,
    add,
    withDestination,
    readBack,
    records,
    compareAll,
    compareCollections,
  } = h;
  const noDestination = !dst
    ? 'the connector has no destination'
    : !o.destinationConfig
      ? 'no destinationConfig given'
      : undefined;

  add('destination', 'destination: configure succeeds', noDestination, async (ctx) => {
    dst!.config.parse(await o.destinationConfig!(ctx));
  });

  add(
    'destination',
    'destination: configure fails without a required parameter',
    noDestination,
    async (ctx) => {
      await requiredParamsCheck(dst!.config, await o.destinationConfig!(ctx));
    },
  );

  add('destination', 'destination: write success', noDestination, async (ctx) => {
    const want = records(ctx, ctx.collections[0]!);
    await withDestination(ctx, async (d) => {
      await d.write(want.slice(0, 1));
      await d.write(want.slice(1));
    });
  });

  add(
    'destination',
    'destination: write success and read back',
    noDestination ??
      (canReadBack
        ? undefined
        : 'cannot verify: pass readFromDestination (the connector has no source to read back with)'),
    async (ctx) => {
      const want = records(ctx, ctx.collections[0]!);
      await withDestination(ctx, async (d) => {
        await d.write(want.slice(0, 1));
        await d.write(want.slice(1));
      });
      compareAll(want, await readBack(ctx, want.length));
    },
  );

  add(
    'destination',
    'destination: multiple collections',
    noDestination ??
      (!df.multipleCollections
        ? 'the destination does not declare multipleCollections'
        : !canReadBack
          ? 'cannot verify: pass readFromDestination (the connector has no source to read back with)'
          : undefined),
    async (ctx) => {
      // Interleaved, so a destination that buffers per collection must still keep each one's order.
      const want = interleave(ctx.collections.map((c) => records(ctx, c)));
      await withDestination(ctx, (d) => d.write(want));
      compareCollections(ctx, want, await readBack(ctx, want.length));
    },
  );

  add(
    'destination',
    'destination: idempotent writes',
    noDestination ??
      (!df.idempotentWrites
        ? 'the destination does not declare idempotentWrites'
        : !canReadBack
          ? 'cannot verify: pass readFromDestination (the connector has no source to read back with)'
          : undefined),
    async (ctx) => {
      // A redelivery after a crash: the same records written again by a new instance.
      const want = records(ctx, ctx.collections[0]!);
      for (let attempt = 0; attempt < 2; attempt++)
        await withDestination(ctx, (d) => d.write(want));
      const got = await readBack(ctx, want.length);
      compareAll(want, got);
    },
  );
}
