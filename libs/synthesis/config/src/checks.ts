// Cross-checks of a config the schema accepted: rules that look at more than one
// field. Each rule is a small function of one scope (an environment, a service, or the
// stack plan) returning its problems; the tables below run them in order.
import type { ConfigProblem } from './config-error';
import { ROUTE_METHODS, type EnvironmentConfig, type PlatformConfig, type ServiceConfig } from './schema';
import { environmentNames, nameProblems, platformNames, serviceNames } from './name-limits';
import { ACM_DOMAIN_NAMES_PER_CERTIFICATE, edgeCertificateNames, readFailoverOf } from './origin-failover';
import { LAMBDA_UNRESERVED_MINIMUM, environmentReservations, serviceContract } from './service-contract';
import type { StackSpec } from './stack-plan';

/** What an environment rule sees. */
export interface EnvironmentScope {
  readonly config: PlatformConfig;
  readonly name: string;
  readonly env: EnvironmentConfig;
  /** Config path of the environment: `environments.<name>`. */
  readonly at: string;
}

/** What a service rule sees. */
export interface ServiceScope {
  readonly config: PlatformConfig;
  readonly name: string;
  readonly svc: ServiceConfig;
  /** Config path of the service: `services.<name>`. */
  readonly at: string;
  /** The service's environments that exist (an unknown one is a problem of its own). */
  readonly environments: readonly string[];
  /** Every region of those environments. */
  readonly regions: ReadonlySet<string>;
}

/** A cross-check of one environment. */
export type EnvironmentRule = (scope: EnvironmentScope) => ConfigProblem[];
/** A cross-check of one service. */
export type ServiceRule = (scope: ServiceScope) => ConfigProblem[];

/**
 * Limits of AWS's cross-region offerings (Aurora user guide "Using Amazon Aurora
 * global databases": up to 10 secondary regions since May 2025; ElastiCache user
 * guide "Replication across AWS Regions using global datastores": up to two).
 */
export const MAX_SECONDARY_REGIONS = { aurora: 10, cache: 2 } as const;

/**
 * The weight of every region of a weighted service that gives none. Route53 sends a
 * record its weight's share of the sum of the weights
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-weighted.html),
 * so equal weights split evenly whatever their value; a constant one keeps the other
 * regions' records unchanged when a region is added or removed.
 */
export const EVEN_WEIGHT = 100;

/** Route53 weight of a region: the configured one, or {@link EVEN_WEIGHT}. */
export function effectiveWeight(svc: Pick<ServiceConfig, 'routing'>, region: string): number {
  return svc.routing.weights[region] ?? EVEN_WEIGHT;
}

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

// ---------------------------------------------------------------------------
// Environment rules

const networkIsForTheEnvironmentsRegions: EnvironmentRule = ({ env, at }) =>
  Object.keys(env.network)
    .filter((region) => !env.regions.includes(region))
    .map((region) => ({
      path: `${at}.network.${region}`,
      message: `network for region "${region}", which is not one of the environment's regions (${env.regions.join(', ')})`,
    }));

const regionsAreListedOnce: EnvironmentRule = ({ env, at }) => {
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, number>();
  env.regions.forEach((region, i) => {
    const first = seen.get(region);
    if (first !== undefined) {
      problems.push({ path: `${at}.regions[${i}]`, message: `duplicate region "${region}" (already at regions[${first}]); list each region once` });
    } else {
      seen.set(region, i);
    }
  });
  return problems;
};

const canaryIsOneOfTheRegions: EnvironmentRule = ({ env, at }) =>
  env.rollout.canaryRegion !== undefined && !env.regions.includes(env.rollout.canaryRegion)
    ? [
        {
          path: `${at}.rollout.canaryRegion`,
          message: `canary region "${env.rollout.canaryRegion}" is not one of the environment's regions (${env.regions.join(', ')})`,
        },
      ]
    : [];

// The central account sees every environment through OAM links; an environment linking
// to a sink in its own account would see only itself, and OAM refuses it.
const monitoringAccountIsNotThisEnvironments: EnvironmentRule = ({ config, env, at }) =>
  config.observability.accountId === env.accountId
    ? [
        {
          path: 'observability.accountId',
          message: `monitoring account ${env.accountId} is also the account of environment "${at.slice('environments.'.length)}"; use a separate account for monitoring`,
        },
      ]
    : [];

