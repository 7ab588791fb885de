import { setMaxListeners } from 'node:events';
import { DeleteItemCommand, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient, _Record } from '@aws-sdk/client-dynamodb-streams';
import type { ReplicaLedger } from './replica-ledger';
import { StreamReader, type ShardRecord } from './stream-reader';
import type { VersionStamps } from './version-stamps';
import { compareStamps, DELETE_DIGEST, imageDigest, keyString, newerStamp, stampOfImage, versionOf, writeTimeOf, type Image, type WriteStamp } from './write-stamp';

/** One end of a {@link ReplicationLink}: a region's table replica. */
export interface ReplicaEndpoint {
  readonly region: string;
  readonly tableName: string;
  /** Client of the region's DynamoDB (the target side writes through it). */
  readonly client: DynamoDBClient;
  /** Client of the region's DynamoDB Streams (the source side reads through it). */
  readonly streamsClient: DynamoDBStreamsClient;
  readonly streamArn: string;
  /** Attribute names of the table's key, partition key first. */
  readonly keyAttributes: readonly string[];
  readonly ledger: ReplicaLedger;
  /** Stamps of versions, shared by every replica of the table. */
  readonly versions: VersionStamps;
}

/** What happened to one replicated change in the target region. */
export type ApplyOutcome =
  /** Written to the target. */
  | 'applied'
  /** The target already holds this version or a newer one (last writer wins). */
  | 'superseded';

/** Emitted for every change of the source that reached a decision in the target. */
export interface ReplicationEvent {
  readonly source: string;
  readonly target: string;
  readonly kind: 'put' | 'remove';
  /** The key, as a canonical JSON string. */
  readonly key: string;
  readonly outcome: ApplyOutcome;
  readonly stamp: WriteStamp;
  /** When the decision was made (epoch ms). */
  readonly at: number;
  /** `at` minus the write time of the change: the replication lag it saw. */
  readonly lagMs: number;
}

/** Counters of a {@link ReplicationLink}. */
export interface ReplicationLinkStats {
  readonly source: string;
  readonly target: string;
  applied: number;
  superseded: number;
  /** Records of the source that the replication itself wrote: not sent again. */
  skippedReplicated: number;
  sourceErrors: number;
  targetErrors: number;
  /** True while the source's stream cannot be read. */
  sourceUnreachable: boolean;
  /** True while the target cannot be written. */
  targetUnreachable: boolean;
  lastError?: string;
}

/** Props of {@link ReplicationLink}. */
export interface ReplicationLinkProps {
  readonly source: ReplicaEndpoint;
  readonly target: ReplicaEndpoint;
  /** A change is applied no earlier than this long after the link first read it. @default 0 */
  readonly delayMs?: number;
  /** Wait between reads of a stream that had nothing new. @default 50 */
  readonly pollIntervalMs?: number;
  /** First wait after a failure; doubles up to 1 s. @default 100 */
  readonly retryDelayMs?: number;
  /** @default ['updatedAt', 'createdAt'] */
  readonly timestampAttributes?: readonly string[];
  /** Items of one batch applied at the same time. @default 16 */
  readonly parallelism?: number;
  /** Called for every decision (applied or superseded). */
  readonly onEvent?: (event: ReplicationEvent) => void;
  /** Called when the source or target becomes unreachable or reachable again. */
  readonly onStateChange?: (message: string) => void;
}

const MAX_CONDITIONAL_ATTEMPTS = 20;

/**
 * Replicates one region's table into another, the way a global table replicates a
 * replica's changes to each other replica: asynchronously, driven by the source
 * table's stream, with last-writer-wins on concurrent writes.
 *
 * For each change read from the source's stream:
 * - a change the replication itself wrote into the source is skipped (replicated
 *   writes are not replicated again);
 * - the change gets a {@link WriteStamp} (shared by every link reading that stream);
 * - after `delayMs`, the target's current version (or its tombstone) is read; when it
 *   is at least as new, the change is dropped as superseded; otherwise it is written
 *   with a condition that the target did not change since it was read (a concurrent
 *   local write makes the link read again and decide again).
 *
 * A link whose source or target is unreachable retries the same record, with backoff,
 * until it succeeds or the link stops: nothing is skipped, so a region that comes back
 * catches up from the streams in order.
 */
export class ReplicationLink {
  readonly stats: ReplicationLinkStats;
  private readonly reader: StreamReader;
  private delayMs: number;
  private readonly pollIntervalMs: number;
  private readonly retryDelayMs: number;
  private readonly parallelism: number;
  private readonly timestampAttributes: readonly string[] | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private abort = new AbortController();
  private readonly sleepers = new Set<() => void>();
  /** Start time of the last poll that found nothing new in the source's stream. */
  private lastEmptyPollStartedAt = 0;
  /** When this link last finished handling a record (a write it made shows up in the target's stream). */
  private lastActivityAt = 0;
  private readonly firstSeen = new Map<string, number>();

