/** What the runtime remembers per pipeline between runs. */
export interface PipelineState {
  /**
   * Last position acked to the source (base64), absent before the first ack. The one-source form:
   * kept in step with `positions` while a pipeline has one source; read when `positions` is absent.
   */
  position?: string;
  /** Last position acked to each source (base64), by source connector full id. */
  positions?: { [sourceFullId: string]: string };
  /** Connectors whose `onCreated` hook has run, by full id, with when. */
  connectors: { [fullId: string]: { createdAt: string } };
  updatedAt: string;
}

export interface StateStore {
  /** Human-readable location, for logs. */
  readonly description: string;
  load(pipelineId: string): Promise<PipelineState | undefined>;
  /** Durable when resolved. */
  save(pipelineId: string, state: PipelineState): Promise<void>;
  close(): Promise<void>;
}

export function emptyState(): PipelineState {
  return { connectors: {}, updatedAt: new Date().toISOString() };
}

export function encodePosition(p: Uint8Array): string {
  return Buffer.from(p).toString('base64');
}

export function decodePosition(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'base64'));
}
