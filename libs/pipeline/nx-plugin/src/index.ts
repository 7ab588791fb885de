import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateNodesV2 } from '@nx/devkit';
import { DEFAULT_CONFIG_PATH, isUserError, loadPlatform, type Platform } from '@platform/config';
import { type PlatformStacksPluginOptions, platformProjects, resolveOptions } from './stack-projects';

export * from './stack-projects';

/** The platform config the plugin reads; a change to it re-creates the stack projects. */
export const PLATFORM_CONFIG_GLOB = DEFAULT_CONFIG_PATH;

/**
 * Infers one Nx project per Terraform stack of the platform config, and the
 * root-level `synth` of the stacks program. Nobody writes a project.json per stack.
 */
export const createNodesV2: CreateNodesV2<PlatformStacksPluginOptions> = [
  PLATFORM_CONFIG_GLOB,
  (configFiles, rawOptions, context) => {
    let options = resolveOptions(rawOptions);
    // A hand-written project.json of the stacks program keeps its name.
    const existing = join(context.workspaceRoot, options.stacksRoot, 'project.json');
    if (existsSync(existing)) {
      const name = (JSON.parse(readFileSync(existing, 'utf8')) as { name?: string }).name;
      if (name) options = { ...options, stacksProject: name };
    }
    return configFiles.map((file) => {
      const platform = loadConfigOrExit(join(context.workspaceRoot, file));
      const missingApps = missingAppErrors(platform, file, (app) => existsSync(join(context.workspaceRoot, 'apps', app, 'project.json')));
      return [file, { projects: platformProjects(platform, file, options, missingApps) }] as const;
    });
  },
];

/**
 * Loads the platform config; a config error ends the Nx command with that error's own
 * lines on stderr and exit code 1, and nothing else. Thrown instead, Nx would wrap it in
 * "Failed to process project graph", the plugin's path and a `--verbose` hint. That
 * needs the plugin in Nx's own process (`NX_ISOLATE_PLUGINS=false`, set in the
 * workspace's `.env`, which Nx loads first): an isolated plugin worker that exits is
 * reported as a crash. On the Nx daemon the error is thrown, so the daemon lives on and
 * its client prints it under Nx's heading.
 */
export function loadConfigOrExit(file: string, exit: (lines: string) => never = exitWith): Platform {
  try {
    return loadPlatform(file);
  } catch (err) {
    const isolated = process.env.NX_ISOLATE_PLUGINS !== 'false';
    const onDaemon = Boolean((globalThis as { NX_DAEMON?: unknown }).NX_DAEMON);
    // Only the nx command line may be ended: not a test or a tool that loads the plugin.
    // Its main module, resolved (`npx nx` runs node_modules/.bin/nx, a link to it).
    const inNxCli = /[\\/]nx[\\/](dist[\\/])?bin[\\/]nx\.js$/.test(require.main?.filename ?? '');
    if (!isUserError(err) || isolated || onDaemon || !inNxCli) throw err;
    return exit(err.message);
  }
}

function exitWith(lines: string): never {
  process.stderr.write(`${lines}\n`);
  process.exit(1);
}

/**
 * The apps the config's services deploy that are not projects in apps/, each with the
 * one-line error its stacks' targets fail with. Such a service must not break the
 * project graph (Nx would fail every command on an implicit dependency to a project
 * that does not exist, including the generator that would create the app).
 */
export function missingAppErrors(platform: Platform, configFile: string, appExists: (app: string) => boolean): Map<string, string> {
  const errors = new Map<string, string>();
  for (const service of platform.services) {
    if (appExists(service.app) || errors.has(service.app)) continue;
    errors.set(
      service.app,
      `${configFile}: services.${service.name} deploys app "${service.app}" but apps/${service.app}/project.json does not exist; create it with npx nx g @platform/nx-plugin:service --name=${service.name} (or remove the service from the config)`,
    );
  }
  return errors;
}

/** Nx 22+ reads `createNodes`; older Nx reads `createNodesV2`. Same function. */
export const createNodes = createNodesV2;
