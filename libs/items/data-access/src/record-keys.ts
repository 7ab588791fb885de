import { SERVICE_TABLE } from '@platform/table-definition';

// Single-table layout: every record kind has its own partition-key prefix and a
// constant sort key, so kinds never collide and a Scan can tell them apart by `sk`.

/** Attribute names of the table's keys, from the shared table definition. */
export const PK = SERVICE_TABLE.partitionKey;
export const SK = SERVICE_TABLE.sortKey;

/** Sort key of item records. */
export const ITEM_SK = 'ITEM';
/**
 * Partition-key prefix of idempotency records (then the key's hex SHA-256; sort key
 * `IDEMPOTENCY`). Not the runtime's per-kind default: the items table had records first.
 */
export const IDEMPOTENCY_PREFIX = 'IDEMPOTENCY#';

/** Key of the item `id`. */
export function itemKey(id: string): Record<string, string> {
  return { [PK]: `ITEM#${id}`, [SK]: ITEM_SK };
}
