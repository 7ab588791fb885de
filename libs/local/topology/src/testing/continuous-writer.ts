import { Agent, request } from 'node:http';

/** Props of {@link ContinuousWriter}. */
export interface ContinuousWriterProps {
  /** Base URL writes go to (the front door). */
  readonly url: string;
  /** Writes in flight at once. @default 1 */
  readonly concurrency?: number;
  /** Pause between two writes of one worker. @default 0 */
  readonly pauseMs?: number;
  /** Wait before retrying a failed attempt. @default 50 */
  readonly retryDelayMs?: number;
  /** An attempt without an answer after this long is abandoned and retried. @default 5000 */
  readonly attemptTimeoutMs?: number;
  /** Tells this run's items from others'. @default - a random id */
  readonly runId?: string;
  /** Sent with every write (a bearer token). @default - none */
  readonly headers?: Readonly<Record<string, string>>;
  /** Path the writes are POSTed to. @default "/items" */
  readonly path?: string;
  /** Body of write `seq`. @default - an item named after seq, with attributes seq and run */
  readonly body?: (seq: number, runId: string) => unknown;
}

/** One attempt of one write. */
export interface WriteAttempt {
  readonly sentAt: number;
  readonly endedAt: number;
  /** HTTP status, or undefined when there was no answer. */
  readonly status?: number;
  /** Region that answered (the front door's `x-local-region`), when known. */
  readonly region?: string;
  readonly error?: string;
}

/** One logical write (one Idempotency-Key), with all its attempts. */
export interface WriteRecord {
  readonly seq: number;
  readonly idempotencyKey: string;
  readonly attempts: WriteAttempt[];
  /** Set once a 201 came back. */
  ackedAt?: number;
  id?: string;
  ackRegion?: string;
  /** True when the 201 replayed an earlier attempt's item. */
  replayed?: boolean;
}

/**
 * A client that creates items through the front door without pause, the way a careful
 * client does across a regional failover: every write has its own Idempotency-Key and
 * is retried with the same key and body after a network error, a 5xx or a 409, until
 * it is acknowledged. Each item carries `attributes.seq` and `attributes.run`, so the
 * items a run created can be counted in every region.
 */
export class ContinuousWriter {
  readonly writes: WriteRecord[] = [];
  readonly runId: string;
  private running = false;
  private aborted = false;
  private workers: Promise<void>[] = [];
  private nextSeq = 0;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly ackListeners: (() => void)[] = [];

  constructor(private readonly props: ContinuousWriterProps) {
    this.runId = props.runId ?? Math.random().toString(36).slice(2, 10);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.workers = Array.from({ length: this.props.concurrency ?? 1 }, () => this.work());
  }

  /** Stops starting new writes and resolves once every write started is acknowledged. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
    this.agent.destroy();
  }

  /**
   * Stops at once, acknowledged or not: for the cleanup of a test or benchmark that
   * failed, where {@link stop} could wait forever on writes to a topology that is gone.
   */
  async abort(): Promise<void> {
    this.running = false;
    this.aborted = true;
    this.agent.destroy();
    await Promise.allSettled(this.workers);
  }

  /** Writes acknowledged so far. */
  get acknowledged(): number {
    return this.writes.filter((w) => w.ackedAt !== undefined).length;
  }

  /** Resolves once `n` writes in total were acknowledged. */
  async waitForAcknowledged(n: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.acknowledged < n) {
      if (Date.now() > deadline) throw new Error(`only ${this.acknowledged} of ${n} writes were acknowledged within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.ackListeners.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  private async work(): Promise<void> {
    while (this.running) {
      const seq = ++this.nextSeq;
      const record: WriteRecord = { seq, idempotencyKey: `writer-${this.runId}-${seq}`, attempts: [] };
      this.writes.push(record);
      // Once started, a write is retried until acknowledged, even after stop().
      while (!this.aborted) {
        const attempt = await this.send(record);
        record.attempts.push(attempt);
        if (attempt.status === 201) break;
        if (attempt.status !== undefined && attempt.status < 500 && attempt.status !== 409 && attempt.status !== 429) {
          throw new Error(`write ${seq} was refused with HTTP ${attempt.status}: ${attempt.error}`);
        }
        await new Promise((r) => setTimeout(r, this.props.retryDelayMs ?? 50));
      }
      for (const listener of this.ackListeners.splice(0)) listener();
      if (this.props.pauseMs) await new Promise((r) => setTimeout(r, this.props.pauseMs));
    }
  }

  private send(record: WriteRecord): Promise<WriteAttempt> {
    const body = JSON.stringify(this.props.body ? this.props.body(record.seq, this.runId) : { name: `write ${record.seq}`, attributes: { seq: record.seq, run: this.runId } });
    const sentAt = Date.now();
    return new Promise((resolve) => {
      const req = request(
        new URL(this.props.path ?? '/items', this.props.url),
        {
          method: 'POST',
          agent: this.agent,
          headers: { ...this.props.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'idempotency-key': record.idempotencyKey },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString('utf8')));
          res.on('error', (err) => resolve({ sentAt, endedAt: Date.now(), error: err.message }));
          res.on('end', () => {
            const region = typeof res.headers['x-local-region'] === 'string' ? res.headers['x-local-region'] : undefined;
            const status = res.statusCode ?? 0;
            if (status === 201) {
              const item = JSON.parse(text) as { id: string };
              record.ackedAt = Date.now();
              record.id = item.id;
              record.ackRegion = region;
              record.replayed = res.headers['idempotent-replayed'] === 'true';
              resolve({ sentAt, endedAt: record.ackedAt, status, region });
            } else resolve({ sentAt, endedAt: Date.now(), status, region, error: text.slice(0, 300) });
          });
        },
      );
      req.setTimeout(this.props.attemptTimeoutMs ?? 5000, () => req.destroy(new Error('attempt timed out')));
      req.on('error', (err) => resolve({ sentAt, endedAt: Date.now(), error: err.message }));
      req.end(body);
    });
  }
}
