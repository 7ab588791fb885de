import { randomBytes } from 'node:crypto';

const ITEM_ID = /^[A-Za-z0-9_-]{22}$/;

/** A new item id: 128 random bits as 22 base64url characters (URL-safe, unguessable). */
export function newItemId(): string {
  return randomBytes(16).toString('base64url');
}

/** True when `value` has the shape of an id {@link newItemId} makes. */
export function isItemId(value: string): boolean {
  return ITEM_ID.test(value);
}
