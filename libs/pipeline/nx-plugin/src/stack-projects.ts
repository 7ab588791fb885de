import type { ProjectConfiguration, TargetConfiguration } from '@nx/devkit';
import type { Platform, StackSpec } from '@platform/config';

/** Options of the platform stacks plugin (nx.json `plugins[].options`). */
export interface PlatformStacksPluginOptions {
  /**
   * Name of the Nx project of the stacks program (the one root-level `synth`).
   * When `<stacksRoot>/project.json` exists its `name` wins.
   * @default "platform-stacks"
   */
  readonly stacksProject?: string;
  /** Folder of the stacks program. @default "stacks" */
  readonly stacksRoot?: string;
  /** Command that synthesizes every stack into `outDir`. @default "node tools/synth.mjs" */
  readonly synthCommand?: string;
  /** Where synth writes `stacks/<stack>/cdk.tf.json`. @default "cdktf.out" */
  readonly outDir?: string;
  /** Where plan files, plan JSON and apply records go, one folder per stack. @default "dist/terraform" */
  readonly planDir?: string;
  /** Command that runs the Terraform runner CLI. @default "node tools/run-ts.mjs libs/pipeline/terraform-runner/src/cli.ts" */
  readonly runnerCommand?: string;
}

/** Options with every default applied. */
export type ResolvedPluginOptions = Required<PlatformStacksPluginOptions>;

export const DEFAULT_OPTIONS: ResolvedPluginOptions = Object.freeze({
  stacksProject: 'platform-stacks',
  stacksRoot: 'stacks',
  synthCommand: 'node tools/synth.mjs',
  outDir: 'cdktf.out',
  planDir: 'dist/terraform',
  runnerCommand: 'node tools/run-ts.mjs libs/pipeline/terraform-runner/src/cli.ts',
});

export function resolveOptions(options: PlatformStacksPluginOptions | undefined): ResolvedPluginOptions {
  const resolved = { ...DEFAULT_OPTIONS };
  for (const [key, value] of Object.entries(options ?? {})) {
    if (value !== undefined) (resolved as Record<string, unknown>)[key] = value;
  }
  return resolved;
}

/** Tags of a stack project; `region:global` marks the global layer. */
export function stackTags(stack: StackSpec): string[] {
  return [
    'type:stack',
    `service:${stack.service}`,
    `env:${stack.environment}`,
    `layer:${stack.layer}`,
    `region:${stack.layer === 'global' ? 'global' : stack.region}`,
  ];
}

/**
 * The parts of the platform config (dotted paths) a stack is built from. A config
 * change outside them leaves the stack as it is; see config-diff.ts.
 */
export function stackConfigFields(stack: StackSpec): string[] {
  return ['organization', 'stateBackend', `environments.${stack.environment}`, `services.${stack.service}`];
}

/**
 * The Nx projects of the platform: one per Terraform stack, rooted at the stack's
 * synthesized folder (`cdktf.out/stacks/<stack>`, which holds no source files), plus
 * the targets of the stacks program's project (`synth`, run once for all stacks).
 */
