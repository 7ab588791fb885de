import { compareStamps, newerStamp, type WriteStamp } from './write-stamp';

/** What kind of change a stream record shows. */
export type ChangeKind = 'put' | 'remove';

/** Props of {@link ReplicaLedger}. */
export interface ReplicaLedgerProps {
  /** The region whose table replica this ledger describes. */
  readonly region: string;
  /**
   * How long a write made by the replication is remembered, so that every link reading
   * this region's stream can recognise it. Longer than any outage a test or a dev
   * session sits through; DynamoDB Streams keep records 24 hours.
   * @default 86400000 (24 hours)
   */
  readonly retentionMs?: number;
  /** @default Date.now */
  readonly clock?: () => number;
}

interface Expected {
  count: number;
  at: number;
}

/**
 * What the local replication knows about one region's table replica beyond the table
 * itself: the hidden bookkeeping that global tables keep inside DynamoDB.
 *
 * - Replicated writes: every write the replication makes into this replica is noted
 *   (key, kind, digest of the record) before it is sent, so the links that read this
 *   replica's stream skip it instead of replicating it again.
 * - Tombstones: the stamp of the last delete of each key, so that an older write
 *   arriving late cannot bring a deleted item back.
 * - Origin stamps: the stamp given to a stream record of this replica, computed by the
 *   first link that reads it and shared with the others, so every region orders that
 *   change the same way.
 *
 * Kept in memory: it lives as long as the topology process, across restarts of the
 * region's DynamoDB Local.
 */
export class ReplicaLedger {
  readonly region: string;
  private readonly retentionMs: number;
  private readonly clock: () => number;
  private readonly expected = new Map<string, Expected>();
  private readonly tombstones = new Map<string, { stamp: WriteStamp; at: number }>();
  private readonly originStamps = new Map<string, { stamp: WriteStamp; at: number }>();
  private readonly lastOrigin = new Map<string, { stamp: WriteStamp; at: number }>();
  private readonly repaired = new Map<string, number>();
  private lastPrune = 0;

  constructor(props: ReplicaLedgerProps) {
    this.region = props.region;
    this.retentionMs = props.retentionMs ?? 86_400_000;
    this.clock = props.clock ?? Date.now;
  }

  /** Notes a write the replication is about to make; returns a token for {@link forget}. */
  expect(kind: ChangeKind, key: string, digest: string): string {
    this.prune();
    const id = `${kind}|${key}|${digest}`;
    const entry = this.expected.get(id);
    if (entry) {
      entry.count++;
      entry.at = this.clock();
    } else this.expected.set(id, { count: 1, at: this.clock() });
    return id;
  }

  /** Un-notes a write that certainly did not happen (its condition failed). */
  forget(token: string): void {
    const entry = this.expected.get(token);
    if (!entry) return;
    if (--entry.count <= 0) this.expected.delete(token);
  }

  /**
   * True when the change was made by the replication. Not consumed on a match: every
   * link that reads this replica's stream must skip the same record.
   */
  isReplicated(kind: ChangeKind, key: string, digest: string): boolean {
    return this.expected.has(`${kind}|${key}|${digest}`);
  }

  /** The stamp of the newest delete of `key` this replica has seen. */
  tombstone(key: string): WriteStamp | undefined {
    return this.tombstones.get(key)?.stamp;
  }

  /** Records a delete of `key`; an older one than already known is ignored. */
  addTombstone(key: string, stamp: WriteStamp): void {
    this.prune();
    const current = this.tombstones.get(key)?.stamp;
    this.tombstones.set(key, { stamp: newerStamp(current, stamp)!, at: this.clock() });
  }

  /**
   * The shared stamp of one of this replica's own stream records (a change made in
   * this region), computed once by the first link that reads it.
   *
   * Stamps of one key's changes only grow in stream order: when two writes of this
   * region commit in the opposite order of the times they recorded (two concurrent
   * requests), the one that committed last gets a stamp just above the other's, so
   * every region ends with what this region ended with, as with global tables, whose
   * timestamps are taken at commit.
   */
  originStamp(recordId: string, key: string, compute: () => WriteStamp): WriteStamp {
    const known = this.originStamps.get(recordId);
    if (known) return known.stamp;
    let stamp = compute();
    const last = this.lastOrigin.get(key)?.stamp;
    if (last && compareStamps(stamp, last) <= 0) stamp = { ...stamp, timeMs: last.timeMs + 1 };
    const at = this.clock();
    this.originStamps.set(recordId, { stamp, at });
    this.lastOrigin.set(key, { stamp, at });
    return stamp;
  }

  /** True once {@link markRepaired} was called for this stream record. */
  isRepaired(recordId: string): boolean {
    return this.repaired.has(recordId);
  }

  /** Notes that the local effects of a stream record (tombstone, repair) are done. */
  markRepaired(recordId: string): void {
    this.repaired.set(recordId, this.clock());
  }

  /** Sizes of the ledger's maps, for diagnostics. */
  get size(): { expected: number; tombstones: number; originStamps: number } {
    return { expected: this.expected.size, tombstones: this.tombstones.size, originStamps: this.originStamps.size };
  }

  private prune(): void {
    const now = this.clock();
    if (now - this.lastPrune < 60_000) return;
    this.lastPrune = now;
    const cutoff = now - this.retentionMs;
    for (const map of [this.expected, this.tombstones, this.originStamps, this.lastOrigin] as Map<string, { at: number }>[]) {
      for (const [k, v] of map) if (v.at < cutoff) map.delete(k);
    }
    for (const [k, at] of this.repaired) if (at < cutoff) this.repaired.delete(k);
  }
}
