// What the local servers of the tests and `npm run dev` (DynamoDB Local, PostgreSQL,
// Redis) share about their processes: a watchdog so that a server cannot outlive the
// Node process that started it, a free loopback port, and a last kill at exit.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** The line a watchdog with `reportPid` prints first: the server's pid. */
const PID_LINE = /^watchdog-server-pid (\d+)$/;

/**
 * A tiny sh script to run a server under (`spawn('sh', ['-c', script, 'sh', server, ...args])`
 * with stdin a pipe): we never write to its stdin, so its `read` returns only at EOF,
 * which happens when we exit, killed by SIGKILL included (a crashed Jest worker must
 * not leave a server behind). The watchdog then sends the server `stopSignal` and exits
 * with its status; if the server dies first, the watchdog exits too, so the child's
 * 'exit' event always reflects the server.
 */
export function watchdogScript(options: { readonly stopSignal?: 'TERM' | 'INT'; readonly reportPid?: boolean } = {}): string {
  const kill = options.stopSignal === 'INT' ? 'kill -INT' : 'kill';
  return [
    'exec 3<&0',
    '"$@" </dev/null 3<&- &',
    'pid=$!',
    ...(options.reportPid ? ['echo "watchdog-server-pid $pid"'] : []),
    `(read -r _ <&3; ${kill} "$pid" 2>/dev/null) &`,
    'watcher=$!',
    'exec 3<&-',
    'wait "$pid"',
    'status=$?',
    'kill "$watcher" 2>/dev/null',
    'exit "$status"',
  ].join('\n');
}

/** The server's pid when `line` is the one a `reportPid` watchdog prints, else undefined. */
export function watchdogPid(line: string): number | undefined {
  const m = PID_LINE.exec(line);
  return m ? Number(m[1]) : undefined;
}

/** A free TCP port on 127.0.0.1 (free when asked: bind it soon). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const atExit = new Set<() => void>();
let hookInstalled = false;

/**
 * Runs `kill` when this process exits, until the returned function forgets it. The
 * watchdog stops a server only once it notices EOF, after we are gone; a kill at exit
 * stops it at once (a test run's next server may want the port). `kill` must be
 * synchronous and must not throw for a server that is already gone.
 */
export function killAtExit(kill: () => void): () => void {
  if (!hookInstalled) {
    hookInstalled = true;
    process.once('exit', () => {
      for (const k of atExit) {
        try {
          k();
        } catch {
          // already gone
        }
      }
    });
  }
  atExit.add(kill);
  return () => atExit.delete(kill);
}

/** Options of {@link WatchedServer}. */
export interface WatchedServerOptions {
  /** The {@link watchdogScript} to run the server under; it must `reportPid`. */
  readonly watchdog: string;
  /** How the server is stopped at once if this process exits while it runs. */
  readonly killAtExitSignal: NodeJS.Signals;
  /** Lines of output kept for error messages. */
  readonly tailLines: number;
  /** e.g. the uid and gid to run as. @default - this process's */
  readonly spawnOptions?: Pick<SpawnOptions, 'uid' | 'gid' | 'env' | 'cwd'>;
  /** Every line the server prints (not the watchdog's pid line). */
  readonly onLine?: (line: string) => void;
}

/**
 * One run of a server process under a watchdog: the child (the watchdog's shell), the
 * server's own pid once the watchdog reports it, the last lines it printed and its end.
 * A server this process has not stopped is killed when this process exits.
 */
export class WatchedServer {
  readonly child: ChildProcess;
  /** Resolves when the server (and so its watchdog) has exited. */
  readonly exited: Promise<void>;
  /** The last `tailLines` lines of its output. */
  readonly tail: string[] = [];
  private pid: number | undefined;

  constructor(command: readonly string[], options: WatchedServerOptions) {
    const child = spawn('sh', ['-c', options.watchdog, 'sh', ...command], { stdio: ['pipe', 'pipe', 'pipe'], ...options.spawnOptions });
    this.child = child;
    const forget = killAtExit(() => {
      if (this.pid) process.kill(this.pid, options.killAtExitSignal);
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        forget();
        resolve();
      }),
    );
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        const pid = watchdogPid(line);
        if (pid !== undefined) {
          this.pid = pid;
          continue;
        }
        this.tail.push(line);
        if (this.tail.length > options.tailLines) this.tail.shift();
        options.onLine?.(line);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  }

  /** The server's pid, once the watchdog has printed it. */
  get serverPid(): number | undefined {
    return this.pid;
  }

  get isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends `signal` to the server itself (not the watchdog) while it runs. */
  signal(signal: NodeJS.Signals): void {
    if (this.isRunning && this.pid) process.kill(this.pid, signal);
  }
}
