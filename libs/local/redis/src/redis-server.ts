import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from 'redis';
import { WatchedServer, findFreePort, watchdogScript } from '@platform/local-process';

/** redis-server could not be found or started. */
export class RedisServerError extends Error {
  override readonly name = 'RedisServerError';
}

/** Options of {@link RedisServer.start}. */
export interface RedisServerOptions {
  /** Working directory of the server (created if missing). */
  readonly dataDir: string;
  /** @default - a free port on 127.0.0.1 */
  readonly port?: number;
  /** Start as a replica of this primary (`replicaof`). @default - a primary */
  readonly replicaOf?: { readonly host: string; readonly port: number };
  /** Name shown in errors, e.g. the region. */
  readonly name?: string;
}

// Same watchdog as the other local servers: EOF on its stdin (our exit, even by
// SIGKILL) stops the server; the first output line is the server's pid.
const WATCHDOG = watchdogScript({ reportPid: true });

/**
 * A Redis server from the machine's own installation (Debian's `redis-server`), on
 * 127.0.0.1, without persistence: a primary, or a replica of one (`replicaof`), which
 * serves reads, refuses writes (`replica-read-only`) and lags its primary for real.
 */
export class RedisServer {
  static async start(options: RedisServerOptions): Promise<RedisServer> {
    const server = new RedisServer(findRedisServer(), options);
    mkdirSync(options.dataDir, { recursive: true });
    await server.launch(options.port ?? (await findFreePort()), options.replicaOf);
    return server;
  }

  readonly name: string;
  port = 0;
  private process: WatchedServer | undefined;
  private primary: { host: string; port: number } | undefined;

  private constructor(
    private readonly binary: string,
    private readonly options: RedisServerOptions,
  ) {
    this.name = options.name ?? 'redis';
  }

  /** `redis://127.0.0.1:<port>` */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get isRunning(): boolean {
    return this.process?.isRunning ?? false;
  }

  /** The primary this server replicates, or undefined for a primary. */
  get replicating(): { host: string; port: number } | undefined {
    return this.primary;
  }

  /** Sends one command and returns its reply. */
  async command(...args: string[]): Promise<unknown> {
    const client = createClient({ url: this.url, socket: { connectTimeout: 2000, reconnectStrategy: false } });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await client.sendCommand(args);
    } finally {
      client.destroy();
    }
  }

  /** Makes this server a replica of `primary`, or a primary (`REPLICAOF NO ONE`) when it is undefined. */
  async replicaOf(primary: { host: string; port: number } | undefined): Promise<void> {
    await this.command('REPLICAOF', ...(primary ? [primary.host, String(primary.port)] : ['NO', 'ONE']));
    this.primary = primary;
  }

  /** Replication offset: the primary's, or what a replica has processed (`INFO replication`). */
  async replicationOffset(): Promise<number> {
    const info = String(await this.command('INFO', 'replication'));
    const m = /(?:master_repl_offset|slave_repl_offset):(\d+)/.exec(info);
    return m ? Number(m[1]) : 0;
  }

  /** Crashes the server (SIGKILL). */
  async kill(): Promise<void> {
    this.process?.signal('SIGKILL');
    await this.process?.exited;
  }

  async stop(): Promise<void> {
    this.process?.signal('SIGTERM');
    await this.process?.exited;
  }

  /** Starts again on the same port, as a replica of `replicaOf` if given (a restarted primary comes back empty: no persistence). */
  async restart(replicaOf?: { host: string; port: number }): Promise<void> {
    if (this.isRunning) return;
    await this.launch(this.port, replicaOf);
  }

  private async launch(port: number, replicaOf: { host: string; port: number } | undefined): Promise<void> {
    this.port = port;
    this.primary = replicaOf;
    const args = [
      this.binary,
      '--bind', '127.0.0.1', '--port', String(port), '--dir', this.options.dataDir,
      '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--daemonize', 'no',
      '--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0',
      ...(replicaOf ? ['--replicaof', replicaOf.host, String(replicaOf.port)] : []),
    ];
    this.process = new WatchedServer(args, { watchdog: WATCHDOG, killAtExitSignal: 'SIGKILL', tailLines: 30 });
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (!this.isRunning) throw new RedisServerError(`${this.name}: redis-server exited during start-up on port ${port}:\n${this.process?.tail.join('\n') ?? ''}`);
      try {
        if ((await this.command('PING')) === 'PONG' && this.process?.serverPid) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await this.kill().catch(() => undefined);
        throw new RedisServerError(`${this.name}: redis-server did not answer on port ${port} within 20 s:\n${this.process?.tail.join('\n') ?? ''}`);
      }
      await new Promise((r) => setTimeout(r, 30));
    }
  }
}

/** `redis-server` on the PATH or in /usr/bin (Debian's `redis-server` package). */
export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string {
  for (const dir of [...(env.PATH ?? '').split(':'), '/usr/bin', '/usr/local/bin']) {
    if (dir && existsSync(join(dir, 'redis-server'))) return join(dir, 'redis-server');
  }
  throw new RedisServerError('redis-server is not installed: install it (Debian/Ubuntu: `apt-get install -y redis-server`; macOS: `brew install redis`).');
}

// Keeps `execFileSync` referenced for tools that probe the version; unused otherwise.
export const redisServerVersion = (env: NodeJS.ProcessEnv = process.env): string =>
  execFileSync(findRedisServer(env), ['--version'], { encoding: 'utf8' }).trim();
