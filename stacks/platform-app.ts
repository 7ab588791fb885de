import type { App } from 'cdktf';
import { type Platform, serviceContract } from '@platform/config';
import { lambdaArtifact, type PlatformStack } from '@platform/constructs';
import { ServiceGlobalStack } from './service-global-stack';
import { ServiceRegionalStack } from './service-regional-stack';

/** Options of {@link buildPlatform}. */
export interface BuildPlatformOptions {
  /** Root of the workspace, where the apps' build output lives. */
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

  for (const spec of platform.stacks) {
    const service = services.get(spec.service)!;
    const contract = serviceContract(platform.config, spec.service, spec.environment);
    const env = platform.config.environments[spec.environment];
    if (spec.layer === 'global') {
      const stack = new ServiceGlobalStack(app, contract, service, env);
      globals.set(spec.name, stack);
      stacks.push(stack);
    } else {
      const artifact = lambdaArtifact(options.workspaceRoot, contract.app, contract.artifactPath);
      const stack = new ServiceRegionalStack(app, contract, service, env, spec.region, artifact);
      // Remote state is read explicitly, so cdktf cannot infer the order itself.
      stack.addDependency(globals.get(spec.globalStack!)!);
      stacks.push(stack);
    }
  }
  return stacks;
}
