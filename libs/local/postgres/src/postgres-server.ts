import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { WatchedServer, findFreePort, watchdogScript } from '@platform/local-process';

/** A PostgreSQL server could not be found, set up or started. */
export class PostgresServerError extends Error {
  override readonly name = 'PostgresServerError';
}

/** Options shared by a primary and a standby. */
export interface PostgresServerOptions {
  /** Directory of the cluster (created; must not exist yet or be empty). */
  readonly dataDir: string;
  /** @default - a free port on 127.0.0.1 */
  readonly port?: number;
  /** Name shown in errors and as the standby's `application_name`, e.g. the region. */
  readonly name?: string;
  /** Receives the server's log lines. @default - discarded (the last lines are kept for errors) */
  readonly onOutput?: (line: string) => void;
}

/** Options of {@link PostgresServer.startPrimary}. */
export interface PostgresPrimaryOptions extends PostgresServerOptions {
  /** Password of the superuser `postgres` (password authentication over TCP, as RDS without IAM). @default "postgres" */
  readonly superuserPassword?: string;
}

/** Where the server runs and how to reach it as the superuser. */
export interface PostgresEndpoint {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly user: 'postgres';
  readonly password: string;
}

// Everything the harness needs for a throw-away cluster that replicates: streaming
// replication on, WAL kept for standbys that fall behind, no fsync (a killed process
// loses nothing the OS has; only a power cut would, which no test simulates), TCP on
// loopback only and no Unix socket (its directory would need to be writable by the
// server's user).
const SERVER_SETTINGS = [
  'listen_addresses=127.0.0.1',
  'unix_socket_directories=',
  'wal_level=replica',
  'max_wal_senders=10',
  'wal_keep_size=256MB',
  'hot_standby=on',
  'hot_standby_feedback=on',
  'fsync=off',
  'full_page_writes=off',
  'shared_buffers=32MB',
  'max_connections=100',
  'wal_receiver_status_interval=1s',
];

// The server runs under the local servers' watchdog: EOF on its stdin (our exit, even
// by SIGKILL) asks the server for a fast shutdown (SIGINT). Its first line of output is
// the server's pid, so that kill() can send the server SIGQUIT (immediate shutdown, as
// a crash) directly.
const WATCHDOG = watchdogScript({ stopSignal: 'INT', reportPid: true });

const OUTPUT_TAIL = 40;

/**
 * A PostgreSQL server from the machine's own installation (Debian's `postgresql`
 * package), with its cluster in a directory of the caller's: a **primary** made with
 * `initdb`, or a **streaming-replication standby** of a primary, cloned with
 * `pg_basebackup` and started with `standby.signal` (hot standby: it serves reads,
 * refuses writes and lags its primary for real).
 *
 * PostgreSQL refuses to run as root; when this process is root, every PostgreSQL
 * program runs as the system user `postgres` (which the Debian package creates) and
 * the data directory is handed to that user.
 */
export class PostgresServer {
  /** A new cluster (`initdb`), started as a primary. */
  static async startPrimary(options: PostgresPrimaryOptions): Promise<PostgresServer> {
    const bin = findPostgresBinaries();
    const password = options.superuserPassword ?? 'postgres';
    await prepareDataDir(options.dataDir);
    const pwfile = `${options.dataDir}.pw`;
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    await handToServerUser(pwfile);
    try {
      await runAsServerUser(join(bin, 'initdb'), [
        '-D', options.dataDir, '-U', 'postgres', '--pwfile', pwfile, '-E', 'UTF8', '--locale', 'C',
        '--auth-host', 'scram-sha-256', '--auth-local', 'trust', '--no-sync', '--no-instructions',
      ]);
    } finally {
      rmSync(pwfile, { force: true });
    }
    const server = new PostgresServer(bin, options, password);
    await server.launch(options.port ?? (await findFreePort()));
    return server;
  }

  /** A standby of `primary`: cloned with `pg_basebackup`, then started with `standby.signal`. */
  static async startStandby(primary: PostgresEndpoint, options: PostgresServerOptions): Promise<PostgresServer> {
    const bin = findPostgresBinaries();
    const server = new PostgresServer(bin, options, primary.password);
    await server.cloneFrom(primary);
    await server.launch(options.port ?? (await findFreePort()));
    return server;
  }

  readonly name: string;
  port = 0;
  private process: WatchedServer | undefined;

  private constructor(
    private readonly bin: string,
    private readonly options: PostgresServerOptions,
    /** The superuser's password (a standby's is its primary's: the clone copies the users). */
    readonly password: string,
  ) {
    this.name = options.name ?? 'postgres';
  }

  get dataDir(): string {
    return this.options.dataDir;
  }

