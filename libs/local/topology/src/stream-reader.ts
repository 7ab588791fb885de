import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
  type Shard,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';

/** Props of {@link StreamReader}. */
export interface StreamReaderProps {
  readonly client: DynamoDBStreamsClient;
  readonly streamArn: string;
  /** Records per GetRecords call. @default 100 */
  readonly batchSize?: number;
  /** How often the shard list is read again to find new shards. @default 5000 */
  readonly describeIntervalMs?: number;
}

/** A stream record and the shard it came from. */
export interface ShardRecord {
  readonly shardId: string;
  readonly record: _Record;
}

interface ShardState {
  readonly shardId: string;
  readonly parentShardId?: string;
  iterator?: string;
  /** Sequence number of the last record handled. */
  checkpoint?: string;
  /** The shard is closed and every record of it was read. */
  done: boolean;
}

/**
 * Reads every record of one DynamoDB stream in order, shard by shard (a child shard
 * only after its parent, which is what keeps the changes of one item in order), from
 * a checkpoint that survives errors: when the stream's server goes away and comes
 * back (a region restarting), reading resumes after the last record handled.
 *
 * Pull-based: the caller handles each record and {@link commit}s it; a record that was
 * read but not committed is read again after an error.
 */
export class StreamReader {
  private readonly shards = new Map<string, ShardState>();
  private readonly batchSize: number;
  private readonly describeIntervalMs: number;
  private describedAt = 0;

  constructor(private readonly props: StreamReaderProps) {
    this.batchSize = props.batchSize ?? 100;
    this.describeIntervalMs = props.describeIntervalMs ?? 5000;
  }

  /**
   * The next records of the first shard that has any, or an empty array when every
   * readable shard is at its end. Throws when the stream cannot be read; the next call
   * starts again from the checkpoints.
   */
  async poll(abortSignal?: AbortSignal): Promise<ShardRecord[]> {
    try {
      if (this.shards.size === 0 || Date.now() - this.describedAt > this.describeIntervalMs) await this.describe(abortSignal);
      for (const shard of this.readableShards()) {
        shard.iterator ??= await this.iteratorFor(shard, abortSignal);
        const res = await this.props.client.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: this.batchSize }), { abortSignal });
        shard.iterator = res.NextShardIterator;
        if (!shard.iterator) {
          // Closed shard: once its records are handled its children may be read.
          if (!res.Records?.length) shard.done = true;
          else this.describedAt = 0;
        }
        if (res.Records?.length) return res.Records.map((record) => ({ shardId: shard.shardId, record }));
      }
      return [];
    } catch (err) {
      // Iterators die with the server (and expire after 15 minutes in AWS): get new
      // ones from the checkpoints next time.
      for (const shard of this.shards.values()) shard.iterator = undefined;
      this.describedAt = 0;
      throw err;
    }
  }

  /** Marks a record as handled: reading resumes after it. */
  commit(item: ShardRecord): void {
    const shard = this.shards.get(item.shardId);
    if (shard && item.record.dynamodb?.SequenceNumber) shard.checkpoint = item.record.dynamodb.SequenceNumber;
  }

  /**
   * Forgets the iterators, so that the next poll reads again from the checkpoints
   * (used when records were read but their handling was abandoned).
   */
  rewind(): void {
    for (const shard of this.shards.values()) shard.iterator = undefined;
  }

  private readableShards(): ShardState[] {
    return [...this.shards.values()].filter((s) => {
      if (s.done) return false;
      const parent = s.parentShardId ? this.shards.get(s.parentShardId) : undefined;
      // A parent trimmed from the stream (not listed) no longer holds anything back.
      return !parent || parent.done;
    });
  }

  private async describe(abortSignal?: AbortSignal): Promise<void> {
    const listed: Shard[] = [];
    let start: string | undefined;
    do {
      const res = await this.props.client.send(new DescribeStreamCommand({ StreamArn: this.props.streamArn, ExclusiveStartShardId: start }), { abortSignal });
      listed.push(...(res.StreamDescription?.Shards ?? []));
      start = res.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    for (const shard of listed) {
      if (!shard.ShardId || this.shards.has(shard.ShardId)) continue;
      this.shards.set(shard.ShardId, { shardId: shard.ShardId, parentShardId: shard.ParentShardId, done: false });
    }
    this.describedAt = Date.now();
  }

  private async iteratorFor(shard: ShardState, abortSignal?: AbortSignal): Promise<string | undefined> {
    const res = await this.props.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.props.streamArn,
        ShardId: shard.shardId,
        ...(shard.checkpoint ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: shard.checkpoint } : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
      { abortSignal },
    );
    return res.ShardIterator;
  }
}