// Reservations come out of the region's quota, and Lambda keeps 100 of it unreserved:
// PutFunctionConcurrency fails for a reservation that would leave less.
// https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
const reservedConcurrencyFits: EnvironmentRule = ({ config, name, at }) =>
  environmentReservations(config, name)
    .filter((r) => r.total > r.quota - LAMBDA_UNRESERVED_MINIMUM)
    .map((r) => ({
      path: `${at}.lambdaConcurrencyQuota`,
      message: `the services of "${name}" reserve ${r.total} concurrent Lambda executions in ${r.region} (${r.services
        .map((s) => `${s.service} ${s.reserved}`)
        .join(', ')}), but a quota of ${r.quota} lets them reserve at most ${Math.max(0, r.quota - LAMBDA_UNRESERVED_MINIMUM)} (Lambda keeps ${LAMBDA_UNRESERVED_MINIMUM} unreserved); lower services.<name>.lambda.reservedConcurrency, or raise the account's quota and state it here`,
    }));

const environmentNamesFit: EnvironmentRule = ({ config, name }) => nameProblems(environmentNames(config, name));

const dnsParentIsForCreatedZones: EnvironmentRule = ({ env, at }) => {
  const parent = env.dns.parent;
  if (!parent) return [];
  if (env.dns.zone !== 'create') {
    return [{ path: `${at}.dns.parent`, message: 'dns.parent is for zone "create" (each global stack delegates the zone it creates); an existing zone is delegated already, so remove dns.parent' }];
  }
  if (!parent.delegate && (parent.accountId || parent.roleName)) {
    return [{ path: `${at}.dns.parent`, message: 'dns.parent.delegate is false, so no stack writes to the parent: remove its accountId and roleName, or delegate' }];
  }
  return [];
};

/** Environment rules, in the order their problems are reported. */
export const ENVIRONMENT_RULES: readonly EnvironmentRule[] = [
  networkIsForTheEnvironmentsRegions,
  regionsAreListedOnce,
  canaryIsOneOfTheRegions,
  monitoringAccountIsNotThisEnvironments,
  dnsParentIsForCreatedZones,
  reservedConcurrencyFits,
  environmentNamesFit,
];

// ---------------------------------------------------------------------------
// Service rules

const environmentsExist: ServiceRule = ({ config, svc, at }) =>
  (svc.environments ?? []).flatMap((envName, i) =>
    config.environments[envName]
      ? []
      : [{ path: `${at}.environments[${i}]`, message: `unknown environment "${envName}"; defined: ${Object.keys(config.environments).join(', ')}` }],
  );

const reservationsNameTheServicesEnvironments: ServiceRule = ({ svc, at, environments }) => {
  const r = svc.lambda.reservedConcurrency;
  if (r === undefined || typeof r === 'number') return [];
  return Object.keys(r)
    .filter((envName) => !environments.includes(envName))
    .map((envName) => ({
      path: `${at}.lambda.reservedConcurrency.${envName}`,
      message: `reservation for environment "${envName}", which the service is not deployed to (environments: ${environments.join(', ')})`,
    }));
};

const weightsNeedWeightedRouting: ServiceRule = ({ svc, at }) =>
  Object.keys(svc.routing.weights).length > 0 && svc.routing.policy !== 'weighted'
    ? [
        {
          path: `${at}.routing.weights`,
          message: `weights are set but routing.policy is "${svc.routing.policy}"; set policy to "weighted" or remove the weights`,
        },
      ]
    : [];

const weightsAreForTheServicesRegions: ServiceRule = ({ svc, at, regions }) =>
  Object.keys(svc.routing.weights)
    .filter((region) => !regions.has(region))
    .map((region) => ({
      path: `${at}.routing.weights.${region}`,
      message: `weight for region "${region}", which no environment of this service uses (regions: ${[...regions].join(', ')})`,
    }));

// Weights for some regions only used to split the rest of 255 evenly over the others,
// which nobody reading the config could tell; now each environment gets all or none.
const weightsCoverEveryRegion: ServiceRule = ({ config, svc, at, environments }) => {
  if (svc.routing.policy !== 'weighted') return [];
  return environments.flatMap((envName) => {
    const regions = config.environments[envName].regions;
    const given = regions.filter((r) => svc.routing.weights[r] !== undefined);
    if (given.length === 0 || given.length === regions.length) return [];
    const missing = regions.filter((r) => svc.routing.weights[r] === undefined);
    return [
      {
        path: `${at}.routing.weights`,
        message: `weights are given for ${given.join(', ')} but not for ${missing.join(', ')} of environment "${envName}"; give every region a weight, or none for an even split`,
      },
    ];
  });
};

const weightsAreNotAllZero: ServiceRule = ({ config, svc, at, environments }) => {
  if (svc.routing.policy !== 'weighted') return [];
  return environments
    .filter((envName) => {
      const regions = config.environments[envName].regions;
      return regions.every((r) => effectiveWeight(svc, r) === 0);
    })
    .map((envName) => ({
      path: `${at}.routing.weights`,
      message: `every region of environment "${envName}" has weight 0, so DNS would answer with no region; give at least one a weight above 0`,
    }));
};

