import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { LocalJwtAuthorizerProps } from './local-jwt-authorizer';

/** Props of {@link RegionApi.start}. */
export interface RegionApiProps {
  readonly region: string;
  /** Absolute path of the module exporting the Lambda `handler` (TypeScript is fine). */
  readonly handlerModule: string;
  /** The Lambda environment of the function (TABLE_NAME, AWS_REGION, ...). */
  readonly lambdaEnvironment: Readonly<Record<string, string>>;
  /** Working directory: the workspace root, whose tsconfig resolves the path aliases. */
  readonly cwd: string;
  /** @default - a free port */
  readonly port?: number;
  /** Receives the process's output, one line at a time. @default - discarded */
  readonly onOutput?: (line: string) => void;
  /** @default 60000 */
  readonly startTimeoutMs?: number;
  /**
   * Validate tokens in front of the handler as the region's JWT authorizer does.
   * @default - no authorizer (every request reaches the handler)
   */
  readonly authorizer?: LocalJwtAuthorizerProps;
}

/** The variable that hands the authorizer's settings to the region's process (not a Lambda variable). */
export const LOCAL_AUTHORIZER_VARIABLE = 'LOCAL_TOPOLOGY_AUTHORIZER';

/** The child's entry point, relative to the workspace root (not to this file, which may be bundled). */
export const REGION_API_ENTRY = 'libs/local/topology/src/region-api-main.ts';
const STOP_GRACE_MS = 3000;
const OUTPUT_TAIL = 40;

/**
 * One region's API: the service's real Lambda entry point, in its own Node process with
 * its own Lambda environment (as each region's function has), served over HTTP as API
 * Gateway HTTP API v2 events by the local HTTP adapter. A process per region, so that
 * killing a region's API is a real crash that drops requests in flight, and so that
 * `main.ts`, which reads its configuration once per process, runs unchanged.
 */
export class RegionApi {
  /** Starts the process and resolves once it serves. */
  static async start(props: RegionApiProps): Promise<RegionApi> {
    const api = new RegionApi(props);
    await api.launch(props.port);
    return api;
  }

  readonly region: string;
  /** e.g. `http://127.0.0.1:41234`; the same after a restart. */
  url = '';
  port = 0;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly tail: string[] = [];

  private constructor(private readonly props: RegionApiProps) {
    this.region = props.region;
  }

  /** True while the process runs. */
  get isRunning(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Kills the process with SIGKILL, as a crash would; requests in flight are dropped. */
  async kill(): Promise<void> {
    if (this.isRunning) this.child!.kill('SIGKILL');
    await this.exited;
  }

  /** Starts the process again on the same port. */
  async restart(): Promise<void> {
    if (this.isRunning) return;
    await this.launch(this.port);
  }

  /** Stops the process (SIGTERM, then SIGKILL after 3 s) and resolves once it has exited. */
  async stop(): Promise<void> {
    if (!this.isRunning) return this.exited;
    const child = this.child!;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private async launch(port: number | undefined): Promise<void> {
    const { props } = this;
    const env: NodeJS.ProcessEnv = {
      // Only what a Lambda function would have, plus what Node needs to run here.
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR,
      TZ: 'UTC',
      ...props.lambdaEnvironment,
      LOCAL_TOPOLOGY_HANDLER_MODULE: props.handlerModule,
      LOCAL_TOPOLOGY_PORT: String(port ?? 0),
      ...(props.authorizer ? { [LOCAL_AUTHORIZER_VARIABLE]: JSON.stringify(props.authorizer) } : {}),
    };
    const child = spawn(process.execPath, [join(props.cwd, 'tools', 'run-ts.mjs'), join(props.cwd, REGION_API_ENTRY)], {
      cwd: props.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) this.output(line);
      });
      stream?.on('end', () => partial && this.output(partial));
    }
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the ${props.region} API did not start within ${props.startTimeoutMs ?? 60_000} ms. Its output:\n${this.tail.join('\n') || '(none)'}`));
      }, props.startTimeoutMs ?? 60_000);
      child.on('message', (m: { type?: string; url?: string }) => {
        if (m?.type === 'ready' && m.url) {
          clearTimeout(timer);
          resolve(m.url);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        // Let the last output lines arrive before quoting them.
        setImmediate(() =>
          reject(
            new Error(
              `the ${props.region} API (${props.handlerModule}) exited with ${signal ?? `status ${code}`} before it served` +
                `${port ? ` on port ${port}` : ''}. Its output:\n${this.tail.join('\n') || '(none)'}`,
            ),
          ),
        );
      });
    });
    // The IPC channel stays open so the child notices when we go away; it must not
    // keep this process alive on its own.
    child.unref();
    (child as unknown as { channel?: { unref(): void } }).channel?.unref();
    this.url = url;
    this.port = Number(new URL(url).port);
  }

  private output(line: string): void {
    this.tail.push(line);
    if (this.tail.length > OUTPUT_TAIL) this.tail.shift();
    this.props.onOutput?.(line);
  }
}