export function platformProjects(
  platform: Platform,
  configFile: string,
  options: ResolvedPluginOptions,
  /** Apps the config names that are not projects, with the error their stacks' targets fail with. @default - none */
  missingApps: ReadonlyMap<string, string> = new Map(),
): Record<string, Partial<ProjectConfiguration> & { name: string }> {
  const projects: Record<string, Partial<ProjectConfiguration> & { name: string }> = {};
  const apps = [...new Set(platform.stacks.flatMap((s) => (s.app && !missingApps.has(s.app) ? [s.app] : [])))].sort();
  const regionalsOf = new Map<string, string[]>();
  for (const stack of platform.stacks) {
    if (stack.globalStack) {
      const list = regionalsOf.get(stack.globalStack) ?? [];
      list.push(stack.name);
      regionalsOf.set(stack.globalStack, list);
    }
  }

  projects[options.stacksRoot] = {
    name: options.stacksProject,
    projectType: 'application',
    tags: ['type:stacks-program', 'scope:platform'],
    targets: {
      synth: {
        command: options.synthCommand,
        cache: true,
        // The Lambda bundles are read (and hashed) by the stacks at synth time.
        dependsOn: apps.length > 0 ? [{ target: 'build', projects: apps }] : [],
        inputs: [
          'production',
          '^production',
          // A file input: for `nx affected` any config change touches this project and,
          // through it, every stack. libs/pipeline/nx-plugin/src narrows that to the stacks whose
          // part of the config changed (see stackConfigFields).
          `{workspaceRoot}/${configFile}`,
          '{workspaceRoot}/tools/synth.mjs',
          '{workspaceRoot}/tsconfig.base.json',
          { dependentTasksOutputFiles: '**/*.zip' },
          { externalDependencies: ['cdktf', '@cdktf/provider-aws', 'constructs', 'esbuild'] },
        ],
        outputs: [`{workspaceRoot}/${options.outDir}`],
        metadata: { description: 'Synthesizes every stack of the platform (once per invocation).' },
      },
      // The stacks program's tests synthesize the config's apps too; its project.json
      // gives the command, the apps come from the config (not a second, hand-kept list).
      test: {
        dependsOn: apps.length > 0 ? [{ target: 'build', projects: apps }] : [],
      },
    },
  };

  for (const stack of platform.stacks) {
    const root = `${options.outDir}/stacks/${stack.name}`;
    const run = (verb: string, extra: string[] = []) =>
      [
        options.runnerCommand,
        verb,
        `--stack ${stack.name}`,
        `--workdir ${root}`,
        `--plan-dir ${options.planDir}/${stack.name}`,
        ...extra,
      ].join(' ');
    const synthDep = { target: 'synth', projects: [options.stacksProject] };
    const targets: Record<string, TargetConfiguration> = {
      synth: {
        executor: 'nx:noop',
        dependsOn: [synthDep],
        metadata: { description: `The stack's Terraform JSON, written by ${options.stacksProject}:synth.` },
      },
      plan: {
        command: run('plan'),
        cache: false,
        dependsOn: ['synth', '^plan'],
        metadata: { description: 'terraform init + plan to a plan file + show -json.' },
      },
      deploy: {
        command: run('deploy', stack.globalStack ? [`--after ${options.planDir}/${stack.globalStack}`] : []),
        cache: false,
        dependsOn: ['plan', '^deploy'],
        metadata: { description: 'terraform apply of exactly the plan file that plan wrote.' },
      },
      destroy: {
        command: run('destroy', [`--environment ${stack.environment}`]),
        cache: false,
        // Reverse order: a global stack goes only after every regional stack reading it.
        dependsOn: ['synth', ...(regionalsOf.has(stack.name) ? [{ target: 'destroy', projects: regionalsOf.get(stack.name)! }] : [])],
        metadata: { description: 'terraform destroy; needs PLATFORM_DESTROY=<environment>.' },
      },
      drift: {
        command: run('drift'),
        cache: false,
        dependsOn: ['synth'],
        metadata: { description: 'terraform plan -detailed-exitcode; records whether the stack drifted.' },
      },
    };
    // A stack project owns no files (its root is synth output, ignored by git), and
    // Nx's task hasher fails on a file input of such a project ("project not found"):
    // so no target of it has file inputs. Nothing of it is cached; the cached synth
    // is the stacks program's, which has the real inputs.
    for (const target of Object.values(targets)) target.inputs = [];
    const appError = stack.app ? missingApps.get(stack.app) : undefined;
    if (appError) {
      // Every target of the stack fails with the one line that says what to do.
      for (const name of Object.keys(targets)) {
        targets[name] = { command: `node -e ${JSON.stringify(`console.error(${JSON.stringify(appError)}); process.exit(1)`)}`, cache: false, inputs: [] };
      }
    }
    projects[root] = {
      name: stack.name,
      projectType: 'application',
      tags: stackTags(stack),
      implicitDependencies: [options.stacksProject, ...(stack.globalStack ? [stack.globalStack] : []), ...(stack.app && !appError ? [stack.app] : [])],
      targets,
      metadata: {
        description: `Terraform stack ${stack.name} (${stack.layer}, account ${stack.accountId}, ${stack.regions.join(', ')})`,
      },
    };
  }
  return projects;
}
