import { OrdersError } from './orders-error';
import { isOrderId } from './order';

/** Where a page of a customer's orders ended (newest first). */
export interface ListPosition {
  readonly createdAt: string;
  readonly id: string;
}

export function encodeListCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify({ c: position.createdAt, i: position.id }), 'utf8').toString('base64url');
}

/** Decodes a cursor from {@link encodeListCursor}; throws `invalid_cursor` (400) for anything else. */
export function decodeListCursor(cursor: string): ListPosition {
  const invalid = () => new OrdersError('invalid_cursor', 'cursor is not one this API returned: pass the nextCursor of the previous page back unchanged');
  if (cursor.length === 0 || cursor.length > 300 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const { c, i, ...rest } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof c !== 'string' || Number.isNaN(Date.parse(c)) || typeof i !== 'string' || !isOrderId(i) || Object.keys(rest).length) throw invalid();
  return { createdAt: c, id: i };
}
