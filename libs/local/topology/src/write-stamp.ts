import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { canonicalJson } from '@platform/service-runtime';

/** A record as DynamoDB's low-level API and its streams carry it. */
export type Image = Record<string, AttributeValue>;

/**
 * The order of two versions of one item under last-writer-wins. Global tables keep a
 * hidden per-item timestamp set by the region that accepted the write; the local
 * replication has no such hidden field, so it orders versions by:
 *
 * 1. `timeMs`: the write time the origin region recorded in the item itself (the first
 *    present of the timestamp attributes, `updatedAt` then `createdAt` by default), or,
 *    for a delete or a record without such an attribute, the time the origin's stream
 *    record was first read;
 * 2. `version`: the item's `version` number, so two writes of one region within the
 *    same millisecond keep their order;
 * 3. `digest`: a hash of the whole record, so any remaining tie is broken the same
 *    way in every region (and a delete, `~`, beats a write of the same millisecond).
 */
export interface WriteStamp {
  readonly timeMs: number;
  readonly version: number;
  readonly digest: string;
}

/** The digest a delete carries: sorts after every hex digest. */
export const DELETE_DIGEST = '~';

/** The attributes read for a record's write time, first present wins. */
export const DEFAULT_TIMESTAMP_ATTRIBUTES: readonly string[] = Object.freeze(['updatedAt', 'createdAt']);

/** Negative, zero or positive as `a` is older than, the same as, or newer than `b`. */
export function compareStamps(a: WriteStamp, b: WriteStamp): number {
  if (a.timeMs !== b.timeMs) return a.timeMs - b.timeMs;
  if (a.version !== b.version) return a.version - b.version;
  return a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0;
}

/** The newer of two stamps; undefined counts as older than anything. */
export function newerStamp(a: WriteStamp | undefined, b: WriteStamp | undefined): WriteStamp | undefined {
  if (!a) return b;
  if (!b) return a;
  return compareStamps(a, b) >= 0 ? a : b;
}

/**
 * The stamp of a stored version, or undefined when the record has no usable
 * timestamp attribute (the caller then decides by other means).
 */
export function stampOfImage(image: Image, timestampAttributes: readonly string[] = DEFAULT_TIMESTAMP_ATTRIBUTES): WriteStamp | undefined {
  const timeMs = writeTimeOf(image, timestampAttributes);
  if (timeMs === undefined) return undefined;
  return { timeMs, version: versionOf(image), digest: imageDigest(image) };
}

/** The write time recorded in the image, in epoch milliseconds. */
export function writeTimeOf(image: Image, timestampAttributes: readonly string[] = DEFAULT_TIMESTAMP_ATTRIBUTES): number | undefined {
  for (const name of timestampAttributes) {
    const value = image[name];
    if (value?.S !== undefined) {
      const ms = Date.parse(value.S);
      if (Number.isFinite(ms)) return ms;
    }
    if (value?.N !== undefined) {
      const n = Number(value.N);
      // Epoch seconds (a TTL-style number) or milliseconds.
      if (Number.isFinite(n)) return n < 1e11 ? n * 1000 : n;
    }
  }
  return undefined;
}

/** The image's `version` number, 0 when it has none. */
export function versionOf(image: Image): number {
  const n = Number(image.version?.N);
  return Number.isFinite(n) ? n : 0;
}

/** A short hash of a record, independent of attribute and set-member order. */
export function imageDigest(image: Image): string {
  return createHash('sha256').update(canonicalJson(image, dynamoDbValue)).digest('hex').slice(0, 32);
}

/** A key (`{ pk, sk }` as attribute values) as a string usable in maps. */
export function keyString(key: Image): string {
  return canonicalJson(key, dynamoDbValue);
}

// DynamoDB's sets have no order, and binary values are written as base64.
function dynamoDbValue(value: unknown, key: string | undefined): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if ((key === 'SS' || key === 'NS' || key === 'BS') && Array.isArray(value)) return value.map((v) => dynamoDbValue(v, undefined)).sort();
  return value;
}
