import * as fs from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import { ConfigError, ConfigProblem, formatPath } from './config-error';
import { PlatformConfig, ServiceConfig, platformConfigSchema } from './schema';

/** Layer of a stack: one global stack per service and environment, one regional stack per region. */
export type StackLayer = 'global' | 'regional';

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

/** A validated platform: the config plus everything derived from it. */
export interface Platform {
  readonly config: PlatformConfig;
  readonly services: readonly ResolvedService[];
  readonly stacks: readonly StackSpec[];
  /** Where the config came from (for messages). */
  readonly source: string;
}

/**
 * Managed policy that bounds every IAM role the stacks create. The bootstrap creates it
 * in each environment account, and the deploy role may create or change a role only
 * with it attached, so a pipeline cannot mint a role more powerful than a workload needs.
 */
export const WORKLOAD_PERMISSIONS_BOUNDARY = 'platform-workload-boundary';

/** The repository's example platform config. */
export const DEFAULT_CONFIG_PATH = 'config/platform.json';

/** Reads, parses and validates a platform config file. Throws ConfigError. */
export function loadPlatform(file: string = DEFAULT_CONFIG_PATH): Platform {
  const source = path.relative(process.cwd(), path.resolve(file)) || file;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw new ConfigError(source, [{ path: '', message: `cannot read the config: ${reason}` }]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(source, [{ path: '', message: `not valid JSON: ${describeJsonError(text, err as Error)}` }]);
  }
  return parsePlatform(raw, source);
}

/** Validates an already-parsed config object. Throws ConfigError listing every problem. */
export function parsePlatform(raw: unknown, source = '<inline config>'): Platform {
  const parsed = platformConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(source, parsed.error.issues.map((issue) => zodProblem(issue, raw)));
  }
  const config = parsed.data;
  const problems = checkConsistency(config);
  const services = resolveServices(config);
  const stacks = problems.length === 0 ? planStacks(config, services) : [];
  problems.push(...checkStackNames(stacks));
  if (problems.length > 0) throw new ConfigError(source, problems);
  return { config, services, stacks, source };
}

function resolveServices(config: PlatformConfig): ResolvedService[] {
  return Object.entries(config.services).map(([name, svc]) => ({
    ...svc,
    name,
    app: svc.app ?? `${name}-api`,
    environments: svc.environments ?? Object.keys(config.environments),
  }));
}

/** Derives every stack of the platform from a valid config. */
export function planStacks(config: PlatformConfig, services: readonly ResolvedService[]): StackSpec[] {
  const stacks: StackSpec[] = [];
  const prefix = config.stateBackend.keyPrefix.replace(/\/+$/, '');
  for (const svc of services) {
    for (const envName of svc.environments) {
      const env = config.environments[envName];
      const globalName = `${svc.name}-${envName}-global`;
      stacks.push({
        name: globalName,
        service: svc.name,
        environment: envName,
        layer: 'global',
        region: env.regions[0],
        regions: env.regions,
        accountId: env.accountId,
        stateKey: `${prefix}/${globalName}.tfstate`,
      });
      for (const region of env.regions) {
        const name = `${svc.name}-${envName}-${region}`;
        stacks.push({
          name,
          service: svc.name,
          environment: envName,
          layer: 'regional',
          region,
          regions: [region],
          accountId: env.accountId,
          stateKey: `${prefix}/${name}.tfstate`,
          app: svc.app,
          globalStack: globalName,
        });
      }
    }
  }
  return stacks;
}

/** Name of the S3 bucket of a service in one region; bucket names are global to AWS. */
export function bucketName(config: PlatformConfig, service: string, environment: string, region: string): string {
  return `${config.organization}-${service}-${environment}-${region}`;
}

