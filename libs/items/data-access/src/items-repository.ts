import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  assertFitsInItem,
  type CallOptions as RuntimeCallOptions,
  conditionFailure as failedCondition,
  preconditionFailed as runtimePreconditionFailed,
  RESOURCE_LIST_LIMITS,
  ResourceRepository,
  RETRY_AFTER_SECONDS,
  translateDynamoDbError,
  versionCondition,
  versionMatches,
  type WritePrecondition,
} from '@platform/service-runtime';
import type { Item, ItemFields, ItemPatch, AttributeValue } from './item';
import { parseItemFields } from './item-schema';
import { ItemsError } from './items-error';
import { IDEMPOTENCY_PREFIX, ITEM_SK, itemKey, PK, SK } from './record-keys';

/** Props of {@link ItemsRepository}. */
export interface ItemsRepositoryProps {
  /** A DynamoDB client for this region; the repository wraps it in a document client. */
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** The region this code runs in, recorded as `updatedRegion` on every write. */
  readonly region: string;
  /**
   * How long an idempotency key is remembered. DynamoDB's TTL deletes the record
   * some time after that; until then an expired record is treated as absent.
   * @default 86400 (24 hours)
   */
  readonly idempotencyTtlSeconds?: number;
  /** Read-modify-write attempts of a PATCH without If-Match before it answers `conflict`. @default 3 */
  readonly patchAttempts?: number;
  /** @default - the system clock */
  readonly clock?: () => Date;
  /** @default - newItemId's: 128 random bits, base64url */
  readonly newId?: () => string;
}

/** The precondition of a write: the HTTP If-Match header, parsed (the service runtime's). */
export type { WritePrecondition } from '@platform/service-runtime';

/** Per-call options: an abort signal, and the caller recorded as `createdBy` / `updatedBy` (the runtime's). */
export type CallOptions = RuntimeCallOptions;

/** Result of {@link ItemsRepository.create}. */
export interface CreateResult {
  readonly item: Item;
  /** True when an earlier request with the same idempotency key created the item. */
  readonly replayed: boolean;
}

/** One page of {@link ItemsRepository.list}. */
export interface ItemsPage {
  readonly items: readonly Item[];
  /** Pass back to get the next page; absent on the last page. */
  readonly nextCursor?: string;
}

/** The smallest and largest page size {@link ItemsRepository.list} accepts (the runtime's). */
export const LIST_LIMITS = RESOURCE_LIST_LIMITS;

const SIZE_HINT = 'store less in description or attributes';
const OPTIONAL_FIELDS = ['description', 'tags', 'attributes'] as const;

/**
 * CRUD of items in the service table: the service runtime's {@link ResourceRepository}
 * (create, idempotency, get, list, delete, ping) over item records, plus what is the
 * items service's own: a replace in one conditional update, and PATCH.
 *
 * Every write is conditional: create never overwrites, replace/patch/delete honour
 * an expected version (optimistic concurrency), and every write bumps `version` and
 * records the writing region. Conditions are evaluated by the table replica in this
 * region: between regions, global tables resolve concurrent writes by last writer
 * wins, and `updatedRegion` shows which region's write survived.
 */
export class ItemsRepository {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly region: string;
  private readonly patchAttempts: number;
  private readonly clock: () => Date;
  /** The runtime's repository over item records: all but replace and patch are its. */
  private readonly records: ResourceRepository<ItemFields>;

  constructor(props: ItemsRepositoryProps) {
    if (!props.tableName) throw new Error('ItemsRepository: tableName is empty; pass the service table name (TABLE_NAME)');
    if (!props.region) throw new Error('ItemsRepository: region is empty; pass the region this code runs in (AWS_REGION)');
    this.doc = DynamoDBDocumentClient.from(props.client, { marshallOptions: { removeUndefinedValues: true } });
    this.tableName = props.tableName;
    this.region = props.region;
    this.patchAttempts = props.patchAttempts ?? 3;
    this.clock = props.clock ?? (() => new Date());
    this.records = new ResourceRepository<ItemFields>({
      client: props.client,
      tableName: props.tableName,
      region: props.region,
      kind: ITEM_SK,
      noun: 'item',
      // The items table's layout predates the runtime's per-kind prefix: IDEMPOTENCY#<hash>, replayed from `item`.
      idempotencyPrefix: IDEMPOTENCY_PREFIX,
      replayAttribute: 'item',
      sizeHint: SIZE_HINT,
      idempotencyTtlSeconds: props.idempotencyTtlSeconds,
      clock: props.clock,
      newId: props.newId,
    });
  }

