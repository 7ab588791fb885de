import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import { SERVICE_TABLE } from '@platform/table-definition';
import {
  assertFitsInItem,
  conditionFailure,
  decodeKeyCursor,
  encodeKeyCursor,
  preconditionFailed,
  requestFingerprint,
  sha256Hex,
  translateDynamoDbError,
  versionCondition,
  versionMatches,
} from './dynamodb';
import type { WritePrecondition } from './request';
import { type CallOptions, newResourceId, RESOURCE_LIST_LIMITS, type StoredResource } from './resource';
import { idempotentPut } from './idempotent-put';
import { ServiceError } from './service-error';

const PK = SERVICE_TABLE.partitionKey;
const SK = SERVICE_TABLE.sortKey;
const TTL = SERVICE_TABLE.ttlAttribute;
const KIND = /^[A-Z][A-Z0-9_]{0,30}$/;
const IDEMPOTENCY_SK = 'IDEMPOTENCY';
const KEY_HASH = /^[0-9a-f]{64}$/;
// A page needs limit + 1 records (the extra one says whether there is a next page); a
// Scan page may hold records of other kinds, so a few Scans may be needed. Bounded so
// that one request cannot scan the whole table: past this, the page is returned short
// with a cursor where the scan stopped (which may be any record of the table).
const MAX_SCANS_PER_PAGE = 5;

/** Props of {@link ResourceRepository}. */
export interface ResourceRepositoryProps {
  /** A DynamoDB client for this region. */
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** The region this code runs in, recorded as `updatedRegion`. */
  readonly region: string;
  /** The record kind, upper case (`PRODUCT`): the partition-key prefix and sort key of its records. */
  readonly kind: string;
  /** What a record is called in error messages (`no item with id …`). @default 'record' */
  readonly noun?: string;
  /** How long an idempotency key is remembered. @default 86400 (24 hours) */
  readonly idempotencyTtlSeconds?: number;
  /**
   * The partition key of an idempotency record is this prefix and the hex SHA-256 of the
   * key (its sort key is `IDEMPOTENCY`). @default `IDEMPOTENCY#<kind>#`
   */
  readonly idempotencyPrefix?: string;
  /** The attribute of an idempotency record that holds the created record, which a retry replays. @default 'resource' */
  readonly replayAttribute?: string;
  /** What an `item_too_large` error tells the client to do. @default 'store less' */
  readonly sizeHint?: string;
  /** @default - the system clock */
  readonly clock?: () => Date;
  /**
   * The id of a new record, for every create (tests). @default - 128 random bits,
   * base64url; with an idempotency key, derived from the key and the body
   * ({@link idempotentResourceId})
   */
  readonly newId?: () => string;
}

/**
 * CRUD of one resource kind in the service table (single-table layout, the shared
 * table definition's keys): conditional writes only, a version per record
 * (optimistic concurrency through If-Match), idempotent create, paged listing with
 * opaque cursors, and a `ping` for /health. A generated service's data access is this
 * plus its schema; the items service composes it and adds PATCH.
 */
export class ResourceRepository<F extends object> {
  private readonly doc: DynamoDBDocumentClient;
  private readonly props: ResourceRepositoryProps;
  private readonly clock: () => Date;
  private readonly recordPk: RegExp;
  private readonly idempotencyPrefix: string;
  private readonly idempotencyTtlSeconds: number;

  constructor(props: ResourceRepositoryProps) {
    if (!props.tableName) throw new Error('ResourceRepository: tableName is empty; pass the service table name (TABLE_NAME)');
    if (!props.region) throw new Error('ResourceRepository: region is empty; pass the region this code runs in (AWS_REGION)');
    if (!KIND.test(props.kind)) throw new Error(`ResourceRepository: kind "${props.kind}" must be upper case letters, digits and _ (e.g. PRODUCT)`);
    this.props = props;
    this.doc = DynamoDBDocumentClient.from(props.client, { marshallOptions: { removeUndefinedValues: true } });
    this.clock = props.clock ?? (() => new Date());
    this.recordPk = new RegExp(`^${props.kind}#[A-Za-z0-9_-]{22}$`);
    this.idempotencyPrefix = props.idempotencyPrefix ?? `IDEMPOTENCY#${props.kind}#`;
    this.idempotencyTtlSeconds = props.idempotencyTtlSeconds ?? 86_400;
  }