const failoverHasAtMostTwoRegions: ServiceRule = ({ config, svc, at, environments }) => {
  if (svc.routing.policy !== 'failover') return [];
  return environments
    .map((envName) => [envName, config.environments[envName].regions] as const)
    .filter(([, regions]) => regions.length > 2)
    .map(([envName, regions]) => ({
      path: `${at}.routing.policy`,
      message: `failover routing has one primary and one secondary, but environment "${envName}" has ${
        regions.length
      } regions (${regions.join(', ')}); use latency or weighted routing, or deploy the service to two regions`,
    }));
};

const lambdaErrorAlarmNeedsDnsInTheAccount: ServiceRule = ({ config, svc, at, environments }) => {
  if (!svc.healthCheck.lambdaErrorAlarm) return [];
  return environments
    .map((envName) => [envName, config.environments[envName]] as const)
    .filter(([, env]) => env.dns.accountId && env.dns.accountId !== env.accountId)
    .map(([envName, env]) => ({
      path: `${at}.healthCheck.lambdaErrorAlarm`,
      message: `environment "${envName}" keeps DNS in account ${env.dns.accountId}, and a Route53 metric health check can only watch alarms of its own account; turn lambdaErrorAlarm off for this service`,
    }));
};

const auroraVersionCanBeGlobal: ServiceRule = ({ svc, at }) => {
  const problem = svc.aurora && auroraGlobalVersionProblem(svc.aurora.engine, svc.aurora.engineVersion);
  return problem ? [{ path: `${at}.aurora.engineVersion`, message: problem }] : [];
};