  /**
   * Creates an item with a new id. With an idempotency key, the item and a record of
   * the key are written in one transaction; a retry with the same key and body gets
   * the first result back (`replayed`), a retry with another body fails with
   * `idempotency_key_reused`.
   */
  async create(fields: ItemFields, options: CallOptions & { readonly idempotencyKey?: string } = {}): Promise<CreateResult> {
    const { resource, replayed } = await this.delegate(() => this.records.create(fieldsOf(fields), options));
    return { item: resource as Item, replayed };
  }

  /** The item, or undefined when there is none. Strongly consistent within this region. */
  async get(id: string, options: CallOptions = {}): Promise<Item | undefined> {
    return (await this.delegate(() => this.records.get(id, options))) as Item | undefined;
  }

  /**
   * One page of items, in table (hash) order, not sorted. Backed by a Scan filtered
   * to item records: there is no index to list by, and a Scan reads (and is billed
   * for) every record it passes, so a page may cost more than `limit` items and may
   * come back short (even empty) with a `nextCursor` when other records fill it.
   * Eventually consistent.
   */
  async list(request: { readonly limit?: number; readonly cursor?: string } = {}, options: CallOptions = {}): Promise<ItemsPage> {
    return (await this.delegate(() => this.records.list(request, options))) as ItemsPage;
  }

  /** Replaces the client fields of an existing item (absent optional fields are removed). */
  async replace(id: string, fields: ItemFields, precondition: WritePrecondition = {}, options: CallOptions = {}): Promise<Item> {
    const timestamp = this.clock().toISOString();
    // Worst case for the size check: the stored createdAt and version are not known
    // before the write, but their sizes are bounded.
    assertFits({ ...itemKey(id), ...fields, id, version: 0, createdAt: timestamp, updatedAt: timestamp, updatedRegion: this.region, createdBy: options.actor, updatedBy: options.actor });
    const names: Record<string, string> = { '#pk': PK, '#version': 'version', '#updatedAt': 'updatedAt', '#updatedRegion': 'updatedRegion' };
    const values: Record<string, unknown> = { ':one': 1, ':updatedAt': timestamp, ':updatedRegion': this.region };
    const set = ['#version = #version + :one', '#updatedAt = :updatedAt', '#updatedRegion = :updatedRegion'];
    const remove: string[] = [];
    if (options.actor !== undefined) {
      names['#updatedBy'] = 'updatedBy';
      values[':updatedBy'] = options.actor;
      set.push('#updatedBy = :updatedBy');
    }
    for (const field of ['name', ...OPTIONAL_FIELDS] as const) {
      names[`#${field}`] = field;
      if (fields[field] === undefined) remove.push(`#${field}`);
      else {
        set.push(`#${field} = :${field}`);
        values[`:${field}`] = fields[field];
      }
    }
    const condition = versionCondition(precondition, PK, names, values);
    try {
      const res = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: itemKey(id),
          UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
        { abortSignal: options.abortSignal },
      );
      return toItem(res.Attributes ?? {});
    } catch (err) {
      throw conditionFailure(err, id, precondition) ?? translateError(err);
    }
  }

  /**
   * Applies a JSON Merge Patch: reads the item, merges, validates the result as a
   * whole (limits, size) and writes it on condition that nobody wrote in between.
   * Without If-Match a lost race is retried; with If-Match it is a 412.
   */
  async patch(id: string, patch: ItemPatch, precondition: WritePrecondition = {}, options: CallOptions = {}): Promise<Item> {
    for (let attempt = 1; attempt <= this.patchAttempts; attempt++) {
      const current = await this.get(id, options);
      if (!current) throw notFound(id);
      if (!versionMatches(precondition, current.version)) throw preconditionFailed(id, precondition, current.version);
      const fields = parseItemFields(applyPatch(fieldsOf(current), patch));
      const item = pruneItem({
        ...fields,
        id,
        version: current.version + 1,
        createdAt: current.createdAt,
        updatedAt: this.clock().toISOString(),
        updatedRegion: this.region,
        createdBy: current.createdBy,
        updatedBy: options.actor ?? current.updatedBy,
      });
      const record = { ...itemKey(id), ...item };
      assertFits(record);
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: record,
            ConditionExpression: '#version = :read',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':read': current.version },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
          { abortSignal: options.abortSignal },
        );
        return item;
      } catch (err) {
        const failure = conditionFailure(err, id, precondition);
        if (!failure) throw translateError(err);
        // Someone else wrote between our read and our write.
        if (failure.code === 'not_found' || precondition.ifMatch !== undefined) throw failure;
      }
    }
    throw new ItemsError('conflict', `item ${id} kept changing while the patch was applied; retry the request`, { retryAfterSeconds: RETRY_AFTER_SECONDS });
  }

  /** Deletes an existing item. */
  async delete(id: string, precondition: WritePrecondition = {}, options: CallOptions = {}): Promise<void> {
    await this.delegate(() => this.records.delete(id, precondition, options));
  }

  /** Reads one (absent) record: proves this region's table replica answers. */
  async ping(options: CallOptions = {}): Promise<void> {
    await this.delegate(() => this.records.ping(options));
  }

  /** Runs a call of the runtime's repository; its errors reach items callers as ItemsErrors. */
  private async delegate<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw ItemsError.from(err);
    }
  }
}

