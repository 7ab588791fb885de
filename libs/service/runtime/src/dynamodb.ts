import { createHash } from 'node:crypto';
import { decodeOpaqueToken, encodeOpaqueToken } from './opaque-token';
import { ServiceError } from './service-error';
import type { WritePrecondition } from './request';

/** DynamoDB's maximum item size: 400 KB, attribute names included. */
export const DYNAMODB_MAX_ITEM_BYTES = 400 * 1024;
/** Retry-After of throttling, unavailability and timeouts, in seconds. */
export const RETRY_AFTER_SECONDS = 1;

const THROTTLE_ERRORS = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);
const UNAVAILABLE_ERRORS = new Set(['InternalServerError', 'ServiceUnavailable', 'ReplicatedWriteConflictException']);
const THROTTLE_REASONS = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

/**
 * The size DynamoDB counts for an item (a record as the document client would
 * marshal it), following the rules in the DynamoDB developer guide ("Item sizes and
 * formats"): names and strings count their UTF-8 bytes, a number at most 21 bytes,
 * a boolean or null 1 byte, a list or map 3 bytes plus 1 byte per element. Numbers
 * are counted at their maximum, so the estimate errs on the large side.
 */
export function itemSizeBytes(record: Readonly<Record<string, unknown>>): number {
  let total = 0;
  for (const [name, value] of Object.entries(record)) {
    if (value === undefined) continue;
    total += Buffer.byteLength(name, 'utf8') + valueSize(value);
  }
  return total;
}

function valueSize(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number' || typeof value === 'bigint') return 21;
  if (typeof value === 'boolean' || value === null) return 1;
  if (Array.isArray(value)) return value.reduce((sum: number, v) => sum + 1 + valueSize(v), 3);
  if (typeof value === 'object') {
    let sum = 3;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      sum += 1 + Buffer.byteLength(k, 'utf8') + valueSize(v);
    }
    return sum;
  }
  throw new TypeError(`itemSizeBytes: cannot size a value of type ${typeof value}`);
}

/** The reasons of a cancelled transaction, one per action, or undefined for another error. */
export function cancellationReasons(err: unknown): string[] | undefined {
  if ((err as { name?: string })?.name !== 'TransactionCanceledException') return undefined;
  const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return (reasons ?? []).map((r) => r.Code ?? 'None');
}

/** True when a cancelled transaction was throttled (and may be retried later). */
export function isThrottledCancellation(err: unknown): boolean {
  return cancellationReasons(err)?.some((r) => THROTTLE_REASONS.has(r)) ?? false;
}

/**
 * Turns the DynamoDB faults a client can act on into {@link ServiceError}s
 * (`throttled`, `unavailable`, `timeout`, `item_too_large`, each 503/413 with a
 * Retry-After where retrying helps); returns anything else unchanged.
 */
export function translateDynamoDbError(err: unknown): unknown {
  if (err instanceof ServiceError) return err;
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? '';
  if (THROTTLE_ERRORS.has(name) || isThrottledCancellation(err)) {
    return new ServiceError('throttled', 'DynamoDB is throttling requests in this region; retry after the Retry-After delay', { retryAfterSeconds: RETRY_AFTER_SECONDS, cause: err });
  }
  if (UNAVAILABLE_ERRORS.has(name) || (e?.$metadata?.httpStatusCode ?? 0) >= 500) {
    return new ServiceError('unavailable', 'DynamoDB is briefly unavailable in this region; retry after the Retry-After delay', { retryAfterSeconds: RETRY_AFTER_SECONDS, cause: err });
  }
  if (name === 'AbortError' || name === 'TimeoutError' || name === 'RequestTimeout') {
    return new ServiceError('timeout', 'DynamoDB did not answer in time; retry after the Retry-After delay', { retryAfterSeconds: RETRY_AFTER_SECONDS, cause: err });
  }
  if (name === 'ValidationException' && /item size/i.test(e.message ?? '')) {
    return new ServiceError('item_too_large', `the record is over DynamoDB's ${DYNAMODB_MAX_ITEM_BYTES / 1024} KB item limit; store less`, { cause: err });
  }
  return err;
}

/** Throws `item_too_large` when a record would not fit in one DynamoDB item. */
export function assertFitsInItem(record: Readonly<Record<string, unknown>>, hint = 'store less'): void {
  const size = itemSizeBytes(record);
  if (size > DYNAMODB_MAX_ITEM_BYTES) {
    throw new ServiceError('item_too_large', `the record would be ${Math.ceil(size / 1024)} KB, over DynamoDB's ${DYNAMODB_MAX_ITEM_BYTES / 1024} KB item limit; ${hint}`);
  }
}

// ---- optimistic concurrency ------------------------------------------------------

/** True when a record at `version` satisfies the precondition. */
export function versionMatches(precondition: WritePrecondition, version: number): boolean {
  const { ifMatch } = precondition;
  return ifMatch === undefined || ifMatch === '*' || ifMatch.includes(version);
}

