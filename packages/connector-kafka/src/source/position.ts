import type { Position } from '@opencdc-ts/sdk';

/**
 * A Kafka source position: the message's coordinates and the consumer group that read it
 * (so a restart without a configured `groupID` resumes the same group).
 * JSON: `{"topic":"orders","partition":0,"offset":42,"groupID":"..."}`.
 */
export interface KafkaPosition {
  topic: string;
  partition: number;
  offset: number;
  groupID: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodePosition(p: KafkaPosition): Position {
  // Same bytes as JSON.stringify(p), with the field order fixed; the hot path of the source.
  return encoder.encode(
    `{"topic":${JSON.stringify(p.topic)},"partition":${p.partition},"offset":${p.offset},"groupID":${JSON.stringify(p.groupID)}}`,
  );
}

export function decodePosition(bytes: Position): KafkaPosition {
  let v: unknown;
  try {
    v = JSON.parse(decoder.decode(bytes));
  } catch {
    throw new Error(`not a Kafka position: ${decoder.decode(bytes).slice(0, 100)}`);
  }
  const p = v as Partial<KafkaPosition> | null;
  if (
    p === null ||
    typeof p !== 'object' ||
    typeof p.topic !== 'string' ||
    !Number.isInteger(p.partition) ||
    !Number.isInteger(p.offset) ||
    typeof p.groupID !== 'string'
  )
    throw new Error(`not a Kafka position: ${decoder.decode(bytes).slice(0, 100)}`);
  return p as KafkaPosition;
}
