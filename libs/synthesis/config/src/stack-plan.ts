import type { PlatformConfig, ServiceConfig } from './schema';
import { type StackLayer, appName, globalStackName, regionalStackName, stateKey } from './service-contract';

/** A service with every default resolved. */
export interface ResolvedService extends ServiceConfig {
  readonly name: string;
  /** Nx project in apps/ deployed by the regional stacks. */
  readonly app: string;
  readonly environments: string[];
}

/** Everything needed to name, place and build one Terraform stack. */
export interface StackSpec {
  /** `<service>-<env>-global` or `<service>-<env>-<region>`. */
  readonly name: string;
  readonly service: string;
  readonly environment: string;
  readonly layer: StackLayer;
  /** The region of a regional stack; the primary region of a global stack. */
  readonly region: string;
  /** Every region the stack declares a provider for, primary first. */
  readonly regions: readonly string[];
  readonly accountId: string;
  /** Key of the stack's state object in the state bucket. */
  readonly stateKey: string;
  /** The app a regional stack deploys; undefined for global stacks. */
  readonly app?: string;
  /** Name of the global stack a regional stack reads from. */
  readonly globalStack?: string;
}

/** The services of a parsed config, with their app and environments resolved. */
export function resolveServices(config: PlatformConfig): ResolvedService[] {
  return Object.entries(config.services).map(([name, svc]) => ({
    ...svc,
    name,
    app: appName(name, svc),
    environments: svc.environments ?? Object.keys(config.environments),
  }));
}

/** Derives every stack of the platform from a valid config. */
export function planStacks(config: PlatformConfig, services: readonly ResolvedService[]): StackSpec[] {
  const stacks: StackSpec[] = [];
  const prefix = config.stateBackend.keyPrefix;
  for (const svc of services) {
    for (const envName of svc.environments) {
      const env = config.environments[envName];
      const globalName = globalStackName(svc.name, envName);
      stacks.push({
        name: globalName,
        service: svc.name,
        environment: envName,
        layer: 'global',
        region: env.regions[0],
        regions: env.regions,
        accountId: env.accountId,
        stateKey: stateKey(prefix, envName, globalName),
      });
      for (const region of env.regions) {
        const name = regionalStackName(svc.name, envName, region);
        stacks.push({
          name,
          service: svc.name,
          environment: envName,
          layer: 'regional',
          region,
          regions: [region],
          accountId: env.accountId,
          stateKey: stateKey(prefix, envName, name),
          app: svc.app,
          globalStack: globalName,
        });
      }
    }
  }
  return stacks;
}
