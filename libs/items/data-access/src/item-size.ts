/** DynamoDB's maximum item size: 400 KB, attribute names included. */
export const DYNAMODB_MAX_ITEM_BYTES = 400 * 1024;

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
