import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { findFreePort, killAtExit, watchdogScript } from '@platform/local-process';
import { DynamoDbLocalError } from './dynamodb-local-error';

/** Options of {@link DynamoDbLocal.start}. */
export interface DynamoDbLocalOptions {
  /**
   * TCP port to listen on. Must be free.
   * @default - a free port chosen by the operating system
   */
  readonly port?: number;
  /**
   * One database for every region and access key. Without it DynamoDB Local keeps a
   * separate database per region and access key, so a test client that names another
   * region than the code under test would not see its tables.
   * @default true
   */
  readonly sharedDb?: boolean;
  /**
   * How long to wait for the server to answer before giving up. The JVM starts in
   * about 1-2 s on an idle machine; a busy CI runner can be much slower.
   * @default 30000
   */
  readonly startTimeoutMs?: number;
  /**
   * The `java` executable.
   * @default - `$JAVA_HOME/bin/java` if it exists, else `java` on the PATH
   */
  readonly javaPath?: string;
  /**
   * Environment in which `java` is looked up (JAVA_HOME, PATH) and the JVM runs.
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Keep the database in this directory instead of in memory, so it survives a
   * restart of the server (stream included). The directory must exist.
   * @default - in memory: the data is gone when the server stops
   */
  readonly dbPath?: string;
  /**
   * Extra JVM options placed before `-jar`, e.g. `['-Xmx256m']`.
   * @default - none
   */
  readonly jvmOptions?: readonly string[];
}

// The JVM runs under the local servers' watchdog (@platform/local-process): we never
// write to its stdin, so it stops the JVM when we close stdin in stop() *or* when this
// Node process dies for any reason, SIGKILL included.
const WATCHDOG = watchdogScript();

const OUTPUT_TAIL_BYTES = 8 * 1024;
const STOP_GRACE_MS = 5000;
const PROBE_INTERVAL_MS = 100;
const BIND_RETRIES = 3;


/**
 * A DynamoDB Local server (AWS's own implementation, the DynamoDBLocal.jar shipped in
 * the npm package `amplify-dynamodb-simulator`) running in memory on 127.0.0.1.
 *
 * ```ts
 * const ddb = await DynamoDbLocal.start();
 * try { ... new DynamoDBClient({ endpoint: ddb.endpoint, ... }) ... }
 * finally { await ddb.stop(); }
 * ```
 *
 * The server keeps nothing on disk and never outlives the Node process that started
 * it. Clients must send (any) credentials: use {@link localClientConfig}.
 */
