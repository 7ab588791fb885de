import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ConfigProblem } from './config-error';
import type { Platform } from './parse';

/**
 * The Nx target of a service's app that applies the schema migrations of its database:
 * the rollout runs it against the writer before the service's first regional wave, and
 * the local topology runs it against the local primary.
 */
export const MIGRATE_TARGET = 'migrate';

/** An app's Nx project file, relative to the workspace root. */
export function appProjectPath(app: string): string {
  return path.join('apps', app, 'project.json');
}

/** One target of an app's project.json, as far as the platform reads it. */
export interface AppTarget {
  /** The shell command of an `nx:run-commands` target. */
  readonly command?: string;
}

/** The targets of `apps/<app>/project.json`, or undefined when the app has no project file (not created yet). */
export function readAppTargets(workspaceRoot: string, app: string): Readonly<Record<string, AppTarget>> | undefined {
  const file = path.join(workspaceRoot, appProjectPath(app));
  if (!fs.existsSync(file)) return undefined;
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { targets?: Record<string, AppTarget> }).targets ?? {};
}

/**
 * The services with Aurora or a cache whose app exists but has no `migrate` target:
 * nothing would create their schema, so the database (and the cache beside it) would be
 * built for an app that cannot use it. One problem per layer, at its config path. An
 * app that does not exist yet is not judged here (its stacks need its bundle anyway).
 */
export function dataLayerAppProblems(platform: Platform, targetsOf: (app: string) => Readonly<Record<string, AppTarget>> | undefined): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const service of platform.services) {
    const layers = [...(service.aurora ? ['aurora'] : []), ...(service.cache ? ['cache'] : [])];
    const targets = layers.length > 0 ? targetsOf(service.app) : undefined;
    if (!targets || targets[MIGRATE_TARGET]) continue;
    for (const layer of layers) {
      problems.push({
        path: `services.${service.name}.${layer}`,
        message:
          `app ${service.app} has no "${MIGRATE_TARGET}" target in ${appProjectPath(service.app)}, so this ${layer === 'aurora' ? 'database' : 'cache'} would be built for an app that cannot use it ` +
          `(an app on Aurora or a cache applies its schema with that target, which the rollout runs before the regional stacks); add the target ` +
          `(npx nx g @platform/nx-plugin:service --name=<name> --data=aurora makes an app with one, as apps/orders-api has) or remove services.${service.name}.${layer}`,
      });
    }
  }
  return problems;
}