const dataLayersFitTheRegions: ServiceRule = ({ config, name, svc, at, environments }) => {
  const layers = [...(svc.aurora ? [['aurora', 'Aurora'] as const] : []), ...(svc.cache ? [['cache', 'the cache'] as const] : [])];
  const problems: ConfigProblem[] = [];
  for (const [layer, what] of layers) {
    for (const envName of environments) {
      const env = config.environments[envName];
      const missing = env.regions.filter((r) => !env.network[r]);
      if (missing.length > 0) {
        problems.push({ path: `environments.${envName}.network`, message: missingNetworkMessage(what, name, envName, missing) });
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
};

/**
 * Why a layer needs a network and how to give it one: the database, the cache and the
 * Lambda that reaches them live in private subnets of a VPC the platform looks up and
 * never creates (it belongs to the network team), so each region needs one named.
 */
export function missingNetworkMessage(what: string, service: string, envName: string, missing: readonly string[]): string {
  return (
    `${what} of service "${service}" runs in a VPC's private subnets (with the service's Lambda), which the platform looks up and never creates, ` +
    `and environment "${envName}" names none for ${missing.join(', ')}; add environments.${envName}.network.<region> = ` +
    `{ "vpc": { "id": "vpc-..." } or { "tags": {...} }, "privateSubnets": { "ids": [at least 2 "subnet-..."] } or { "tags": {...} } } for each ` +
    `(docs/data-layers.md), or deploy the service to the environments that have one (services.${service}.environments)`
  );
}

const invalidateNeedsTheEdgeCache: ServiceRule = ({ svc, at }) =>
  svc.edgeCache.mode === 'invalidate' && !svc.edgeCache.enabled
    ? [{ path: `${at}.edgeCache.mode`, message: 'mode "invalidate" needs the edge cache; set edgeCache.enabled to true or use mode "ttl"' }]
    : [];

// Every name the service derives in each of its environments, against AWS's rules
// (name-limits.ts): one line per rule and config value to change.
const namesFitAwsLimits: ServiceRule = ({ config, name, environments }) =>
  nameProblems(environments.flatMap((envName) => serviceNames(config, name, envName)));

const edgeCertificateFitsAcmQuota: ServiceRule = ({ config, name, svc, at, environments }) =>
  environments.flatMap((envName) => {
    const contract = serviceContract(config, name, envName);
    const names = edgeCertificateNames(svc, contract.regions, contract.domains);
    if (!svc.edgeCache.enabled || names.length <= ACM_DOMAIN_NAMES_PER_CERTIFICATE) return [];
    const failover = readFailoverOf(svc, contract.regions);
    return [
      {
        path: `${at}.edgeCache.failoverPaths`,
        message:
          `the edge certificate of ${name} in ${envName} would name ${names.length} domains (api, regional, one per region` +
          `${failover ? (failover.shares ? ', one read name per region' : ', the secondary name') : ''}); ACM takes ${ACM_DOMAIN_NAMES_PER_CERTIFICATE} per certificate ` +
          '(https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html; this check assumes the default quota): use fewer regions or drop edgeCache.failoverPaths',
      },
    ];
  });

const authOffNeedsAReason: ServiceRule = ({ svc, at }) =>
  !svc.auth.required && !svc.auth.reason
    ? [{ path: `${at}.auth.reason`, message: 'auth.required is false but no reason is given; say why this API is public (auth.reason), or turn auth back on' }]
    : [];

const authIssuerAndAudiencesGoTogether: ServiceRule = ({ svc, at }) => {
  const { issuer, audiences, cognito } = svc.auth;
  if (issuer && cognito) {
    return [{ path: `${at}.auth.cognito`, message: 'auth names an issuer and asks for a Cognito user pool; keep one: the issuer of your IdP, or cognito' }];
  }
  if (issuer && !audiences) {
    return [{ path: `${at}.auth.audiences`, message: `auth.issuer is ${issuer} but auth.audiences is missing; list the aud values the API accepts` }];
  }
  if (!issuer && audiences) {
    return [{ path: `${at}.auth.audiences`, message: 'auth.audiences is set without auth.issuer; the Cognito pool\'s audience is its app client, so give the issuer too or remove audiences' }];
  }
  return [];
};

const authScopesNameKnownRoutes: ServiceRule = ({ svc, at }) => {
  const problems: ConfigProblem[] = [];
  const health = svc.healthCheck.path;
  svc.auth.routes.forEach((route, i) => {
    if (route.split(' ')[1] === health) {
      problems.push({ path: `${at}.auth.routes[${i}]`, message: `"${route}" is the health check path, which stays open for Route53; remove it from auth.routes` });
    }
  });
  for (const key of Object.keys(svc.auth.scopes)) {
    if ((ROUTE_METHODS as readonly string[]).includes(key) || svc.auth.routes.includes(key)) continue;
    const known = [...ROUTE_METHODS.filter((m) => m !== 'ANY'), ...svc.auth.routes].join(', ');
    problems.push({
      path: `${at}.auth.scopes.${key}`,
      message: `scopes for unknown route "${key}"; a key is a method or one of auth.routes (${known}); add the route to auth.routes or fix the key`,
    });
  }
  return problems;
};

const wafOffNeedsAReason: ServiceRule = ({ svc, at }) =>
  !svc.waf.enabled && !svc.waf.reason
    ? [{ path: `${at}.waf.reason`, message: 'waf.enabled is false but no reason is given; say why the distribution goes without a web ACL (waf.reason)' }]
    : [];

const datapointsFitTheEvaluationPeriods: ServiceRule = ({ svc, at }) =>
  svc.alarms.datapointsToAlarm > svc.alarms.evaluationPeriods
    ? [
        {
          path: `${at}.alarms.datapointsToAlarm`,
          message: `datapointsToAlarm is ${svc.alarms.datapointsToAlarm} but evaluationPeriods is ${svc.alarms.evaluationPeriods}; an alarm cannot need more breaching periods than it looks at`,
        },
      ]
    : [];

/** Service rules, in the order their problems are reported. */
export const SERVICE_RULES: readonly ServiceRule[] = [
  environmentsExist,
  reservationsNameTheServicesEnvironments,
  weightsNeedWeightedRouting,
  weightsAreForTheServicesRegions,
  weightsCoverEveryRegion,
  weightsAreNotAllZero,
  failoverHasAtMostTwoRegions,
  lambdaErrorAlarmNeedsDnsInTheAccount,
  auroraVersionCanBeGlobal,
  dataLayersFitTheRegions,
  invalidateNeedsTheEdgeCache,
  namesFitAwsLimits,
  edgeCertificateFitsAcmQuota,
  authOffNeedsAReason,
  authIssuerAndAudiencesGoTogether,
  authScopesNameKnownRoutes,
  wafOffNeedsAReason,
  datapointsFitTheEvaluationPeriods,
];

/** Every problem the environment and service rules find, environment by environment, then service by service. */
export function checkConfig(config: PlatformConfig): ConfigProblem[] {
  const environments = Object.entries(config.environments).flatMap(([name, env]) =>
    ENVIRONMENT_RULES.flatMap((rule) => rule({ config, name, env, at: `environments.${name}` })),
  );
  const services = Object.entries(config.services).flatMap(([name, svc]) => {
    const known = (svc.environments ?? Object.keys(config.environments)).filter((e) => config.environments[e]);
    const scope: ServiceScope = {
      config,
      name,
      svc,
      at: `services.${name}`,
      environments: known,
      regions: new Set(known.flatMap((e) => config.environments[e].regions)),
    };
    return SERVICE_RULES.flatMap((rule) => rule(scope));
  });
  return [...nameProblems(platformNames(config)), ...environments, ...services];
}

// ---------------------------------------------------------------------------
// The stack plan

/**
 * Two stacks must not share a name. State keys are `<prefix>/<name>.tfstate`, so a
 * name clash is also the only way two stacks could share a state key.
 */
export function checkStackPlan(stacks: readonly StackSpec[]): ConfigProblem[] {
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