  /**
   * Creates a record; with an idempotency key a retry with the same body replays the first
   * result, and a retry that reaches another region before the first attempt replicated
   * writes the same record ({@link idempotentResourceId}).
   */
  async create(fields: F, options: CallOptions & { readonly idempotencyKey?: string } = {}): Promise<{ readonly resource: StoredResource<F>; readonly replayed: boolean }> {
    const key = options.idempotencyKey;
    if (key === undefined) return this.insert(fields, options, this.props.newId?.() ?? newResourceId());
    const fingerprint = requestFingerprint(fields);
    if (this.props.newId) return this.insert(fields, options, this.props.newId(), { key, fingerprint });
    const id = idempotentResourceId(this.props.kind, key, fingerprint);
    try {
      return await this.insert(fields, options, id, { key, fingerprint, derivedId: true });
    } catch (err) {
      if (!(err instanceof DerivedIdTaken)) throw err;
    }
    // The key is free but its record exists: either the same create, whose record
    // replicated here before its idempotency record did (a global table replicates the two
    // items of a transaction separately), or one whose idempotency record has expired.
    const existing = await this.get(id, options);
    if (existing && Date.parse(existing.createdAt) > this.clock().getTime() - this.idempotencyTtlSeconds * 1000) return { resource: existing, replayed: true };
    // An expired key counts as unused: a new record.
    return this.insert(fields, options, newResourceId(), { key, fingerprint });
  }

