import { ReplicationLink, type ReplicaEndpoint, type ReplicationEvent, type ReplicationLinkStats } from './replication-link';

/** Props of {@link Replicator}. */
export interface ReplicatorProps {
  /** Every replica of the table, one per region. */
  readonly replicas: readonly ReplicaEndpoint[];
  /** Minimum time between a change being read from a stream and being applied elsewhere. @default 0 */
  readonly delayMs?: number;
  /** Wait between reads of a stream that had nothing new. @default 50 */
  readonly pollIntervalMs?: number;
  /** @default ['updatedAt', 'createdAt'] */
  readonly timestampAttributes?: readonly string[];
  readonly onEvent?: (event: ReplicationEvent) => void;
  readonly onStateChange?: (message: string) => void;
}

/**
 * The local stand-in for a global table's replication: one {@link ReplicationLink} per
 * ordered pair of regions, each reading the source replica's stream and writing into
 * the target replica.
 */
export class Replicator {
  readonly links: readonly ReplicationLink[];
  /** Regions cut off by {@link disconnect}. */
  private readonly cutOff = new Set<string>();
  private running = false;

  constructor(props: ReplicatorProps) {
    const links: ReplicationLink[] = [];
    for (const source of props.replicas) {
      for (const target of props.replicas) {
        if (source === target) continue;
        links.push(
          new ReplicationLink({
            source,
            target,
            delayMs: props.delayMs,
            pollIntervalMs: props.pollIntervalMs,
            timestampAttributes: props.timestampAttributes,
            onEvent: props.onEvent,
            onStateChange: props.onStateChange,
          }),
        );
      }
    }
    this.links = links;
  }

  start(): void {
    this.running = true;
    for (const link of this.links) if (!this.cutOff.has(link.source) && !this.cutOff.has(link.target)) link.start();
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.links.map((l) => l.stop()));
  }

  /**
   * Cuts a failed region off, at once: the links from it and to it stop, as a region
   * that is down neither sends its changes nor receives the others'. The others keep
   * replicating among themselves. Call it at the moment of the failure, so that
   * nothing the region does while it goes down reaches another region.
   */
  async disconnect(region: string): Promise<void> {
    this.cutOff.add(region);
    await Promise.all(this.links.filter((l) => l.source === region || l.target === region).map((l) => l.stop()));
  }

  /**
   * Connects a recovered region again: its links resume after the last change each
   * applied, so it receives what the others wrote meanwhile and sends what it had not
   * sent when it failed.
   */
  reconnect(region: string): void {
    this.cutOff.delete(region);
    if (this.running) this.start();
  }

  /** Changes the delay of every link from the next change on. */
  setDelayMs(ms: number): void {
    for (const link of this.links) link.setDelayMs(ms);
  }

  /** Counters per link. */
  stats(): ReplicationLinkStats[] {
    return this.links.map((l) => ({ ...l.stats }));
  }

  /**
   * Resolves once every change made before the call, in any of `regions`, has been
   * decided in every other of `regions`, and the links among them have gone quiet
   * (links to or from other regions are not waited for). Rejects after `timeoutMs`, naming the links still behind.
   */
  async settle(regions: readonly string[], timeoutMs = 30_000): Promise<void> {
    const since = Date.now();
    const deadline = since + timeoutMs;
    const relevant = this.links.filter((l) => regions.includes(l.source) && regions.includes(l.target));
    for (;;) {
      // A write one link makes shows up in its target's stream, to be read by the
      // links leaving that region: quiet means an empty read after the last write.
      const after = Math.max(since, ...relevant.map((l) => l.lastActivity));
      const behind = relevant.filter((l) => !l.caughtUpSince(after));
      if (behind.length === 0) return;
      if (Date.now() > deadline) {
        const detail = behind
          .map((l) => {
            const why = this.cutOff.has(l.source) || this.cutOff.has(l.target) ? ' (disconnected)' : l.stats.lastError ? ` (last error: ${l.stats.lastError})` : '';
            return `${l.source} -> ${l.target}${why}`;
          })
          .join(', ');
        throw new Error(`replication did not settle within ${timeoutMs} ms; still behind: ${detail}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
