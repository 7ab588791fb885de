import type { WriteStamp } from './write-stamp';

/** Props of {@link VersionStamps}. */
export interface VersionStampsProps {
  /** How long a version's stamp is remembered. @default 86400000 (24 hours, a stream's retention) */
  readonly retentionMs?: number;
  /** @default Date.now */
  readonly clock?: () => number;
}

/**
 * The stamp of every version (by its record digest) the replication has stamped,
 * shared by every region. A region holding a version judges it by this stamp, which
 * is the one its origin gave it, so all regions order the same two versions the same
 * way even when the origin adjusted a stamp (see {@link ReplicaLedger.originStamp}).
 * Versions not stamped yet (a local write not read from the stream yet) are judged
 * by the times they record.
 */
export class VersionStamps {
  private readonly stamps = new Map<string, { stamp: WriteStamp; at: number }>();
  private readonly retentionMs: number;
  private readonly clock: () => number;
  private lastPrune = 0;

  constructor(props: VersionStampsProps = {}) {
    this.retentionMs = props.retentionMs ?? 86_400_000;
    this.clock = props.clock ?? Date.now;
  }

  get(digest: string): WriteStamp | undefined {
    return this.stamps.get(digest)?.stamp;
  }

  remember(digest: string, stamp: WriteStamp): void {
    const now = this.clock();
    this.stamps.set(digest, { stamp, at: now });
    if (now - this.lastPrune > 60_000) {
      this.lastPrune = now;
      for (const [k, v] of this.stamps) if (v.at < now - this.retentionMs) this.stamps.delete(k);
    }
  }

  get size(): number {
    return this.stamps.size;
  }
}
