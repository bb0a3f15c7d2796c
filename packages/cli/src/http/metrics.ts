/**
 * `/metrics` in the Prometheus text format (prom-client). Counters are read from each pipeline's
 * `PipelineStats` when scraped (the stats are the one source of truth, also for the progress
 * lines); the batch latency histogram is fed as batches are delivered; connector-specific gauges
 * (`Source.metrics`: a Postgres slot's retained WAL, a Kafka group's lag) are asked of the open
 * sources at each scrape.
 */
import type { SourceGauge } from '@opencdc-ts/sdk';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PipelineStats, PipelineStatus } from '../engine/stats.js';

const PREFIX = 'opencdc_';
const STATUSES: readonly PipelineStatus[] = [
  'starting',
  'running',
  'retrying',
  'stopping',
  'stopped',
  'failed',
];
/** How long a scrape waits for a source's gauges (a query or an admin call) before leaving them out. */
const GAUGE_TIMEOUT_MS = 2000;

export interface Metrics {
  readonly contentType: string;
  scrape(): Promise<string>;
  close(): void;
}

export function createMetrics(
  pipelines: readonly PipelineStats[],
  onGaugeError: (pipeline: string, err: unknown) => void = () => {},
): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const perCollection = (
    name: string,
    help: string,
    pick: (s: PipelineStats) => ReadonlyMap<string, number>,
  ) =>
    new Counter({
      name: PREFIX + name,
      help,
      labelNames: ['pipeline', 'collection'],
      registers,
      collect() {
        this.reset();
        for (const s of pipelines)
          for (const [collection, n] of pick(s))
            this.inc({ pipeline: s.pipelineId, collection }, n);
      },
    });
  perCollection(
    'records_read_total',
    'Records read from the source, per collection (before processors)',
    (s) => s.readPerCollection,
  );
  perCollection(
    'records_written_total',
    'Records written by every destination and acknowledged to the source, per collection',
    (s) => s.perCollection,
  );
  const perPipeline = (name: string, help: string, pick: (s: PipelineStats) => number) =>
    new Counter({
      name: PREFIX + name,
      help,
      labelNames: ['pipeline'],
      registers,
      collect() {
        this.reset();
        for (const s of pipelines) this.inc({ pipeline: s.pipelineId }, pick(s));
      },
    });
  perPipeline('dead_letters_total', 'Records sent to the dead-letter queue', (s) => s.deadLettered);
  perPipeline(
    'retries_total',
    'Restarts of the pipeline after an error (connection lost, unexpected error)',
    (s) => s.retries,
  );
  perPipeline('batches_total', 'Batches written and acknowledged', (s) => s.batches);

  new Gauge({
    name: `${PREFIX}source_lag_seconds`,
    help: "Between the newest written record's creation (opencdc.createdAt) and its write",
    labelNames: ['pipeline'],
    registers,
    collect() {
      this.reset();
      for (const s of pipelines)
        if (s.lagMs !== undefined) this.set({ pipeline: s.pipelineId }, s.lagMs / 1000);
    },
  });
  new Gauge({
    name: `${PREFIX}pipeline_status`,
    help: 'The pipeline status: 1 for the current one, 0 for the others',
    labelNames: ['pipeline', 'status'],
    registers,
    collect() {
      this.reset();
      for (const s of pipelines)
        for (const st of STATUSES)
          this.set({ pipeline: s.pipelineId, status: st }, +(s.status === st));
    },
  });
  new Gauge({
    name: `${PREFIX}pipeline_ready`,
    help: 'The pipeline opened its connectors and is not retrying (what /readyz checks)',
    labelNames: ['pipeline'],
    registers,
    collect() {
      this.reset();
      for (const s of pipelines) this.set({ pipeline: s.pipelineId }, +s.open);
    },
  });

  const latency = new Histogram({
    name: `${PREFIX}batch_duration_seconds`,
    help: 'From reading a batch to acknowledging it (processors, every destination, state save)',
    labelNames: ['pipeline'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const unsubscribe = pipelines.map((s) =>
    s.onBatch((seconds) => latency.observe({ pipeline: s.pipelineId }, seconds)),
  );

  // Connector gauges are named by the connectors: created on first sight, one per name.
  const dynamic = new Map<string, { gauge: Gauge; labels: string }>();
  const setGauges = (pipeline: string, connector: string, gauges: readonly SourceGauge[]) => {
    for (const g of gauges) {
      const extra = Object.keys(g.labels ?? {}).sort();
      const labelNames = ['pipeline', 'connector', ...extra];
      let d = dynamic.get(g.name);
      if (!d) {
        d = {
          gauge: new Gauge({ name: PREFIX + g.name, help: g.help, labelNames, registers }),
          labels: labelNames.join(','),
        };
        dynamic.set(g.name, d);
      }
      // A connector breaking its own label set would make prom-client throw: leave it out.
      if (d.labels !== labelNames.join(',') || !Number.isFinite(g.value)) continue;
      d.gauge.set({ ...g.labels, pipeline, connector }, g.value);
    }
  };

  return {
    contentType: registry.contentType,
    async scrape() {
      for (const d of dynamic.values()) d.gauge.reset();
      await Promise.all(
        pipelines.map(async (s) => {
          try {
            for (const { connector, gauges } of await withTimeout(s.sourceGauges()))
              setGauges(s.pipelineId, connector, gauges);
          } catch (err) {
            onGaugeError(s.pipelineId, err);
          }
        }),
      );
      return registry.metrics();
    },
    close() {
      for (const u of unsubscribe) u();
      registry.clear();
    },
  };
}

function withTimeout<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${GAUGE_TIMEOUT_MS} ms`)),
      GAUGE_TIMEOUT_MS,
    );
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