function checkConsistency(config: PlatformConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [envName, env] of Object.entries(config.environments)) {
    for (const region of Object.keys(env.network)) {
      if (!env.regions.includes(region)) {
        problems.push({
          path: `environments.${envName}.network.${region}`,
          message: `network for region "${region}", which is not one of the environment's regions (${env.regions.join(', ')})`,
        });
      }
    }
    const seen = new Map<string, number>();
    env.regions.forEach((region, i) => {
      const first = seen.get(region);
      if (first !== undefined) {
        problems.push({
          path: `environments.${envName}.regions[${i}]`,
          message: `duplicate region "${region}" (already at regions[${first}]); list each region once`,
        });
      } else {
        seen.set(region, i);
      }
    });
  }

  for (const [svcName, svc] of Object.entries(config.services)) {
    const at = `services.${svcName}`;
    const envNames = svc.environments ?? Object.keys(config.environments);
    (svc.environments ?? []).forEach((envName, i) => {
      if (!config.environments[envName]) {
        problems.push({
          path: `${at}.environments[${i}]`,
          message: `unknown environment "${envName}"; defined: ${Object.keys(config.environments).join(', ')}`,
        });
      }
    });
    const knownEnvs = envNames.filter((e) => config.environments[e]);
    const serviceRegions = new Set(knownEnvs.flatMap((e) => config.environments[e].regions));

    const weights = svc.routing.weights;
    if (Object.keys(weights).length > 0 && svc.routing.policy !== 'weighted') {
      problems.push({
        path: `${at}.routing.weights`,
        message: `weights are set but routing.policy is "${svc.routing.policy}"; set policy to "weighted" or remove the weights`,
      });
    }
    for (const region of Object.keys(weights)) {
      if (!serviceRegions.has(region)) {
        problems.push({
          path: `${at}.routing.weights.${region}`,
          message: `weight for region "${region}", which no environment of this service uses (regions: ${[...serviceRegions].join(', ')})`,
        });
      }
    }
    if (svc.routing.policy === 'weighted') {
      for (const envName of knownEnvs) {
        const regions = config.environments[envName].regions;
        if (regions.every((r) => effectiveWeight(svc, r, regions.length) === 0)) {
          problems.push({
            path: `${at}.routing.weights`,
            message: `every region of environment "${envName}" has weight 0, so DNS would answer with no region; give at least one a weight above 0`,
          });
        }
      }
    }
    if (svc.routing.policy === 'failover') {
      for (const envName of knownEnvs) {
        const regions = config.environments[envName].regions;
        if (regions.length > 2) {
          problems.push({
            path: `${at}.routing.policy`,
            message: `failover routing has one primary and one secondary, but environment "${envName}" has ${
              regions.length
            } regions (${regions.join(', ')}); use latency or weighted routing, or deploy the service to two regions`,
          });
        }
      }
    }
    if (svc.healthCheck.lambdaErrorAlarm) {
      for (const envName of knownEnvs) {
        const env = config.environments[envName];
        if (env.dns.accountId && env.dns.accountId !== env.accountId) {
          problems.push({
            path: `${at}.healthCheck.lambdaErrorAlarm`,
            message: `environment "${envName}" keeps DNS in account ${env.dns.accountId}, and a Route53 metric health check can only watch alarms of its own account; turn lambdaErrorAlarm off for this service`,
          });
        }
      }
    }
    problems.push(...checkDataLayers(config, svcName, svc, knownEnvs));
    if (svc.edgeCache.mode === 'invalidate' && !svc.edgeCache.enabled) {
      problems.push({
        path: `${at}.edgeCache.mode`,
        message: 'mode "invalidate" needs the edge cache; set edgeCache.enabled to true or use mode "ttl"',
      });
    }
    for (const envName of knownEnvs) {
      for (const region of config.environments[envName].regions) {
        const bucket = bucketName(config, svcName, envName, region);
        if (bucket.length > 63) {
          problems.push({
            path: at,
            message: `S3 bucket name "${bucket}" would be ${bucket.length} characters (max 63); shorten the organization, service or environment name`,
          });
        }
      }
    }
  }
  return problems;
}

/**
 * Limits of AWS's cross-region offerings (Aurora user guide "Using Amazon Aurora
 * global databases": up to 10 secondary regions since May 2025; ElastiCache user
 * guide "Replication across AWS Regions using global datastores": up to two).
 */
export const MAX_SECONDARY_REGIONS = { aurora: 10, cache: 2 } as const;