  /** How to reach this server as the superuser. */
  get endpoint(): PostgresEndpoint {
    return { host: '127.0.0.1', port: this.port, user: 'postgres', password: this.password };
  }

  get isRunning(): boolean {
    return this.process?.isRunning ?? false;
  }

  /** True while the cluster is a standby (`standby.signal` present). */
  get isStandby(): boolean {
    return existsSync(join(this.dataDir, 'standby.signal'));
  }

  /** A connected superuser client to `database` (the caller ends it). */
  async connect(database = 'postgres'): Promise<Client> {
    const client = new Client({ ...this.endpoint, database, connectionTimeoutMillis: 3000 });
    // A server that goes away later (a killed region) must not crash the caller.
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }

  /** Runs one statement as the superuser and returns its rows. */
  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = [], database = 'postgres'): Promise<T[]> {
    const client = await this.connect(database);
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Crashes the server: SIGQUIT to the postmaster, PostgreSQL's immediate shutdown (no checkpoint; crash recovery at the next start). */
  async kill(): Promise<void> {
    this.process?.signal('SIGQUIT');
    await this.process?.exited;
  }

  /** Stops the server cleanly (fast shutdown: sessions are ended, a checkpoint is written and sent to the standbys). */
  async stop(): Promise<void> {
    this.process?.signal('SIGINT');
    const timer = setTimeout(() => this.process?.signal('SIGKILL'), 10_000);
    try {
      await this.process?.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Starts the server again on the same port and data directory. */
  async restart(): Promise<void> {
    if (this.isRunning) return;
    await this.launch(this.port);
  }

  /** Promotes this standby to a primary (`pg_promote`, waiting until it accepts writes). */
  async promote(): Promise<void> {
    if (!this.isStandby) return;
    const [row] = await this.query<{ promoted: boolean }>('SELECT pg_promote(true, 30) AS promoted');
    if (!row?.promoted) throw new PostgresServerError(`${this.name}: pg_promote did not finish within 30 s`);
  }

  /** Points this standby at another primary (primary_conninfo is reloadable; the new timeline is followed). */
  async follow(primary: PostgresEndpoint): Promise<void> {
    await this.query(`ALTER SYSTEM SET primary_conninfo = '${conninfo(primary, this.name)}'`);
    await this.query('SELECT pg_reload_conf()');
  }

  /**
   * Makes this server a standby of `primary` from scratch: stops it, clones the primary
   * into its data directory and starts it again on its port. What it had that the
   * primary has not (writes an old primary acknowledged and never sent) is discarded,
   * as Aurora does when a failed primary rejoins a global database.
   */
  async rejoinAsStandby(primary: PostgresEndpoint): Promise<void> {
    await this.stop();
    await this.cloneFrom(primary);
    await this.launch(this.port);
  }

  /** The WAL position this server has written (primary) or replayed (standby). */
  async walPosition(): Promise<string> {
    const [row] = await this.query<{ lsn: string }>(
      'SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END::text AS lsn',
    );
    return row!.lsn;
  }

  private async cloneFrom(primary: PostgresEndpoint): Promise<void> {
    await prepareDataDir(this.dataDir);
    await runAsServerUser(
      join(this.bin, 'pg_basebackup'),
      ['-h', primary.host, '-p', String(primary.port), '-U', primary.user, '-D', this.dataDir, '-X', 'stream', '-c', 'fast', '--no-sync'],
      { PGPASSWORD: primary.password },
    );
    writeFileSync(join(this.dataDir, 'standby.signal'), '');
    writeFileSync(join(this.dataDir, 'postgresql.auto.conf'), `primary_conninfo = '${conninfo(primary, this.name)}'\n`);
    await handToServerUser(this.dataDir);
  }

  private async launch(port: number): Promise<void> {
    this.port = port;
    const args = [join(this.bin, 'postgres'), '-D', this.dataDir, '-p', String(port), ...SERVER_SETTINGS.flatMap((s) => ['-c', s])];
    this.process = new WatchedServer(args, {
      watchdog: WATCHDOG,
      killAtExitSignal: 'SIGQUIT',
      tailLines: OUTPUT_TAIL,
      spawnOptions: serverUserIds(),
      onLine: (line) => this.options.onOutput?.(line),
    });
    await this.waitUntilReady();
  }

  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (!this.isRunning) {
        throw new PostgresServerError(`${this.name}: PostgreSQL exited during start-up on port ${this.port}:\n${this.process?.tail.join('\n') ?? ''}`);
      }
      try {
        const client = new Client({ ...this.endpoint, database: 'postgres', connectionTimeoutMillis: 1000 });
        client.on('error', () => undefined);
        await client.connect();
        await client.end();
        if (this.process?.serverPid) return;
      } catch {
        // not accepting connections yet ("the database system is starting up")
      }
      if (Date.now() > deadline) {
        await this.kill().catch(() => undefined);
        throw new PostgresServerError(`${this.name}: PostgreSQL did not accept connections on port ${this.port} within 60 s:\n${this.process?.tail.join('\n') ?? ''}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function conninfo(primary: PostgresEndpoint, applicationName: string): string {
  return `host=${primary.host} port=${primary.port} user=${primary.user} password=${primary.password} application_name=${applicationName.replace(/[^\w-]/g, '_')} connect_timeout=2`;
}

/**
 * The directory holding `initdb`, `pg_basebackup` and `postgres`: Debian keeps them in
 * `/usr/lib/postgresql/<version>/bin` (not on the PATH); elsewhere `pg_config --bindir`
 * or the PATH. Newest version first.
 */
export function findPostgresBinaries(env: NodeJS.ProcessEnv = process.env): string {
  const candidates: string[] = [];
  if (env.PG_BIN_DIR) candidates.push(env.PG_BIN_DIR);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    // no pg_config on the PATH
  }
  for (const dir of (env.PATH ?? '').split(':')) if (dir) candidates.push(dir);
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')) && existsSync(join(dir, 'pg_basebackup')));
  if (!found) {
    throw new PostgresServerError(
      'PostgreSQL is not installed: no directory with initdb, postgres and pg_basebackup was found (looked in $PG_BIN_DIR, /usr/lib/postgresql/<version>/bin, `pg_config --bindir` and the PATH). ' +
        'Install it (Debian/Ubuntu: `apt-get install -y postgresql`; macOS: `brew install postgresql@16`) or set PG_BIN_DIR.',
    );
  }
  return found;
}

let serverUser: { uid: number; gid: number } | null | undefined;

/** When this process is root: the uid/gid of the `postgres` user that PostgreSQL programs run as. */
function serverUserIds(): { uid?: number; gid?: number } {
  if (serverUser === undefined) {
    if (process.getuid?.() !== 0) serverUser = null;
    else {
      try {
        const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
        const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
        serverUser = { uid, gid };
      } catch {
        throw new PostgresServerError(
          'this process runs as root, and PostgreSQL refuses to run as root, but there is no system user "postgres" to run it as. ' +
            'Create one (`useradd --system postgres`; Debian\'s postgresql package does) or run as a normal user.',
        );
      }
    }
  }
  return serverUser ?? {};
}

/** Runs a PostgreSQL program as the server's user; asynchronous, so that a clone does not stall the caller's event loop (a front door, health checks). */
function runAsServerUser(program: string, args: string[], extraEnv: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(program, args, { ...serverUserIds(), env: { ...process.env, ...extraEnv }, cwd: '/', timeout: 120_000 }, (err, _stdout, stderr) => {
      if (err) reject(new PostgresServerError(`${program.split('/').pop()} failed: ${String(stderr).trim() || err.message}`));
      else resolve();
    });
  });
}

// Asynchronous throughout: a data directory holds about a thousand files, and the
// process running the harness may also run a front door and health checks, which a
// synchronous rm or chown of the tree would stall (seen as a write outage).
async function prepareDataDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await handToServerUser(dir);
}

/** Gives `path` (recursively) to the server's user when running as root, and makes it reachable. */
async function handToServerUser(path: string): Promise<void> {
  const ids = serverUserIds();
  if (ids.uid === undefined) return;
  await new Promise<void>((resolve, reject) =>
    execFile('chown', ['-R', `${ids.uid}:${ids.gid}`, path], (err, _o, stderr) => (err ? reject(new PostgresServerError(`chown ${path} failed: ${String(stderr).trim()}`)) : resolve())),
  );
  // The server's user must be able to reach the path: temporary directories made by
  // mkdtemp (mode 700) on the way get search permission for others (o+x, not read).
  const tmp = resolve(tmpdir());
  for (let dir = resolve(path, '..'); dir.startsWith(`${tmp}/`); dir = resolve(dir, '..')) {
    const st = statSync(dir);
    if ((st.mode & 0o001) === 0 && st.uid !== ids.uid) chmodSync(dir, (st.mode & 0o777) | 0o001);
  }
}

/** Creates a login role with a password and a database it owns (idempotent). */
export async function createDatabase(server: PostgresServer, options: { database: string; user: string; password: string }): Promise<void> {
  const exists = await server.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [options.user]);
  if (exists.length === 0) await server.query(`CREATE ROLE "${options.user}" LOGIN PASSWORD '${options.password.replace(/'/g, "''")}'`);
  const db = await server.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.database]);
  if (db.length === 0) await server.query(`CREATE DATABASE "${options.database}" OWNER "${options.user}"`);
}
