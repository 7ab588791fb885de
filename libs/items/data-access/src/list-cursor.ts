import { decodeKeyCursor, encodeKeyCursor } from '@platform/service-runtime';
import { ItemsError } from './items-error';
import { isKnownRecordKey, PK, SK, type RecordKey } from './record-keys';

/** Encodes where a list page ended as an opaque, URL-safe cursor (the service runtime's format). */
export function encodeListCursor(key: RecordKey): string {
  return encodeKeyCursor(key, PK, SK);
}

/** Decodes a cursor from {@link encodeListCursor}; throws `invalid_cursor` for anything else, or for a key this layout does not produce. */
export function decodeListCursor(cursor: string): RecordKey {
  try {
    return decodeKeyCursor(cursor, PK, SK, (pk, sk) => isKnownRecordKey({ [PK]: pk, [SK]: sk }));
  } catch (err) {
    throw ItemsError.from(err);
  }
}