  constructor(private readonly props: ReplicationLinkProps) {
    this.delayMs = props.delayMs ?? 0;
    this.pollIntervalMs = props.pollIntervalMs ?? 50;
    this.retryDelayMs = props.retryDelayMs ?? 100;
    this.parallelism = props.parallelism ?? 16;
    this.timestampAttributes = props.timestampAttributes;
    this.reader = new StreamReader({ client: props.source.streamsClient, streamArn: props.source.streamArn });
    this.stats = {
      source: props.source.region,
      target: props.target.region,
      applied: 0,
      superseded: 0,
      skippedReplicated: 0,
      sourceErrors: 0,
      targetErrors: 0,
      sourceUnreachable: false,
      targetUnreachable: false,
    };
  }

  get source(): string {
    return this.props.source.region;
  }

  get target(): string {
    return this.props.target.region;
  }

  /** Changes the replication delay from the next change on (to make conflicts observable on demand). */
  setDelayMs(ms: number): void {
    this.delayMs = Math.max(0, ms);
  }

  /**
   * Starts reading the source's stream; after a {@link stop}, again after the last change
   * it applied (a change in hand at the stop is read and decided again).
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    // Every call of the link listens on this one signal, many at a time.
    setMaxListeners(0, this.abort.signal);
    this.reader.rewind();
    // After a stop() that was not awaited, the old loop may still be finishing its
    // last call: the new one starts after it, so there is never more than one.
    const previous = this.loop;
    this.loop = previous ? previous.then(() => this.run()) : this.run();
  }

  /**
   * Stops at once: calls in flight are aborted, the change in hand is abandoned (it is
   * not committed, so a later {@link start} reads it again). Resolves when stopped.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    for (const wake of [...this.sleepers]) wake();
    await this.loop;
  }

  /**
   * True when a read of the source's stream that started after `since` found nothing
   * left to replicate: every change made before `since` has been decided in the target.
   */
  caughtUpSince(since: number): boolean {
    return this.lastEmptyPollStartedAt > since;
  }

  /** When this link last handled a record (epoch ms); 0 if never. */
  get lastActivity(): number {
    return this.lastActivityAt;
  }