/**
 * The condition expression of a conditional write: the record exists and, with
 * If-Match versions, is at one of them. Adds its names (`#pk`, `#version`) and values.
 */
export function versionCondition(precondition: WritePrecondition, partitionKey: string, names: Record<string, string>, values: Record<string, unknown>): string {
  names['#pk'] = partitionKey;
  const { ifMatch } = precondition;
  if (ifMatch === undefined || ifMatch === '*') return 'attribute_exists(#pk)';
  names['#version'] = 'version';
  const placeholders = ifMatch.map((v, i) => {
    values[`:v${i}`] = v;
    return `:v${i}`;
  });
  return `attribute_exists(#pk) AND #version IN (${placeholders.join(', ')})`;
}

/**
 * What a failed write condition found (asked with `ReturnValuesOnConditionCheckFailure:
 * ALL_OLD`): `missing`, or the record's current version; undefined for other errors.
 */
export function conditionFailure(err: unknown): { readonly missing: true } | { readonly missing: false; readonly currentVersion?: number } | undefined {
  if ((err as { name?: string })?.name !== 'ConditionalCheckFailedException') return undefined;
  // ALL_OLD comes back unmarshalled by neither the client nor the document client.
  const old = (err as { Item?: Record<string, { N?: string }> }).Item;
  if (!old || Object.keys(old).length === 0) return { missing: true };
  return { missing: false, currentVersion: old.version?.N === undefined ? undefined : Number(old.version.N) };
}

/** The 412 of a stale If-Match: says the current version and that the ETag header carries it. */
export function preconditionFailed(what: string, precondition: WritePrecondition, current: number | undefined): ServiceError {
  const expected = precondition.ifMatch === undefined || precondition.ifMatch === '*' ? 'the version it was read at' : precondition.ifMatch.map((v) => `"${v}"`).join(', ');
  const now = current === undefined ? 'another version' : `version "${current}"`;
  return new ServiceError('precondition_failed', `${what} is at ${now}, not ${expected}: it was changed by someone else. GET it again and retry with the new ETag in If-Match`, {
    currentVersion: current,
  });
}

// ---- idempotency ----------------------------------------------------------------

/** Hex SHA-256 of a text: how an idempotency key is stored (never the key itself). */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Rewrites a value before {@link canonicalJson} writes it: `key` is the property name the
 * value stands under (undefined at the top and in arrays). E.g. sorts the members of a set
 * whose order carries no meaning.
 */
export type CanonicalNormalizer = (value: unknown, key: string | undefined) => unknown;

/**
 * JSON with object keys sorted (by UTF-16 code units), so equal values give equal text
 * whatever the key order; properties whose value is undefined are left out, as JSON does.
 * The one canonical form of the workspace: request fingerprints (stored in idempotency
 * records, so its output must never change) and the local topology's record digests.
 */
export function canonicalJson(value: unknown, normalize?: CanonicalNormalizer): string {
  return canonicalText(value, undefined, normalize);
}

function canonicalText(raw: unknown, key: string | undefined, normalize: CanonicalNormalizer | undefined): string {
  const value = normalize ? normalize(raw, key) : raw;
  if (Array.isArray(value)) return `[${value.map((v) => canonicalText(v, undefined, normalize)).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalText(v, k, normalize)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The fingerprint of a request body: equal bodies (in any key order) give equal fingerprints. */
export function requestFingerprint(body: unknown): string {
  return sha256Hex(canonicalJson(body));
}

// ---- list cursors ---------------------------------------------------------------

const MAX_CURSOR_CHARS = 400;

/**
 * Where a list page ended, as an opaque URL-safe cursor. Not signed (a service has no
 * secret to sign with): {@link decodeKeyCursor} accepts only keys the caller's layout
 * produces, so a forged cursor can at most start a Scan where the caller chooses.
 */
export function encodeKeyCursor(key: Readonly<Record<string, string>>, partitionKey: string, sortKey: string): string {
  return encodeOpaqueToken({ v: 1, pk: key[partitionKey], sk: key[sortKey] });
}

/** Decodes a cursor from {@link encodeKeyCursor} whose key `accepts`; throws `invalid_cursor` for anything else. */
export function decodeKeyCursor(cursor: string, partitionKey: string, sortKey: string, accepts: (pk: string, sk: string) => boolean): Record<string, string> {
  const invalid = () => new ServiceError('invalid_cursor', 'cursor is not one this API returned: pass the nextCursor of the previous page back unchanged, or omit cursor to start from the beginning');
  const parsed = decodeOpaqueToken(cursor, MAX_CURSOR_CHARS);
  if (!parsed) throw invalid();
  const { v, pk, sk, ...rest } = parsed;
  if (v !== 1 || Object.keys(rest).length > 0 || typeof pk !== 'string' || typeof sk !== 'string' || !accepts(pk, sk)) throw invalid();
  return { [partitionKey]: pk, [sortKey]: sk };
}
