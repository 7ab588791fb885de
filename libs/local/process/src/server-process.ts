// What the local servers of the tests and `npm run dev` (DynamoDB Local, PostgreSQL,
// Redis) share about their processes: a watchdog so that a server cannot outlive the
// Node process that started it, a free loopback port, and a last kill at exit.
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
