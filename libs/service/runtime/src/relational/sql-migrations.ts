import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** Table in which node-pg-migrate records the migrations applied. */
export const MIGRATIONS_TABLE = 'pgmigrations';

/** Options of {@link runSqlMigrations}. */
export interface SqlMigrationsOptions {
  /** The folder of the SQL migration files (`<timestamp>_<name>.sql`, applied in name order). */
  readonly migrationsDir: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** A password or an IAM authentication token. */
  readonly password: string;
  /** TLS, `sslmode=require` (which node-postgres verifies as `verify-full`). @default false */
  readonly ssl?: boolean;
  /** @default "up" */
  readonly direction?: 'up' | 'down';
  /** Workspace root, where node_modules/node-pg-migrate lives. @default - the current directory */
  readonly workspaceRoot?: string;
}

/**
 * Applies a service's SQL migrations with node-pg-migrate's own CLI (the package is
 * ESM-only; its CLI also takes the advisory lock that keeps two deploys from migrating
 * at once). Resolves with the CLI's output; rejects with its last lines when it fails.
 * What an app's deploy-time `migrate` target runs; never the Lambda at cold start.
 */
export function runSqlMigrations(options: SqlMigrationsOptions): Promise<string> {
  const root = options.workspaceRoot ?? process.cwd();
  const cli = join(root, 'node_modules', 'node-pg-migrate', 'bin', 'node-pg-migrate.js');
  const url = new URL('postgres://127.0.0.1/');
  url.hostname = options.host;
  url.port = String(options.port);
  url.pathname = `/${options.database}`;
  url.username = encodeURIComponent(options.user);
  url.password = encodeURIComponent(options.password);
  if (options.ssl) url.searchParams.set('sslmode', 'require');
  const args = [cli, options.direction ?? 'up', '--migrations-dir', options.migrationsDir, '--migrations-table', MIGRATIONS_TABLE, '--migration-file-language', 'sql', '--no-check-order'];
  return new Promise((resolve, reject) => {
    // The URL travels in the environment, never on a command line that `ps` shows.
    execFile(process.execPath, args, { env: { ...process.env, DATABASE_URL: url.toString() }, cwd: root, timeout: 120_000 }, (err, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim();
      if (err) reject(new Error(`migrations failed: ${output.split('\n').slice(-5).join(' | ') || err.message}`));
      else resolve(output);
    });
  });
}
