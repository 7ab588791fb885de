// The one platform config the tests build on. Tests that are not about the example
// config (config/platform.json) use this instead, so a user adding a service, a region
// or an environment to the example breaks no test.
import { ConfigError } from '../config-error';
import { parsePlatform } from '../parse';
import type { PlatformConfigInput } from '../schema';

/** A service as written in the config. */
export type ServiceInput = PlatformConfigInput['services'][string];
/** An environment as written in the config. */
export type EnvironmentInput = PlatformConfigInput['environments'][string];

/** Options of {@link platformFixture}; each replaces its part of the default fixture whole. */
export interface PlatformFixtureOptions {
  /** @default "acme" */
  readonly organization?: string;
  /** Fields of the state backend to change. @default - account 000000000000, eu-west-1, bucket acme-platform-terraform-state, prefix platform */
  readonly stateBackend?: Partial<PlatformConfigInput['stateBackend']>;
  /** @default - dev (111111111111, 2 regions), staging (222222222222, 3 regions), prod (333333333333, 3 regions) */
  readonly environments?: Record<string, EnvironmentInput>;
  /** @default - `items` in every environment, `orders` in dev and prod, every option left to its default */
  readonly services?: Record<string, ServiceInput>;
}

/** The regions of staging and prod in the default fixture, primary first. */
export const FIXTURE_REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-1'] as const;

/**
 * A small, stable platform config: organization acme, state in account 000000000000,
 * dev / staging / prod in accounts 111111111111 / 222222222222 / 333333333333 with 2 / 3 / 3
 * regions, service `items` everywhere and `orders` in dev and prod. A fresh object on
 * every call, so a test may change it freely.
 */
export function platformFixture(options: PlatformFixtureOptions = {}): PlatformConfigInput {
  return structuredClone({
    organization: options.organization ?? 'acme',
    stateBackend: {
      accountId: '000000000000',
      region: 'eu-west-1',
      bucket: 'acme-platform-terraform-state',
      keyPrefix: 'platform',
      ...options.stateBackend,
    },
    environments: options.environments ?? {
      dev: { accountId: '111111111111', domain: 'dev.example.com', regions: ['eu-west-1', 'us-east-1'] },
      staging: { accountId: '222222222222', domain: 'staging.example.com', regions: [...FIXTURE_REGIONS] },
      prod: { accountId: '333333333333', domain: 'example.com', regions: [...FIXTURE_REGIONS] },
    },
    services: options.services ?? {
      items: { app: 'items-api' },
      orders: { app: 'orders-api', environments: ['dev', 'prod'] },
    },
  });
}

/** A copy of `config` with one more service (or `name` replaced). */
export function withService(config: PlatformConfigInput, name: string, service: ServiceInput = {}): PlatformConfigInput {
  const copy = structuredClone(config);
  copy.services[name] = structuredClone(service);
  return copy;
}

/** A copy of `config` with one more environment (or `name` replaced). */
export function withEnvironment(config: PlatformConfigInput, name: string, environment: EnvironmentInput): PlatformConfigInput {
  const copy = structuredClone(config);
  copy.environments[name] = structuredClone(environment);
  return copy;
}

/** A copy of `config` whose environment `name` has `region` added last (as a secondary). */
export function withRegion(config: PlatformConfigInput, name: string, region: string): PlatformConfigInput {
  const copy = structuredClone(config);
  const env = copy.environments[name];
  if (!env) throw new Error(`the fixture has no environment "${name}"`);
  env.regions = [...env.regions, region];
  return copy;
}

/**
 * The fixture the bootstrap tests use: the default accounts and environments, prod's
 * hosted zone in a separate DNS account (444444444444) reached through the role
 * `route53-records`, and only the service `items`.
 */
export function bootstrapPlatformFixture(): PlatformConfigInput {
  const config = platformFixture({ services: { items: { app: 'items-api' } } });
  config.environments.prod.dns = { zone: 'existing', accountId: '444444444444', roleName: 'route53-records' };
  return config;
}

/** The problems the loader finds in `config`, as `path: message` lines; [] when it accepts it. */
export function configProblems(config: unknown): string[] {
  try {
    parsePlatform(config, 'fixture.json');
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
}