  private async insert(
    fields: F,
    options: CallOptions,
    id: string,
    idempotency?: { readonly key: string; readonly fingerprint: string; readonly derivedId?: boolean },
  ): Promise<{ readonly resource: StoredResource<F>; readonly replayed: boolean }> {
    const now = this.clock();
    const timestamp = now.toISOString();
    const resource = withActors({ ...fields, id, version: 1, createdAt: timestamp, updatedAt: timestamp, updatedRegion: this.props.region }, options.actor, options.actor) as StoredResource<F>;
    const record = { ...this.key(resource.id), ...resource };
    this.assertFits(record);
    if (!idempotency) {
      const put = { TableName: this.props.tableName, Item: record, ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': PK } };
      try {
        await this.doc.send(new PutCommand(put), { abortSignal: options.abortSignal });
      } catch (err) {
        // 128 random bits make this all but impossible; the condition makes it harmless.
        if ((err as { name?: string })?.name === 'ConditionalCheckFailedException') throw this.idTaken();
        throw translateDynamoDbError(err);
      }
      return { resource, replayed: false };
    }
    const key = { [PK]: `${this.idempotencyPrefix}${sha256Hex(idempotency.key)}`, [SK]: IDEMPOTENCY_SK };
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const replay = this.props.replayAttribute ?? 'resource';
    // createdAt: the write time the local topology's last-writer-wins reads (write-stamp.ts).
    const idempotencyRecord = { ...key, [TTL]: nowSeconds + this.idempotencyTtlSeconds, fingerprint: idempotency.fingerprint, [replay]: resource, createdAt: timestamp };
    this.assertFits(idempotencyRecord);
    const stored = await idempotentPut({
      doc: this.doc,
      tableName: this.props.tableName,
      record,
      idempotencyRecord,
      idempotencyKey: key,
      nowSeconds,
      noun: this.noun,
      abortSignal: options.abortSignal,
      recordTaken: idempotency.derivedId ? () => new DerivedIdTaken() : undefined,
    });
    return stored ? { resource: stored[replay] as StoredResource<F>, replayed: true } : { resource, replayed: false };
  }

  /** The record, or undefined. Strongly consistent within this region. */
  async get(id: string, options: CallOptions = {}): Promise<StoredResource<F> | undefined> {
    const res = await this.send(() => this.doc.send(new GetCommand({ TableName: this.props.tableName, Key: this.key(id), ConsistentRead: true }), { abortSignal: options.abortSignal }));
    return res.Item ? strip<F>(res.Item) : undefined;
  }

  /** One page in table order (a filtered Scan: may come back short with a cursor). Eventually consistent. */
  async list(request: { readonly limit?: number; readonly cursor?: string } = {}, options: CallOptions = {}): Promise<{ readonly items: StoredResource<F>[]; readonly nextCursor?: string }> {
    const limit = request.limit ?? RESOURCE_LIST_LIMITS.default;
    if (!Number.isInteger(limit) || limit < RESOURCE_LIST_LIMITS.min || limit > RESOURCE_LIST_LIMITS.max) {
      throw new RangeError(`ResourceRepository.list: limit must be an integer ${RESOURCE_LIST_LIMITS.min}-${RESOURCE_LIST_LIMITS.max}, got ${limit}`);
    }
    let startKey = request.cursor === undefined ? undefined : this.decodeCursor(request.cursor);
    const found: Record<string, unknown>[] = [];
    for (let scan = 0; scan < MAX_SCANS_PER_PAGE; scan++) {
      const res = await this.send(() =>
        this.doc.send(
          new ScanCommand({
            TableName: this.props.tableName,
            Limit: limit + 1,
            ExclusiveStartKey: startKey,
            FilterExpression: '#sk = :kind',
            ExpressionAttributeNames: { '#sk': SK },
            ExpressionAttributeValues: { ':kind': this.props.kind },
          }),
          { abortSignal: options.abortSignal },
        ),
      );
      found.push(...(res.Items ?? []));
      if (found.length > limit) {
        // Resume after the last record returned, not where the Scan stopped: a Scan
        // accepts any primary key as its start, and the rest of this Scan page is read again.
        const last = found[limit - 1];
        return { items: found.slice(0, limit).map((r) => strip<F>(r)), nextCursor: encodeCursor({ [PK]: String(last[PK]), [SK]: String(last[SK]) }) };
      }
      if (!res.LastEvaluatedKey) return { items: found.map((r) => strip<F>(r)) };
      startKey = res.LastEvaluatedKey as Record<string, string>;
    }
    return { items: found.map((r) => strip<F>(r)), nextCursor: encodeCursor(startKey as Record<string, string>) };
  }

  /** Replaces the client fields of an existing record, honouring If-Match. */
  async replace(id: string, fields: F, precondition: WritePrecondition = {}, options: CallOptions = {}): Promise<StoredResource<F>> {
    const current = await this.get(id, options);
    if (!current) throw this.notFound(id);
    if (!versionMatches(precondition, current.version)) throw preconditionFailed(`${this.noun} ${id}`, precondition, current.version);
    const timestamp = this.clock().toISOString();
    const resource = withActors(
      { ...fields, id, version: current.version + 1, createdAt: current.createdAt, updatedAt: timestamp, updatedRegion: this.props.region },
      current.createdBy,
      options.actor ?? current.updatedBy,
    ) as StoredResource<F>;
    const record = { ...this.key(id), ...resource };
    this.assertFits(record);
    const names: Record<string, string> = { '#version': 'version' };
    const values: Record<string, unknown> = { ':read': current.version };
    const condition = `${versionCondition(precondition, PK, names, values)} AND #version = :read`;
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.props.tableName, Item: record, ConditionExpression: condition, ExpressionAttributeNames: names, ExpressionAttributeValues: values, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
        { abortSignal: options.abortSignal },
      );
      return resource;
    } catch (err) {
      throw this.failedCondition(err, id, precondition);
    }
  }

  /** Deletes an existing record, honouring If-Match. */
  async delete(id: string, precondition: WritePrecondition = {}, options: CallOptions = {}): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const condition = versionCondition(precondition, PK, names, values);
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.props.tableName,
          Key: this.key(id),
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
        { abortSignal: options.abortSignal },
      );
    } catch (err) {
      throw this.failedCondition(err, id, precondition);
    }
  }

  /** Reads one absent record: proves this region's table replica answers. */
  async ping(options: CallOptions = {}): Promise<void> {
    await this.send(() => this.doc.send(new GetCommand({ TableName: this.props.tableName, Key: { [PK]: 'HEALTH', [SK]: 'HEALTH' } }), { abortSignal: options.abortSignal }));
  }

  private key(id: string): Record<string, string> {
    return { [PK]: `${this.props.kind}#${id}`, [SK]: this.props.kind };
  }

  private failedCondition(err: unknown, id: string, precondition: WritePrecondition): unknown {
    const failure = conditionFailure(err);
    if (!failure) return translateDynamoDbError(err);
    if (failure.missing) return this.notFound(id);
    return preconditionFailed(`${this.noun} ${id}`, precondition, failure.currentVersion);
  }

  private get noun(): string {
    return this.props.noun ?? 'record';
  }

  private notFound(id: string): ServiceError {
    return new ServiceError('not_found', `no ${this.noun} with id ${id}`);
  }

  /** What a scan page may end on: a record of this kind, or (a page cut short) one of its idempotency records. */
  private decodeCursor(cursor: string): Record<string, string> {
    const idempotencyRecord = (pk: string, sk: string) => sk === IDEMPOTENCY_SK && pk.startsWith(this.idempotencyPrefix) && KEY_HASH.test(pk.slice(this.idempotencyPrefix.length));
    return decodeKeyCursor(cursor, PK, SK, (pk, sk) => (sk === this.props.kind && this.recordPk.test(pk)) || idempotencyRecord(pk, sk));
  }

  private assertFits(record: Record<string, unknown>): void {
    assertFitsInItem(record, this.props.sizeHint);
  }

  private idTaken(): ServiceError {
    const what = this.props.noun === undefined ? 'id' : `${this.props.noun} id`;
    return new ServiceError('conflict', `the new ${what} is already taken; retry the request`, { retryAfterSeconds: 0 });
  }

  private async send<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw translateDynamoDbError(err);
    }
  }
}