  private async run(): Promise<void> {
    let backoff = this.retryDelayMs;
    while (this.running) {
      const started = Date.now();
      let batch: ShardRecord[];
      try {
        batch = await this.reader.poll(this.abort.signal);
        this.setSourceUnreachable(false);
        backoff = this.retryDelayMs;
      } catch (err) {
        if (!this.running) break;
        this.stats.sourceErrors++;
        this.stats.lastError = describe(err);
        this.setSourceUnreachable(true, err);
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 1000);
        continue;
      }
      if (batch.length === 0) {
        this.lastEmptyPollStartedAt = started;
        await this.sleep(this.pollIntervalMs);
        continue;
      }
      // Changes of one item keep their order; different items go in parallel (global
      // tables do not order changes across items either).
      const byKey = new Map<string, ShardRecord[]>();
      for (const item of batch) {
        const key = keyString((item.record.dynamodb?.Keys ?? {}) as Image);
        byKey.set(key, [...(byKey.get(key) ?? []), item]);
      }
      const chains = [...byKey.values()];
      let completed = true;
      await forEachLimited(chains, this.parallelism, async (chain) => {
        for (const item of chain) if (!(await this.handleWithRetries(item))) return void (completed = false);
      });
      if (!completed) return;
      // A batch comes from one shard: reading resumes after its last record.
      this.reader.commit(batch[batch.length - 1]);
      this.lastActivityAt = Date.now();
    }
  }

  /** Handles one record, retrying until it succeeds; false when the link stopped first. */
  private async handleWithRetries(item: ShardRecord): Promise<boolean> {
    let backoff = this.retryDelayMs;
    while (this.running) {
      try {
        await this.handle(item.record);
        this.setTargetUnreachable(false);
        return true;
      } catch (err) {
        if (!this.running) return false;
        this.stats.targetErrors++;
        this.stats.lastError = describe(err);
        this.setTargetUnreachable(true, err);
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 1000);
      }
    }
    return false;
  }

  private async handle(record: _Record): Promise<void> {
    const { source } = this.props;
    const data = record.dynamodb;
    const seq = data?.SequenceNumber;
    if (!data?.Keys || !seq) return;
    const keyImage = data.Keys as Image;
    const key = keyString(keyImage);
    const recordId = `${seq}`;
    if (record.eventName === 'REMOVE') {
      const old = (data.OldImage ?? keyImage) as Image;
      if (source.ledger.isReplicated('remove', key, imageDigest(old))) {
        this.stats.skippedReplicated++;
        return;
      }
      const stamp = source.ledger.originStamp(recordId, key, () => ({
        timeMs: deleteTime(record, writeTimeOf(old, this.timestampAttributes)),
        version: versionOf(old) + 1,
        digest: DELETE_DIGEST,
      }));
      await this.settleOriginDelete(recordId, keyImage, key, stamp);
      await this.waitForDelay(recordId);
      const outcome = await this.applyDelete(keyImage, key, stamp);
      this.emit('remove', key, outcome, stamp);
    } else {
      const image = data.NewImage as Image | undefined;
      if (!image) return;
      const digest = imageDigest(image);
      if (source.ledger.isReplicated('put', key, digest)) {
        this.stats.skippedReplicated++;
        return;
      }
      const stamp = source.ledger.originStamp(
        recordId,
        key,
        () => stampOfImage(image, this.timestampAttributes) ?? { timeMs: Date.now(), version: versionOf(image), digest },
      );
      source.versions.remember(digest, stamp);
      await this.waitForDelay(recordId);
      const outcome = await this.applyPut(keyImage, key, image, digest, stamp);
      this.emit('put', key, outcome, stamp);
    }
    this.firstSeen.delete(recordId);
  }

  /**
   * The source's own bookkeeping of a delete made there: its tombstone, and the undoing
   * of an older replicated write that reached the source between the delete and the
   * moment it was read from the stream (it would otherwise survive there only).
   */
  private async settleOriginDelete(recordId: string, keyImage: Image, key: string, stamp: WriteStamp): Promise<void> {
    const { source } = this.props;
    if (source.ledger.isRepaired(recordId)) return;
    source.ledger.addTombstone(key, stamp);
    await this.deleteIfOlder(source, keyImage, key, stamp);
    source.ledger.markRepaired(recordId);
  }

  private async applyPut(keyImage: Image, key: string, image: Image, digest: string, stamp: WriteStamp): Promise<ApplyOutcome> {
    const { target } = this.props;
    for (let attempt = 1; attempt <= MAX_CONDITIONAL_ATTEMPTS; attempt++) {
      const current = await this.read(target, keyImage);
      if (!this.isOlder(target, key, current, stamp)) return 'superseded';
      const token = target.ledger.expect('put', key, digest);
      try {
        await target.client.send(
          new PutItemCommand({ TableName: target.tableName, Item: image, ...unchangedCondition(current, target.keyAttributes) }),
          { abortSignal: this.abort.signal },
        );
        return 'applied';
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        target.ledger.forget(token);
      }
    }
    throw new Error(`item ${key} in ${target.region} kept changing while a replicated write was applied`);
  }

  private async applyDelete(keyImage: Image, key: string, stamp: WriteStamp): Promise<ApplyOutcome> {
    const { target } = this.props;
    const current = await this.read(target, keyImage);
    const newest = newerStamp(current ? this.stampOf(current) : undefined, target.ledger.tombstone(key));
    if (newest && compareStamps(newest, stamp) >= 0) return 'superseded';
    target.ledger.addTombstone(key, stamp);
    await this.deleteIfOlder(target, keyImage, key, stamp);
    return 'applied';
  }

  /** Deletes the item from `replica` unless what it holds is at least as new as `stamp`. */
  private async deleteIfOlder(replica: ReplicaEndpoint, keyImage: Image, key: string, stamp: WriteStamp): Promise<void> {
    for (let attempt = 1; attempt <= MAX_CONDITIONAL_ATTEMPTS; attempt++) {
      const current = await this.read(replica, keyImage);
      if (!current) return;
      const currentStamp = this.stampOf(current);
      if (currentStamp && compareStamps(currentStamp, stamp) >= 0) return;
      const token = replica.ledger.expect('remove', key, imageDigest(current));
      try {
        await replica.client.send(new DeleteItemCommand({ TableName: replica.tableName, Key: keyImage, ...unchangedCondition(current, replica.keyAttributes) }), {
          abortSignal: this.abort.signal,
        });
        return;
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        replica.ledger.forget(token);
      }
    }
    throw new Error(`item ${key} in ${replica.region} kept changing while a replicated delete was applied`);
  }

  /** True when the replica's version of the key (item or tombstone) is older than `stamp`. */
  private isOlder(replica: ReplicaEndpoint, key: string, current: Image | undefined, stamp: WriteStamp): boolean {
    const newest = newerStamp(current ? this.stampOf(current) : undefined, replica.ledger.tombstone(key));
    return !newest || compareStamps(newest, stamp) < 0;
  }

  /** The stamp a stored version is judged by: its origin's, else the time it records. */
  private stampOf(image: Image): WriteStamp | undefined {
    const digest = imageDigest(image);
    return this.props.source.versions.get(digest) ?? stampOfImage(image, this.timestampAttributes);
  }

  private async read(replica: ReplicaEndpoint, keyImage: Image): Promise<Image | undefined> {
    const res = await replica.client.send(new GetItemCommand({ TableName: replica.tableName, Key: keyImage, ConsistentRead: true }), {
      abortSignal: this.abort.signal,
    });
    return res.Item as Image | undefined;
  }

  private async waitForDelay(recordId: string): Promise<void> {
    if (this.delayMs <= 0) return;
    let seen = this.firstSeen.get(recordId);
    if (seen === undefined) {
      seen = Date.now();
      this.firstSeen.set(recordId, seen);
    }
    const wait = seen + this.delayMs - Date.now();
    if (wait > 0) await this.sleep(wait);
    if (!this.running) throw new Error('replication link stopped');
  }

  private emit(kind: 'put' | 'remove', key: string, outcome: ApplyOutcome, stamp: WriteStamp): void {
    if (outcome === 'applied') this.stats.applied++;
    else this.stats.superseded++;
    const at = Date.now();
    this.props.onEvent?.({ source: this.source, target: this.target, kind, key, outcome, stamp, at, lagMs: at - stamp.timeMs });
  }

  private setSourceUnreachable(value: boolean, err?: unknown): void {
    if (this.stats.sourceUnreachable === value) return;
    this.stats.sourceUnreachable = value;
    this.props.onStateChange?.(
      value
        ? `replication ${this.source} -> ${this.target}: paused, cannot read the ${this.source} stream (${describe(err)}); retrying`
        : `replication ${this.source} -> ${this.target}: reading the ${this.source} stream again`,
    );
  }

  private setTargetUnreachable(value: boolean, err?: unknown): void {
    if (this.stats.targetUnreachable === value) return;
    this.stats.targetUnreachable = value;
    this.props.onStateChange?.(
      value
        ? `replication ${this.source} -> ${this.target}: paused, cannot write to ${this.target} (${describe(err)}); the change is retried, nothing is skipped`
        : `replication ${this.source} -> ${this.target}: writing to ${this.target} again`,
    );
  }

  private sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

}

