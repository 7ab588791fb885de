import { randomBytes } from 'node:crypto';
import type { PageLimits } from './request';

// What every repository of the runtime shares, whatever stores the records: kept free of
// any database client, so an app imports no SDK it does not use.

const ID = /^[A-Za-z0-9_-]{22}$/;

/** What the server keeps on every record besides the client's fields. */
export interface RecordMetadata {
  /** Server-assigned, URL-safe and unguessable (128 random bits, base64url). */
  readonly id: string;
  /** 1 on create, incremented by every write; the HTTP ETag. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The region of the last write (global tables resolve concurrent writes last-writer-wins). */
  readonly updatedRegion: string;
  /** The authenticated caller who created the record, when the create named one ({@link CallOptions.actor}). */
  readonly createdBy?: string;
  /** The authenticated caller of the last write that named one. */
  readonly updatedBy?: string;
}

/** A stored resource: the client's fields plus {@link RecordMetadata}. */
export type StoredResource<F> = F & RecordMetadata;

/** Per-call options. */
export interface CallOptions {
  readonly abortSignal?: AbortSignal;
  /**
   * The authenticated caller (the token's `sub`), recorded as `createdBy` / `updatedBy`
   * by writes. @default - not recorded
   */
  readonly actor?: string;
}

/** The smallest and largest page size a repository's `list` accepts. */
export const RESOURCE_LIST_LIMITS: PageLimits = Object.freeze({ min: 1, max: 100, default: 20 });

/** True when `value` has the shape of an id the repository issues. */
export function isResourceId(value: string): boolean {
  return ID.test(value);
}

/** A new record id: 128 random bits, base64url (22 characters). */
export function newResourceId(): string {
  return randomBytes(16).toString('base64url');
}