function encodeCursor(key: Record<string, string>): string {
  return encodeKeyCursor(key, PK, SK);
}

function strip<F>(record: Record<string, unknown>): StoredResource<F> {
  const { [PK]: _pk, [SK]: _sk, ...rest } = record;
  return rest as StoredResource<F>;
}

/** The record with its creator and last writer, each only when known (no undefined attributes). */
function withActors(record: Record<string, unknown>, createdBy: string | undefined, updatedBy: string | undefined): Record<string, unknown> {
  return { ...record, ...(createdBy === undefined ? {} : { createdBy }), ...(updatedBy === undefined ? {} : { updatedBy }) };
}

/** Thrown by `insert` when a derived id is taken while its idempotency key is free. */
class DerivedIdTaken extends Error {}

/**
 * The id of a record created with an idempotency key: the first 128 bits of the SHA-256
 * of the kind, the key and the body's fingerprint, base64url (the shape of
 * {@link newResourceId}). A retry of a create reaches another region when its first
 * region dies before answering (the front door's DNS failover), and that region may not
 * have the first attempt's idempotency record yet (replication is asynchronous). With a
 * random id the retry then created a second record, and both survived once the first
 * region recovered (the region-kill benchmark saw it, docs/benchmarks.md). With this id
 * both attempts write the same record, which last-writer-wins keeps once.
 */
export function idempotentResourceId(kind: string, idempotencyKey: string, fingerprint: string): string {
  return createHash('sha256').update(`${kind}\n${idempotencyKey}\n${fingerprint}`).digest().subarray(0, 16).toString('base64url');
}