export class DynamoDbLocal {
  /** Starts a server and resolves once it answers HTTP requests. */
  static async start(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
    const env = options.env ?? process.env;
    const java = options.javaPath ?? findJava(env);
    if (!java || !isExecutableFile(java)) {
      const where = options.javaPath ? `"${options.javaPath}" is not an executable file` : 'no `java` was found on the PATH or in $JAVA_HOME/bin';
      throw new DynamoDbLocalError(
        'java_not_found',
        `DynamoDB Local needs a Java runtime (11 or later), but ${where}. ` +
          'Install one (Debian/Ubuntu: `apt-get install -y default-jre-headless`; macOS: `brew install openjdk`) ' +
          'or point JAVA_HOME at an existing JDK/JRE.',
      );
    }
    const emulatorDir = findEmulatorDir();
    if (options.port !== undefined && !(await isPortFree(options.port))) {
      throw new DynamoDbLocalError('start_failed', `cannot start DynamoDB Local on port ${options.port}: the port is in use. Choose another port or omit \`port\` to get a free one.`);
    }
    const attempts = options.port === undefined ? BIND_RETRIES : 1;
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await findFreePort());
      try {
        return await DynamoDbLocal.launch(java, emulatorDir, port, options, env);
      } catch (err) {
        // Another process may take the port between our probe and the JVM's bind.
        if (attempt < attempts && err instanceof DynamoDbLocalError && /BindException|Address already in use/i.test(err.message)) continue;
        throw err;
      }
    }
  }

  private static async launch(java: string, emulatorDir: string, port: number, options: DynamoDbLocalOptions, env: NodeJS.ProcessEnv): Promise<DynamoDbLocal> {
    const args = [
      ...(options.jvmOptions ?? []),
      `-Djava.library.path=${join(emulatorDir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(emulatorDir, 'DynamoDBLocal.jar'),
      ...(options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory']),
      '-disableTelemetry',
      '-port',
      String(port),
      ...(options.sharedDb === false ? [] : ['-sharedDb']),
    ];
    // detached: the watchdog and the JVM get their own process group, so stop() can
    // kill both at once if the polite way fails.
    const child = spawn('/bin/sh', ['-c', WATCHDOG, 'dynamodb-local-watchdog', java, ...args], {
      cwd: emulatorDir,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const server = new DynamoDbLocal(child, port);
    try {
      await server.waitUntilReady(options.startTimeoutMs ?? 30_000);
      return server;
    } catch (err) {
      await server.stop();
      throw err;
    }
  }

  /** Base URL for SDK clients, e.g. `http://127.0.0.1:41234`. */
  readonly endpoint: string;
  private output = '';
  private readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly child: ChildProcess,
    /** The TCP port the server listens on. */
    readonly port: number,
  ) {
    this.endpoint = `http://127.0.0.1:${port}`;
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_BYTES);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    // A spawn failure (e.g. no /bin/sh) must not become an unhandled 'error' event.
    child.on('error', (err) => keep(Buffer.from(`\n${err.message}`)));
    // Belt and braces: the watchdog stops the JVM when we exit, but only once it
    // notices EOF; killing the group at exit makes it immediate.
    const forget = killAtExit(() => this.killGroup());
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.exitCode = code ?? (signal ? 128 : null);
        forget();
        resolve(this.exitCode);
      });
      child.once('error', () => {
        this.exitCode = this.exitCode ?? -1;
        forget();
        resolve(this.exitCode);
      });
    });
    // The server must not keep a script alive on its own; if the script ends without
    // stop(), stdin closes and the watchdog stops the JVM.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }

  /** Process id of the watchdog shell (the JVM's parent, leader of their process group). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True until the JVM has exited. */
  get isRunning(): boolean {
    return this.exitCode === undefined;
  }

  /** The last few KB the JVM wrote to stdout and stderr (for diagnostics). */
  get recentOutput(): string {
    return this.output;
  }

  /**
   * Stops the server and resolves once the JVM has exited. Safe to call more than
   * once and after a failed start.
   */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    if (this.exitCode !== undefined) return;
    this.child.stdin?.end();
    const timer = setTimeout(() => this.killGroup(), STOP_GRACE_MS);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILLs the watchdog and the JVM; used on timeout and when Node exits. */
  killGroup(): void {
    if (this.exitCode !== undefined || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }

  private async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exitCode !== undefined) {
        throw new DynamoDbLocalError(
          'start_failed',
          `DynamoDB Local exited with status ${this.exitCode} before it answered on port ${this.port}. Its output:\n${this.output.trim() || '(none)'}`,
        );
      }
      if (await probe(this.port)) return;
      if (Date.now() > deadline) {
        throw new DynamoDbLocalError(
          'start_failed',
          `DynamoDB Local did not answer on ${this.endpoint} within ${timeoutMs} ms. ` +
            `If the machine is busy, pass a larger startTimeoutMs. Its output so far:\n${this.output.trim() || '(none)'}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
    }
  }
}

/** Resolves true once anything answers HTTP on the port: Jetty is up and the servlet deployed. */
function probe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
        timeout: 1000,
      },
      (res) => {
        res.resume();
        resolve((res.statusCode ?? 500) < 500);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end('{}');
  });
}

/** The `java` executable: `$JAVA_HOME/bin/java` if it exists, else the first on the PATH. */
export function findJava(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.JAVA_HOME) {
    const candidate = join(env.JAVA_HOME, 'bin', 'java');
    if (isExecutableFile(candidate)) return candidate;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'java');
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function findEmulatorDir(): string {
  let packageJson: string;
  try {
    packageJson = require.resolve('amplify-dynamodb-simulator/package.json');
  } catch {
    throw new DynamoDbLocalError(
      'emulator_not_found',
      'DynamoDB Local comes from the npm package `amplify-dynamodb-simulator`, which is not installed: run `npm install` at the repository root.',
    );
  }
  const dir = join(dirname(packageJson), 'emulator');
  if (!existsSync(join(dir, 'DynamoDBLocal.jar'))) {
    throw new DynamoDbLocalError(
      'emulator_not_found',
      `${dir}/DynamoDBLocal.jar is missing: the amplify-dynamodb-simulator install is incomplete. Reinstall it (\`npm install amplify-dynamodb-simulator\`).`,
    );
  }
  return dir;
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    // DynamoDB Local binds every interface, so test the wildcard address.
    server.listen(port, () => server.close(() => resolve(true)));
  });
}
