import type { App } from 'cdktf';
import type { Platform } from '@platform/config';
import { lambdaArtifact, type PlatformStack } from '@platform/constructs';
import { ServiceGlobalStack } from './service-global-stack';
import { ServiceRegionalStack } from './service-regional-stack';

/** Options of {@link buildPlatform}. */
export interface BuildPlatformOptions {
  /** Root of the workspace, where dist/apps/<app>/lambda.zip lives. */
  readonly workspaceRoot: string;
}

/**
 * Adds every stack of the platform to `app`: per service and environment one
 * global stack, and one regional stack per region that depends on it.
 */
export function buildPlatform(app: App, platform: Platform, options: BuildPlatformOptions): PlatformStack[] {
  const stacks: PlatformStack[] = [];
  const globals = new Map<string, ServiceGlobalStack>();
  const services = new Map(platform.services.map((s) => [s.name, s]));
  const specs = new Map(platform.stacks.map((s) => [s.name, s]));

  for (const spec of platform.stacks) {
    const service = services.get(spec.service)!;
    if (spec.layer === 'global') {
      const stack = new ServiceGlobalStack(app, platform, spec, service);
      globals.set(spec.name, stack);
      stacks.push(stack);
    } else {
      const globalSpec = specs.get(spec.globalStack!)!;
      const stack = new ServiceRegionalStack(
        app,
        platform,
        spec,
        service,
        globalSpec,
        lambdaArtifact(options.workspaceRoot, spec.app!),
      );
      // Remote state is read explicitly, so cdktf cannot infer the order itself.
      stack.addDependency(globals.get(spec.globalStack!)!);
      stacks.push(stack);
    }
  }
  return stacks;
}
