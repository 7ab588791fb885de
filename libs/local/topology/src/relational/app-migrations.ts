import { execFile } from 'node:child_process';
import { MIGRATE_TARGET, UserError, appProjectPath, readAppTargets } from '@platform/config';
import type { DatabaseConnection } from '@platform/local-data-layer';

/**
 * The migrations of `app` as a function for {@link RelationalDataLayer}: runs the
 * command of the app's `migrate` target (what `nx run <app>:migrate` and the rollout
 * run) against the local primary, with the password in PGPASSWORD. Read from the app's
 * project file at run time, so the local topology depends on no service's code.
 */
export function appMigrations(workspaceRoot: string, app: string): (connection: DatabaseConnection) => Promise<string> {
  return (connection) => {
    const command = readAppTargets(workspaceRoot, app)?.[MIGRATE_TARGET]?.command;
    if (!command) {
      return Promise.reject(new UserError(`${appProjectPath(app)} has no "${MIGRATE_TARGET}" target with a command; the local database of a service on Aurora gets its schema from it`));
    }
    const args = ['--host', connection.host, '--port', String(connection.port), '--database', connection.database, '--user', connection.user];
    return new Promise((resolve, reject) => {
      // "$@" appends the arguments as Nx's run-commands does, without a second round of shell parsing.
      execFile('/bin/sh', ['-c', `${command} "$@"`, MIGRATE_TARGET, ...args], { cwd: workspaceRoot, env: { ...process.env, PGPASSWORD: connection.password }, timeout: 120_000 }, (err, stdout, stderr) => {
        const output = `${stdout}${stderr}`.trim();
        if (err) reject(new Error(`${app}:${MIGRATE_TARGET} failed against the local primary: ${output.split('\n').slice(-3).join(' | ') || err.message}`));
        else resolve(output);
      });
    });
  };
}
