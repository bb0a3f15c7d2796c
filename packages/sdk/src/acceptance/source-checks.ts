/** The acceptance checks of a connector's source side. */
import type { OpenCDCRecord } from '@opencdc-ts/commons';
import type { Position } from '../connector.js';
import { fail, type Harness, interleave, isAbort, requiredParamsCheck } from './harness.js';
import { describe as describeRecord } from './records.js';

export function addSourceChecks<SC, DC>(h: Harness<SC, DC>): void {
  const {
    o,
    src,
    n,
    emptyTimeout,
    sf,
    streaming,
    hasSnapshot,
    hasResume,
    noWriter,
    add,
    withSource,
    writeUpstream,
    readN,
    records,
    compareAll,
    compareCollections,
  } = h;
  const noSource = !src
    ? 'the connector has no source'
    : !o.sourceConfig
      ? 'no sourceConfig given'
      : undefined;
  const needData = noSource ?? noWriter;

  add('source', 'source: configure succeeds', noSource, async (ctx) => {
    src!.config.parse(await o.sourceConfig!(ctx));
  });

  add('source', 'source: configure fails without a required parameter', noSource, async (ctx) => {
    await requiredParamsCheck(src!.config, await o.sourceConfig!(ctx));
  });

  add(
    'source',
    'source: read success (snapshot)',
    needData ??
      (streaming && !hasSnapshot ? 'the source declares streaming without snapshot' : undefined),
    async (ctx) => {
      const want = records(ctx, ctx.collections[0]!);
      await writeUpstream(ctx, want);
      compareAll(want, await withSource(ctx, undefined, (s) => readN(s, n)));
    },
  );

  add(
    'source',
    'source: read success (cdc)',
    needData ?? (streaming ? undefined : 'the source declares neither cdc nor longPolling'),
    async (ctx) => {
      await withSource(ctx, undefined, async (s) => {
        const want = records(ctx, ctx.collections[0]!);
        await writeUpstream(ctx, want);
        compareAll(want, await readN(s, n));
      });
    },
  );

  add(
    'source',
    'source: resume at a snapshot position',
    needData ??
      (hasResume && hasSnapshot ? undefined : 'the source does not declare snapshot with resume'),
    async (ctx) => {
      const want = records(ctx, ctx.collections[0]!);
      await writeUpstream(ctx, want);
      const half = Math.floor(n / 2);
      const first = await withSource(ctx, undefined, (s) => readN(s, half));
      compareAll(want.slice(0, half), first);
      const rest = await withSource(ctx, first[first.length - 1]!.position, (s) =>
        readN(s, n - half),
      );
      compareAll(want.slice(half), rest);
    },
  );

  add(
    'source',
    'source: resume at a cdc position',
    needData ??
      (hasResume && (streaming || sf.resume)
        ? undefined
        : 'the source does not declare resume, nor cdc/longPolling with resume'),
    async (ctx) => {
      const want = records(ctx, ctx.collections[0]!);
      const half = Math.floor(n / 2);
      const first = await withSource(ctx, undefined, async (s) => {
        await writeUpstream(ctx, want.slice(0, half));
        return readN(s, half);
      });
      compareAll(want.slice(0, half), first);
      await writeUpstream(ctx, want.slice(half));
      const rest = await withSource(ctx, first[first.length - 1]!.position, (s) =>
        readN(s, n - half),
      );
      compareAll(want.slice(half), rest);
    },
  );

  add(
    'source',
    'source: no record lost across restarts (resume)',
    needData ?? (hasResume ? undefined : 'the source does not declare resume'),
    async (ctx) => {
      // Restart after every few records, opening at the last acked position, as the runtime does.
      const want = records(ctx, ctx.collections[0]!);
      let writeAfterOpen = streaming !== undefined && !hasSnapshot;
      if (!writeAfterOpen) await writeUpstream(ctx, want);
      let position: Position | undefined;
      const got: OpenCDCRecord[] = [];
      while (got.length < n) {
        const batch = await withSource(ctx, position, async (s) => {
          if (writeAfterOpen) {
            await writeUpstream(ctx, want);
            writeAfterOpen = false;
          }
          return readN(s, Math.min(3, n - got.length));
        });
        got.push(...batch);
        position = batch[batch.length - 1]!.position;
      }
      compareAll(want, got);
    },
  );

  add('source', 'source: read timeout on an empty source', noSource, async (ctx) => {
    await withSource(ctx, undefined, async (s) => {
      const started = Date.now();
      let got: OpenCDCRecord[] = [];
      try {
        got = await s.read(1, AbortSignal.timeout(emptyTimeout));
      } catch (e) {
        if (!isAbort(e)) throw e;
      }
      const took = Date.now() - started;
      if (got.length > 0)
        fail(`an empty source returned ${got.length} record(s): ${describeRecord(got[0]!)}`);
      if (took < emptyTimeout * 0.9)
        fail(`read returned an empty batch after ${took} ms, before its signal aborted`);
      if (took > emptyTimeout + 5_000)
        fail(`read ignored its abort signal for ${took - emptyTimeout} ms`);
    });
  });

  add(
    'source',
    'source: multiple collections',
    needData ??
      (sf.multipleCollections ? undefined : 'the source does not declare multipleCollections'),
    async (ctx) => {
      const want = interleave(ctx.collections.map((c) => records(ctx, c)));
      // A streaming-only source sees only what is written after it opened.
      const writeFirst = !(streaming && !hasSnapshot);
      if (writeFirst) await writeUpstream(ctx, want);
      const got = await withSource(ctx, undefined, async (s) => {
        if (!writeFirst) await writeUpstream(ctx, want);
        return readN(s, want.length);
      });
      compareCollections(ctx, want, got);
    },
  );
}
