import { Agent, request } from 'node:http';

/** Props of {@link ContinuousReader}. */
export interface ContinuousReaderProps {
  /** Base URL reads go to (the front door). */
  readonly url: string;
  /** The path of read `n` (with its query string). */
  readonly path: (n: number) => string;
  /** Reads in flight at once. @default 2 */
  readonly concurrency?: number;
  /** Pause between two reads of one worker. @default 0 */
  readonly pauseMs?: number;
  /** A read without an answer after this long counts as failed. @default 5000 */
  readonly timeoutMs?: number;
  /** Sent with every read (a bearer token). @default - none */
  readonly headers?: Readonly<Record<string, string>>;
}

/** One read, as the client saw it. */
export interface ReadRecord {
  readonly sentAt: number;
  readonly endedAt: number;
  /** HTTP status, or undefined when there was no answer. */
  readonly status?: number;
  /** Region that answered (the front door's `x-local-region`), when known. */
  readonly region?: string;
  /** The region the front door failed over from (`x-local-failover: from <region>`), when it did. */
  readonly failedOverFrom?: string;
  readonly error?: string;
}

/**
 * A client that GETs through the front door without pause and never retries: each read
 * either answers 200 or counts as failed, which is what a reader sees of a region kill
 * (the figure origin failover at the edge is meant to bring to 0).
 */
export class ContinuousReader {
  readonly reads: ReadRecord[] = [];
  private running = false;
  private workers: Promise<void>[] = [];
  private next = 0;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  constructor(private readonly props: ContinuousReaderProps) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.workers = Array.from({ length: this.props.concurrency ?? 2 }, () => this.work());
  }

  /** Stops starting new reads and resolves once the reads in flight have ended. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
    this.agent.destroy();
  }

  /** Reads that did not answer 200. */
  get failed(): ReadRecord[] {
    return this.reads.filter((r) => r.status !== 200);
  }

  private async work(): Promise<void> {
    while (this.running) {
      this.reads.push(await this.read(this.props.path(++this.next)));
      if (this.props.pauseMs) await new Promise((r) => setTimeout(r, this.props.pauseMs));
    }
  }

  private read(path: string): Promise<ReadRecord> {
    const sentAt = Date.now();
    return new Promise((resolve) => {
      const req = request(new URL(path, this.props.url), { method: 'GET', agent: this.agent, headers: { ...this.props.headers } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('error', (err) => resolve({ sentAt, endedAt: Date.now(), error: err.message }));
        res.on('end', () => {
          const header = (name: string) => (typeof res.headers[name] === 'string' ? (res.headers[name] as string) : undefined);
          const status = res.statusCode ?? 0;
          resolve({
            sentAt,
            endedAt: Date.now(),
            status,
            region: header('x-local-region'),
            failedOverFrom: header('x-local-failover')?.replace(/^from /, ''),
            ...(status === 200 ? {} : { error: text.slice(0, 300) }),
          });
        });
      });
      req.setTimeout(this.props.timeoutMs ?? 5000, () => req.destroy(new Error('read timed out')));
      req.on('error', (err) => resolve({ sentAt, endedAt: Date.now(), error: err.message }));
      req.end();
    });
  }
}
