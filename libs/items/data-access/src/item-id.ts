import { isResourceId, newResourceId } from '@platform/service-runtime';

/** A new item id: 128 random bits as 22 base64url characters (URL-safe, unguessable); the runtime's. */
export const newItemId: () => string = newResourceId;

/** True when `value` has the shape of an id {@link newItemId} makes. */
export const isItemId: (value: string) => boolean = isResourceId;
