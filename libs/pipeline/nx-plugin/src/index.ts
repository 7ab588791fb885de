import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateNodesV2 } from '@nx/devkit';
import { DEFAULT_CONFIG_PATH, loadPlatform, type Platform } from '@platform/config';
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
      // A ConfigError thrown here names the file and every problem; Nx shows it as is.
      const platform = loadPlatform(join(context.workspaceRoot, file));
      const missingApps = missingAppErrors(platform, file, (app) => existsSync(join(context.workspaceRoot, 'apps', app, 'project.json')));
      return [file, { projects: platformProjects(platform, file, options, missingApps) }] as const;
    });
  },
];

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
