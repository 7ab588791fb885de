/**
 * The key schema of every service table. The global stack creates the table from
 * it and the data-access code (and its tests against DynamoDB Local) create and use
 * the same schema, so the two cannot drift. Kept free of any dependency so that
 * Lambda bundles can import it without pulling in cdktf.
 */
export interface TableDefinition {
  /** Partition key attribute (string). */
  readonly partitionKey: string;
  /** Sort key attribute (string). */
  readonly sortKey: string;
  /** Attribute holding an epoch-seconds expiry; DynamoDB TTL deletes expired items. */
  readonly ttlAttribute: string;
}

/** The single-table layout every service uses. */
export const SERVICE_TABLE: TableDefinition = Object.freeze({
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
});
