import { ItemsError } from './items-error';
import { isKnownRecordKey, PK, SK, type RecordKey } from './record-keys';

const MAX_CURSOR_CHARS = 400;

/**
 * Encodes where a list page ended as an opaque, URL-safe cursor. The cursor is not
 * signed (the service has no secret to sign with), but {@link decodeListCursor} accepts
 * only keys this layout produces, so a forged cursor can at most start a Scan at a
 * position of the caller's choosing, which reveals nothing a full listing would not.
 */
export function encodeListCursor(key: RecordKey): string {
  return Buffer.from(JSON.stringify({ v: 1, pk: key[PK], sk: key[SK] }), 'utf8').toString('base64url');
}

/** Decodes a cursor from {@link encodeListCursor}; throws `invalid_cursor` for anything else. */
export function decodeListCursor(cursor: string): RecordKey {
  const invalid = () =>
    new ItemsError('invalid_cursor', 'cursor is not one this API returned: pass the nextCursor of the previous page back unchanged, or omit cursor to start from the beginning');
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid();
  const { v, pk, sk, ...rest } = parsed as Record<string, unknown>;
  const key = { [PK]: pk, [SK]: sk };
  if (v !== 1 || Object.keys(rest).length > 0 || !isKnownRecordKey(key)) throw invalid();
  return key;
}