// ---------------------------------------------------------------------------------

function pruneItem(item: Item): Item {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (v !== undefined) out[k] = v;
  return out as unknown as Item;
}

function fieldsOf(item: ItemFields): ItemFields {
  const { name, description, tags, attributes } = item;
  return pruneItem({ name, description, tags, attributes } as Item);
}

function toItem(record: Record<string, unknown>): Item {
  const { [PK]: _pk, [SK]: _sk, ...rest } = record;
  return rest as unknown as Item;
}

function applyPatch(current: ItemFields, patch: ItemPatch): unknown {
  const out: Record<string, unknown> = { ...current };
  if (patch.name !== undefined) out.name = patch.name;
  for (const field of ['description', 'tags'] as const) {
    if (patch[field] === null) delete out[field];
    else if (patch[field] !== undefined) out[field] = patch[field];
  }
  if (patch.attributes === null) delete out.attributes;
  else if (patch.attributes !== undefined) {
    // Object.entries/fromEntries rather than assignment: keys are client data and
    // must never reach a prototype.
    const merged = new Map<string, AttributeValue>(Object.entries(current.attributes ?? {}));
    for (const [key, value] of Object.entries(patch.attributes)) {
      if (value === null) merged.delete(key);
      else merged.set(key, value);
    }
    out.attributes = Object.fromEntries(merged);
  }
  return out;
}

function assertFits(record: Record<string, unknown>): void {
  try {
    assertFitsInItem(record, SIZE_HINT);
  } catch (err) {
    throw ItemsError.from(err);
  }
}

/** Maps a failed write condition to not_found / precondition_failed; undefined for other errors. */
function conditionFailure(err: unknown, id: string, precondition: WritePrecondition): ItemsError | undefined {
  const failure = failedCondition(err);
  if (!failure) return undefined;
  return failure.missing ? notFound(id) : preconditionFailed(id, precondition, failure.currentVersion);
}

function notFound(id: string): ItemsError {
  return new ItemsError('not_found', `no item with id ${id}`);
}

function preconditionFailed(id: string, precondition: WritePrecondition, current: number | undefined): ItemsError {
  return ItemsError.from(runtimePreconditionFailed(`item ${id}`, precondition, current)) as ItemsError;
}

/** The runtime's translation of DynamoDB faults, as ItemsErrors. */
function translateError(err: unknown): unknown {
  return ItemsError.from(translateDynamoDbError(err));
}