/**
 * When a delete happened, as well as it can be told: a delete carries no time of its
 * own. It happened before its stream record was first read (now), within the minute
 * the record's ApproximateCreationDateTime names (streams round it down to the
 * minute), and after the version it removed was written.
 */
function deleteTime(record: _Record, removedVersionTimeMs: number | undefined): number {
  let time = Date.now();
  const minute = record.dynamodb?.ApproximateCreationDateTime?.getTime();
  // Read long after the fact (its region was down): the end of its minute is closer.
  if (minute !== undefined && Number.isFinite(minute)) time = Math.max(minute, Math.min(time, minute + 59_999));
  return Math.max(time, (removedVersionTimeMs ?? 0) + 1);
}

/** A condition that holds only while the record is exactly as read (or still absent). */
function unchangedCondition(
  current: Image | undefined,
  keyAttributes: readonly string[],
): { ConditionExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues?: Image } {
  if (!current) return { ConditionExpression: 'attribute_not_exists(#k)', ExpressionAttributeNames: { '#k': keyAttributes[0] } };
  const names: Record<string, string> = { '#k': keyAttributes[0] };
  const values: Image = {};
  const parts = ['attribute_exists(#k)'];
  let i = 0;
  // Every application write changes at least one scalar (a version, a timestamp), so
  // comparing the scalars is enough to notice one; maps and lists are left out.
  for (const [name, value] of Object.entries(current)) {
    if (keyAttributes.includes(name)) continue;
    if (value.S === undefined && value.N === undefined && value.BOOL === undefined && value.B === undefined) continue;
    names[`#a${i}`] = name;
    values[`:v${i}`] = value;
    parts.push(`#a${i} = :v${i}`);
    i++;
  }
  return { ConditionExpression: parts.join(' AND '), ExpressionAttributeNames: names, ...(i > 0 ? { ExpressionAttributeValues: values } : {}) };
}

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function isConditionFailure(err: unknown): boolean {
  return (err as { name?: string })?.name === 'ConditionalCheckFailedException';
}

function describe(err: unknown): string {
  const e = err as { name?: string; code?: string; message?: string } | undefined;
  const code = e?.code && e.code !== e.name ? ` ${e.code}` : '';
  return `${e?.name ?? 'Error'}${code}: ${e?.message ?? String(err)}`.slice(0, 300);
}