/** Why an Aurora engine version cannot be a global database, or undefined when it can. */
export function auroraGlobalVersionProblem(engine: string, version: string): string | undefined {
  if (engine === 'aurora-postgresql') {
    const m = /^(\d+)\.(\d+)$/.exec(version);
    if (!m) return `"${version}" is not an Aurora PostgreSQL version such as 16.4`;
    const major = Number(m[1]);
    if (major < 13) {
      return `Aurora PostgreSQL ${version} cannot start a new global database (majors before 13 are out of standard support); use 13 to 17`;
    }
    return undefined;
  }
  if (/^5\.7\.mysql_aurora\.2\./.test(version)) {
    return `Aurora MySQL ${version} (version 2) is out of standard support and cannot start a new global database; use 8.0.mysql_aurora.3.x`;
  }
  if (!/^8\.0\.mysql_aurora\.3\.\d+\.\d+$/.test(version)) {
    return `"${version}" is not an Aurora MySQL version such as 8.0.mysql_aurora.3.08.0`;
  }
  return undefined;
}

function checkDataLayers(config: PlatformConfig, svcName: string, svc: ServiceConfig, envNames: readonly string[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const at = `services.${svcName}`;
  const layers = [
    ...(svc.aurora ? [['aurora', 'Aurora'] as const] : []),
    ...(svc.cache ? [['cache', 'the cache'] as const] : []),
  ];
  if (svc.aurora) {
    const problem = auroraGlobalVersionProblem(svc.aurora.engine, svc.aurora.engineVersion);
    if (problem) problems.push({ path: `${at}.aurora.engineVersion`, message: problem });
  }
  for (const [layer, what] of layers) {
    for (const envName of envNames) {
      const env = config.environments[envName];
      const missing = env.regions.filter((r) => !env.network[r]);
      if (missing.length > 0) {
        problems.push({
          path: `environments.${envName}.network`,
          message: `${what} of service "${svcName}" needs a network in every region of "${envName}"; missing: ${missing.join(', ')} (add { "vpc": {...}, "privateSubnets": {...} } per region)`,
        });
      }
      const secondaries = env.regions.length - 1;
      if (secondaries > MAX_SECONDARY_REGIONS[layer]) {
        problems.push({
          path: `${at}.${layer}`,
          message: `${what} allows at most ${MAX_SECONDARY_REGIONS[layer]} secondary regions, but "${envName}" has ${secondaries} (${env.regions.slice(1).join(', ')})`,
        });
      }
    }
  }
  return problems;
}

/** Route53 weight of a region: the configured one, or 255 split evenly. */
export function effectiveWeight(svc: Pick<ServiceConfig, 'routing'>, region: string, regionCount: number): number {
  return svc.routing.weights[region] ?? Math.floor(255 / regionCount);
}

/**
 * Two stacks must not share a name. State keys are `<prefix>/<name>.tfstate`, so a
 * name clash is also the only way two stacks could share a state key.
 */
function checkStackNames(stacks: readonly StackSpec[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const byName = new Map<string, StackSpec>();
  for (const stack of stacks) {
    const clash = byName.get(stack.name);
    if (clash) {
      problems.push({
        path: `services.${stack.service}`,
        message: `stack name "${stack.name}" of service "${stack.service}" in environment "${stack.environment}" is also the name of a stack of service "${clash.service}" in environment "${clash.environment}"; rename the service or the environment`,
      });
    } else {
      byName.set(stack.name, stack);
    }
  }
  return problems;
}

function zodProblem(issue: z.core.$ZodIssue, raw: unknown): ConfigProblem {
  const at = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    return { path: at, message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${keys}; check the spelling` };
  }
  if (issue.code === 'invalid_key') {
    const key = issue.path[issue.path.length - 1];
    return { path: at, message: `${issue.issues.map((i) => i.message).join('; ')} (got ${JSON.stringify(String(key))})` };
  }
  const value = valueAt(raw, issue.path);
  if (value.found === false) {
    return { path: at, message: `missing; ${issue.message}` };
  }
  let message = issue.message;
  if (issue.code === 'invalid_value') {
    message = `unknown value; expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  } else if (issue.code === 'invalid_type' && message.startsWith('Invalid input')) {
    message = `expected ${issue.expected}`;
  }
  return { path: at, message: `${message} (got ${preview(value.value)})` };
}

function valueAt(raw: unknown, p: readonly PropertyKey[]): { found: true; value: unknown } | { found: false } {
  let cur: unknown = raw;
  for (const key of p) {
    if (cur === null || typeof cur !== 'object' || !(key in (cur as object))) return { found: false };
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return { found: true, value: cur };
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describeJsonError(text: string, err: Error): string {
  const m = /position (\d+)/.exec(err.message);
  if (!m) return err.message;
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `${err.message.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${column}`;
}
