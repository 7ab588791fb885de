import { decodeOpaqueToken, encodeOpaqueToken } from '@platform/service-runtime';
import { OrdersError } from './orders-error';
import { isOrderId } from './order';

/** Where a page of a customer's orders ended (newest first). */
export interface ListPosition {
  readonly createdAt: string;
  readonly id: string;
}

export function encodeListCursor(position: ListPosition): string {
  return encodeOpaqueToken({ c: position.createdAt, i: position.id });
}

/** Decodes a cursor from {@link encodeListCursor}; throws `invalid_cursor` (400) for anything else. */
export function decodeListCursor(cursor: string): ListPosition {
  const invalid = () => new OrdersError('invalid_cursor', 'cursor is not one this API returned: pass the nextCursor of the previous page back unchanged');
  const parsed = decodeOpaqueToken(cursor, 300);
  if (!parsed) throw invalid();
  const { c, i, ...rest } = parsed;
  if (typeof c !== 'string' || Number.isNaN(Date.parse(c)) || typeof i !== 'string' || !isOrderId(i) || Object.keys(rest).length) throw invalid();
  return { createdAt: c, id: i };
}
