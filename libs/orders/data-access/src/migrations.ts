import { join } from 'node:path';
import { MIGRATIONS_TABLE, runSqlMigrations, type SqlMigrationsOptions } from '@platform/service-runtime/relational';

/** The orders schema's migrations (node-pg-migrate SQL files, applied in name order). */
export const ORDERS_MIGRATIONS_DIR = join(__dirname, '..', 'migrations');
/** Table in which node-pg-migrate records the migrations applied. */
export { MIGRATIONS_TABLE };

/** Options of {@link runMigrations}: where to connect, as for {@link runSqlMigrations}. */
export type RunMigrationsOptions = Omit<SqlMigrationsOptions, 'migrationsDir'>;

/**
 * Applies the orders migrations (node-pg-migrate's CLI, with its advisory lock). Run by
 * the deploy-time target `orders-api:migrate`, never by the Lambda at cold start.
 */
export function runMigrations(options: RunMigrationsOptions): Promise<string> {
  return runSqlMigrations({ workspaceRoot: join(__dirname, '..', '..', '..', '..'), ...options, migrationsDir: ORDERS_MIGRATIONS_DIR });
}
