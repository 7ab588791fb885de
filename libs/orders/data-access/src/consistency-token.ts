import { decodeOpaqueToken, encodeOpaqueToken } from '@platform/service-runtime';
import { OrdersError } from './orders-error';
import { isOrderId } from './order';

/**
 * What a client wrote last: an order and the version its write produced. Returned on
 * every write (`Consistency-Token` header) and sent back on reads, so that a read in
 * any region sees at least that write (read-your-writes across Lambda instances, which
 * share no session). A replica applies commits in commit order, so a replica that has
 * this version of this order has every earlier write of the client too.
 */
export interface ConsistencyToken {
  readonly orderId: string;
  readonly version: number;
}

export function encodeConsistencyToken(token: ConsistencyToken): string {
  return encodeOpaqueToken({ o: token.orderId, v: token.version });
}

/** Decodes a token from {@link encodeConsistencyToken}; throws `invalid_consistency_token` (400) for anything else. */
export function decodeConsistencyToken(raw: string): ConsistencyToken {
  const invalid = () =>
    new OrdersError('invalid_consistency_token', 'Consistency-Token is not one this API returned: send back the Consistency-Token header of your last write unchanged, or omit it');
  const parsed = decodeOpaqueToken(raw, 200);
  if (!parsed) throw invalid();
  const { o, v, ...rest } = parsed;
  if (typeof o !== 'string' || !isOrderId(o) || typeof v !== 'number' || !Number.isInteger(v) || v < 1 || Object.keys(rest).length) throw invalid();
  return { orderId: o, version: v };
}
