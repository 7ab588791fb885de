import { SERVICE_TABLE } from '@platform/table-definition';

// Single-table layout: every record kind has its own partition-key prefix and a
// constant sort key, so kinds never collide and a Scan can tell them apart by `sk`.

/** Attribute names of the table's keys and TTL, from the shared table definition. */
export const PK = SERVICE_TABLE.partitionKey;
export const SK = SERVICE_TABLE.sortKey;
export const TTL = SERVICE_TABLE.ttlAttribute;

/** Sort key of item records. */
export const ITEM_SK = 'ITEM';
/** Sort key of idempotency records. */
export const IDEMPOTENCY_SK = 'IDEMPOTENCY';

const ITEM_PK = /^ITEM#[A-Za-z0-9_-]{22}$/;
const IDEMPOTENCY_PK = /^IDEMPOTENCY#[0-9a-f]{64}$/;

/** A table key, attribute name -> value. */
export type RecordKey = Record<string, string>;

/** Key of the item `id`. */
export function itemKey(id: string): RecordKey {
  return { [PK]: `ITEM#${id}`, [SK]: ITEM_SK };
}

/** Key of the idempotency record of a key hash (hex SHA-256). */
export function idempotencyRecordKey(keyHash: string): RecordKey {
  return { [PK]: `IDEMPOTENCY#${keyHash}`, [SK]: IDEMPOTENCY_SK };
}

/** Key of the record /health reads; it never exists, reading it proves the table answers. */
export const HEALTH_KEY: RecordKey = { [PK]: 'HEALTH', [SK]: 'HEALTH' };

/** True when `key` is exactly a key this layout produces (item or idempotency record). */
export function isKnownRecordKey(key: unknown): key is RecordKey {
  if (typeof key !== 'object' || key === null || Array.isArray(key)) return false;
  const entries = Object.entries(key);
  if (entries.length !== 2) return false;
  const pk = (key as Record<string, unknown>)[PK];
  const sk = (key as Record<string, unknown>)[SK];
  if (typeof pk !== 'string' || typeof sk !== 'string') return false;
  return (sk === ITEM_SK && ITEM_PK.test(pk)) || (sk === IDEMPOTENCY_SK && IDEMPOTENCY_PK.test(pk));
}
