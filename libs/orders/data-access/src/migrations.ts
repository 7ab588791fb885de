import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** The orders schema's migrations (node-pg-migrate SQL files, applied in name order). */
export const ORDERS_MIGRATIONS_DIR = join(__dirname, '..', 'migrations');
/** Table in which node-pg-migrate records the migrations applied. */
export const MIGRATIONS_TABLE = 'pgmigrations';

/** Options of {@link runMigrations}. */
export interface RunMigrationsOptions {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** A password or an IAM authentication token. */
  readonly password: string;
  readonly ssl?: boolean;
  /** @default "up" */
  readonly direction?: 'up' | 'down';
  /** Workspace root, where node_modules/node-pg-migrate lives. @default - found from this file */
  readonly workspaceRoot?: string;
}

/**
 * Applies the orders migrations with node-pg-migrate's own CLI (the package is ESM-only;
 * its CLI also takes the advisory lock that keeps two deploys from migrating at once).
 * Resolves with the CLI's output; rejects with it when the CLI fails. Run by the
 * deploy-time target `orders-api:migrate`, never by the Lambda at cold start.
 */
export function runMigrations(options: RunMigrationsOptions): Promise<string> {
  const root = options.workspaceRoot ?? join(__dirname, '..', '..', '..', '..');
  const cli = join(root, 'node_modules', 'node-pg-migrate', 'bin', 'node-pg-migrate.js');
  const url = new URL(`postgres://127.0.0.1/`);
  url.hostname = options.host;
  url.port = String(options.port);
  url.pathname = `/${options.database}`;
  url.username = encodeURIComponent(options.user);
  url.password = encodeURIComponent(options.password);
  if (options.ssl) url.searchParams.set('sslmode', 'require');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [cli, options.direction ?? 'up', '--migrations-dir', ORDERS_MIGRATIONS_DIR, '--migrations-table', MIGRATIONS_TABLE, '--migration-file-language', 'sql', '--no-check-order'],
      // The URL travels in the environment, never on a command line that `ps` shows.
      { env: { ...process.env, DATABASE_URL: url.toString() }, cwd: root, timeout: 120_000 },
      (err, stdout, stderr) => {
        const output = `${stdout}${stderr}`.trim();
        if (err) reject(new Error(`migrations failed: ${output.split('\n').slice(-5).join(' | ') || err.message}`));
        else resolve(output);
      },
    );
  });
}
