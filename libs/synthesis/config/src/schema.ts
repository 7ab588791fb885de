import { z } from 'zod';
import { AWS_REGIONS, closestRegion, isAwsRegion, otherPartition } from './aws-regions';

const ACCOUNT_ID = /^\d{12}$/;
// IAM role names: 1-64 of [\w+=,.@-]
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
// Lower-case labels joined by dots, at least two labels, TLD alphabetic.
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
// Names end up in stack names, resource names and S3 bucket names.
const NAME = /^[a-z][a-z0-9-]*[a-z0-9]$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** A GitHub owner as CODEOWNERS takes it: `@org/team` or `@user`. */
export const OWNER_PATTERN = /^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\/[A-Za-z0-9][A-Za-z0-9._-]{0,99})?$/;

/** Owners of a part of the repository, as GitHub names them in CODEOWNERS. */
export const ownersSchema = z
  .array(z.string().regex(OWNER_PATTERN, { error: 'owner must be a GitHub team "@org/team" or user "@user"' }))
  .max(20, { error: 'at most 20 owners' });

const accountId = z
  .string({ error: 'must be a string of 12 digits' })
  .regex(ACCOUNT_ID, { error: 'AWS account id must be exactly 12 digits' });

const roleName = z
  .string()
  .regex(ROLE_NAME, { error: 'IAM role name must be 1-64 characters of letters, digits and +=,.@_-' });

const region = z
  .string()
  .refine((v): boolean => isAwsRegion(v), {
    error: (issue) => {
      const partition = otherPartition(String(issue.input));
      // Region-less ARNs (IAM, S3, CloudFront) are written in PLATFORM_PARTITION (arn.ts), and the us-east-1 edge (CloudFront, its ACM certificate) exists in the aws partition only.
      if (partition) return `a region of the ${partition} partition; the platform supports the aws partition (commercial regions) only`;
      const guess = closestRegion(String(issue.input));
      return `unknown AWS region ${JSON.stringify(issue.input)}; ${guess ? `did you mean "${guess}"?` : 'use a region code such as eu-west-1'}`;
    },
  })
  // The list in the JSON Schema, so editors complete region codes.
  .meta({ enum: [...AWS_REGIONS] });

const name = (what: string, max: number) =>
  z
    .string()
    .max(max, { error: `${what} name must be at most ${max} characters` })
    .regex(NAME, {
      error: `${what} name must be at least 2 lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen`,
    });

/** Where every stack keeps its Terraform state. */
export const stateBackendSchema = z.strictObject({
  /** Account that owns the state bucket. */
  accountId,
  /** Region of the state bucket. */
  region,
  /** S3 bucket holding every stack's state, one key per stack. */
  bucket: z.string().regex(BUCKET, { error: 'S3 bucket name must be 3-63 lower-case letters, digits, dots and hyphens' }),
  /** Prefix of every state key. @default "platform" */
  keyPrefix: z
    .string()
    .regex(/^[a-z0-9][a-z0-9/_-]*$/, { error: 'key prefix must be lower-case letters, digits, "/", "_" and "-"' })
    .default('platform'),
  /**
   * Role in the state account that Terraform assumes to read and write state.
   * @default - the credentials of the caller are used as they are
   */
  roleName: roleName.optional(),
});

/** Where the environment's DNS lives. */
export const dnsSchema = z.strictObject({
  /**
   * `create`: the global stack creates the hosted zone of the domain; `existing`: it
   * looks the zone up by name (a zone made by a network team, say).
   * @default "create"
   */
  zone: z.enum(['create', 'existing']).default('create'),
  /**
   * Account that owns the hosted zone, when it is not the environment's account.
   * Zone lookups, records, validation records and health checks then go through a
   * provider assuming `roleName` there.
   * @default - the environment's account
   */
  accountId: accountId.optional(),
  /** Role assumed in `accountId`. @default - the environment's deployRoleName */
  roleName: roleName.optional(),
  /**
   * With `zone: "create"`: where the parent zone lives, the public hosted zone of the
   * environment's domain, found by name. Each global stack delegates its service's new
   * zone there (an NS record), so ACM's DNS validation can see the zone's records.
   * @default - the parent is in the account that holds the service zones (`accountId`)
   */
  parent: z
    .strictObject({
      /** Account owning the parent zone. @default - the account of the service zones */
      accountId: accountId.optional(),
      /**
       * Role assumed in `accountId` to write the delegation, when that is neither the
       * environment's account nor its DNS account.
       * @default - the DNS role name (`roleName`, else the environment's deployRoleName)
       */
      roleName: roleName.optional(),
      /**
       * Set to false when the parent is not in Route53 (another DNS provider): you add the
       * NS record there yourself, while the first apply waits for its certificates.
       * @default true
       */
      delegate: z.boolean().default(true),
    })
    .optional(),
});

const tags = z.record(z.string().min(1), z.string());

/**
 * An existing network in one region (networks usually belong to a network team):
 * the VPC and its private subnets, each found by id or by tags.
 */
export const regionNetworkSchema = z.strictObject({
  vpc: z.union([z.strictObject({ id: z.string().regex(/^vpc-[0-9a-f]+$/, { error: 'VPC id must look like vpc-0abc123' }) }), z.strictObject({ tags })], {
    error: 'vpc must be { "id": "vpc-..." } or { "tags": { ... } }',
  }),
  privateSubnets: z.union(
    [
      z.strictObject({
        ids: z
          .array(z.string().regex(/^subnet-[0-9a-f]+$/, { error: 'subnet id must look like subnet-0abc123' }))
          .min(2, { error: 'give at least two private subnets (two Availability Zones)' }),
      }),
      z.strictObject({ tags }),
    ],
    { error: 'privateSubnets must be { "ids": [...] } or { "tags": { ... } }' },
  ),
});

/**
 * Longest bake a rollout may ask for, in minutes: the rollout job's timeout
 * (`timeout-minutes` of `.github/workflows/deploy-environment.yml`, 360, GitHub's
 * limit for a hosted job) less an hour for planning, applying and the later waves.
 */
export const MAX_BAKE_MINUTES = 300;

/** How a change rolls out over the environment's regions (see docs/rollout.md). */
export const rolloutSchema = z.strictObject({
  /**
   * The region that gets a change first and bakes before the others. It may be the
   * primary only when named here.
   * @default - the last region listed
   */
  canaryRegion: region.optional(),
  /**
   * Minutes the canary region bakes, its gates watched, before the other regions.
   * @default - 0 for the first environment of the promotion order (the order of
   * `environments` in this file), 10 for every later one
   */
  bakeMinutes: z
    .number({ error: 'bake must be a number of minutes' })
    .min(0, { error: 'bake must not be negative' })
    .max(MAX_BAKE_MINUTES, {
      error: `bake must be at most ${MAX_BAKE_MINUTES} minutes (the rollout job's limit of 360 minutes less an hour for the deploys)`,
    })
    .optional(),
  /** Regions deployed together in each wave after the canary. @default 1 */
  regionsAtOnce: z
    .number({ error: 'regionsAtOnce must be a whole number of at least 1' })
    .int({ error: 'regionsAtOnce must be a whole number of at least 1' })
    .min(1, { error: 'regionsAtOnce must be at least 1' })
    .default(1),
  /** Seconds the gates of each wave after the canary are watched before the next wave. @default 60 */
  watchSeconds: z
    .number({ error: 'watchSeconds must be a whole number of seconds' })
    .int({ error: 'watchSeconds must be a whole number of seconds' })
    .min(0, { error: 'watchSeconds must not be negative' })
    .max(3600, { error: 'watchSeconds must be at most 3600' })
    .default(60),
});

const concurrencyQuota = z
  .number({ error: 'a concurrency quota must be a whole number of at least 1' })
  .int({ error: 'a concurrency quota must be a whole number of at least 1' })
  .min(1, { error: 'a concurrency quota must be at least 1' });

/** One deployment environment: one AWS account, one domain, an ordered list of regions. */
export const environmentSchema = z.strictObject({
  accountId,
  /** Role in the environment's account that Terraform assumes. @default "platform-deploy" */
  deployRoleName: roleName.default('platform-deploy'),
  /**
   * GitHub Actions runner label (`runs-on`) of the deploy job that runs the services'
   * schema migrations against the primary region's Aurora writer: a self-hosted runner
   * with a network path into the environment's VPC. A hosted runner reaches no private
   * writer, so an environment with an Aurora service needs one.
   * @default "ubuntu-latest"
   */
  migrationRunner: z
    .string()
    .regex(/^[\w.:/-]{1,100}$/, { error: 'migrationRunner must be a runner label such as self-hosted-prod-vpc (letters, digits, . _ : / -)' })
    .default('ubuntu-latest'),
  /** DNS domain of the environment; services live under it. */
  domain: z.string().regex(DOMAIN, {
    error: 'domain must be a lower-case DNS name such as dev.example.com (no scheme, no trailing dot)',
  }),
  /** Regions, primary first. */
  regions: z.array(region).min(1, { error: 'an environment needs at least one region (the first is the primary)' }),
  dns: dnsSchema.default({ zone: 'create' }),
  /** Existing network per region, needed by services with Aurora or a cache. @default - none */
  network: z.record(z.string(), regionNetworkSchema).default({}),
  rollout: rolloutSchema.default({ regionsAtOnce: 1, watchSeconds: 60 }),
  /**
   * The account's Lambda "Concurrent executions" quota, per region: a number for every
   * region, or one per region. The services' reservations in a region must leave 100 of it
   * unreserved. State it when a service reserves concurrency and the quota was raised;
   * `npm run preflight` reads the real one before a deploy.
   * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
   * @default 1000 (Lambda's default quota; a new account's can be lower until AWS raises it)
   */
  lambdaConcurrencyQuota: z
    .union([concurrencyQuota, z.record(z.string(), concurrencyQuota)], {
      error: 'lambdaConcurrencyQuota must be a whole number, or { "<region>": <number> }',
    })
    .optional(),
});

export const ROUTING_POLICIES = ['latency', 'weighted', 'failover'] as const;
export const PRICE_CLASSES = ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'] as const;
const ONE_YEAR_SECONDS = 31_536_000;
export const EDGE_CACHE_MODES = ['ttl', 'invalidate'] as const;
export const LAMBDA_LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const weight = z
  .number({ error: 'weight must be a whole number from 0 to 255' })
  .int({ error: 'weight must be a whole number from 0 to 255' })
  .min(0, { error: 'weight must be from 0 to 255' })
  .max(255, { error: 'weight must be from 0 to 255' });

/**
 * How Route53 spreads users over the regions of an environment: `latency` (nearest
 * healthy region), `weighted`, or `failover` (active-passive: the primary region
 * while healthy, else the second; at most two regions).
 */
export const routingSchema = z.strictObject({
  /** @default "latency" */
  policy: z.enum(ROUTING_POLICIES).default('latency'),
  /**
   * Weight per region for the `weighted` policy (0-255).
   * @default - 255 split evenly over the environment's regions
   */
  weights: z.record(z.string(), weight).default({}),
});

/** Route53 health checks of each region's own endpoint. */
export const healthCheckSchema = z.strictObject({
  /** Seconds between checks from each checker: Route53 offers 10 (fast) or 30. @default 10 */
  intervalSeconds: z
    .number()
    .refine((v) => v === 10 || v === 30, { error: 'Route53 health checks run every 10 or 30 seconds' })
    .default(10),
  /** Consecutive failures before a region counts as unhealthy (1-10). @default 3 */
  failureThreshold: z
    .number()
    .int({ error: 'failure threshold must be a whole number from 1 to 10' })
    .min(1, { error: 'failure threshold must be from 1 to 10' })
    .max(10, { error: 'failure threshold must be from 1 to 10' })
    .default(3),
  /** Deep health path the handler answers (touches the table). @default "/health" */
  path: z
    .string()
    .regex(/^\/[\w\-./]*$/, { error: 'health check path must start with "/"' })
    .default('/health'),
  /**
   * Also mark a region unhealthy while its Lambda error alarm fires (a CloudWatch
   * metric health check combined with the HTTPS one in a calculated check).
   * @default false
   */
  lambdaErrorAlarm: z.boolean().default(false),
});

/** The service's DynamoDB global table (a replica in every region). */
export const tableSchema = z.strictObject({
  /**
   * False for a service that keeps its data elsewhere (Aurora) or keeps none: no table,
   * no data keys, no TABLE_NAME, no table permissions, alarms or dashboard widgets.
   * @default true
   */
  enabled: z.boolean().default(true),
});

/** The CloudFront cache in front of the regional APIs. */
export const edgeCacheSchema = z
  .strictObject({
    /** @default true */
    enabled: z.boolean().default(true),
    /** `ttl`: responses expire after ttlSeconds; `invalidate`: writes invalidate the paths. @default "ttl" */
    mode: z.enum(EDGE_CACHE_MODES).default('ttl'),
    /** TTL of cached GET responses. @default 60 in `ttl` mode, 86400 in `invalidate` mode */
    ttlSeconds: z
      .number({ error: 'TTL must be a whole number of seconds' })
      .int({ error: 'TTL must be a whole number of seconds' })
      .min(0, { error: 'TTL must not be negative' })
      .max(ONE_YEAR_SECONDS, { error: `TTL must be at most one year (${ONE_YEAR_SECONDS} s)` })
      .optional(),
    /** CloudFront price class (which edge locations serve). @default "PriceClass_100" */
    priceClass: z.enum(PRICE_CLASSES).default('PriceClass_100'),
    /**
     * CloudFront path patterns whose reads (GET/HEAD/OPTIONS) fail over to another region
     * within the request; writes under them stay on the primary. A viewer-request
     * CloudFront Function builds the origin group per read request, so paths that also
     * take writes (`/items/*`) can be listed (docs/traffic.md, "Origin failover").
     * @default [] - no origin group
     */
    failoverPaths: z
      .array(z.string().regex(/^\/[^\s]*$/, { error: 'a failover path is a CloudFront path pattern that starts with "/" and has no spaces, e.g. "/items/*"' }))
      .default([]),
  })
  .transform((c) => ({ ...c, ttlSeconds: c.ttlSeconds ?? (c.mode === 'invalidate' ? 86_400 : 60) }));

const reservation = z
  .number({ error: 'reserved concurrency must be a whole number of at least 1' })
  .int({ error: 'reserved concurrency must be a whole number of at least 1' })
  .min(1, { error: 'reserved concurrency must be at least 1 (0 would stop the function)' });

/** The regional Lambda function that runs the service's API. */
export const lambdaSchema = z.strictObject({
  /** @default 512 */
  memorySizeMb: z.number().int().min(128).max(10_240).default(512),
  /** @default 10 */
  timeoutSeconds: z.number().int().min(1).max(29, { error: 'API Gateway integrations time out after 29 s; use at most 29' }).default(10),
  /**
   * CloudWatch Logs retention of the function's and the API's log groups. The policy
   * rule pack (CKV_AWS_338) asks for at least 365 days. @default 365
   */
  logRetentionDays: z
    .number()
    .refine((v) => (LAMBDA_LOG_RETENTION_DAYS as readonly number[]).includes(v), {
      error: `log retention must be one of CloudWatch's values: ${LAMBDA_LOG_RETENTION_DAYS.join(', ')}`,
    })
    .default(365),
  /**
   * Concurrent executions reserved for the function in each region of an environment
   * (a guarantee, and a cap on its throughput): a number for every environment of the
   * service, or one per environment name (`{ "prod": 200 }`; the others reserve none).
   * Lambda keeps 100 of an account's regional quota unreserved, and a new account's quota
   * can be as low as 10, so a reservation needs a quota that holds it:
   * `environments.<env>.lambdaConcurrencyQuota`, which `npm run preflight` compares with
   * the account's real one.
   * https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
   * @default - none: the function shares the account's unreserved concurrency
   */
  reservedConcurrency: z
    .union([reservation, z.record(z.string(), reservation)], {
      error: 'reservedConcurrency must be a whole number of at least 1, or { "<environment>": <number> }',
    })
    .optional(),
});

export const AURORA_ENGINES = ['aurora-postgresql', 'aurora-mysql'] as const;
export const CACHE_ENGINES = ['valkey', 'redis'] as const;

/** Opt-in Aurora global database: writer in the primary region, read-only secondaries elsewhere. */
export const auroraSchema = z.strictObject({
  engine: z.enum(AURORA_ENGINES),
  /** e.g. "16.4" for aurora-postgresql, "8.0.mysql_aurora.3.08.0" for aurora-mysql. */
  engineVersion: z.string().min(1),
  /** @default "db.r6g.large" (global databases need memory-optimised classes) */
  instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { error: 'instance class must look like db.r6g.large' }).default('db.r6g.large'),
  /** Instances per region: in the primary, one writer plus readers. @default 2 */
  instancesPerRegion: z.number().int().min(1).max(16).default(2),
  /** @default 7 */
  backupRetentionDays: z
    .number()
    .int()
    .min(1, { error: 'backup retention must be 1-35 days (Aurora always keeps backups; 0 is not allowed)' })
    .max(35, { error: 'backup retention must be 1-35 days' })
    .default(7),
  /** @default "app" */
  databaseName: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,62}$/).default('app'),
  /**
   * How an API in a secondary region reaches the writer: `write-forwarding` (Aurora
   * global write forwarding: the region's own cluster forwards writes, session read
   * consistency; no cross-region network needed) or `writer-endpoint` (connect to the
   * global writer endpoint; needs a private network between the regions' VPCs).
   * See docs/orders.md. @default "write-forwarding"
   */
  writeRouting: z.enum(['write-forwarding', 'writer-endpoint']).default('write-forwarding'),
  /**
   * How long the app keeps an idempotency record (a create's Idempotency-Key), in hours
   * (IDEMPOTENCY_TTL_SECONDS): a retry within this time gets the first answer, after it
   * the key is free again and expired records are deleted. 1-720 (30 days). @default 24
   */
  idempotencyTtlHours: z
    .number()
    .int({ error: 'idempotencyTtlHours must be a whole number of hours, 1-720' })
    .min(1, { error: 'idempotencyTtlHours must be 1-720 hours (retries need at least an hour)' })
    .max(720, { error: 'idempotencyTtlHours must be 1-720 hours (30 days at most)' })
    .default(24),
});

/** Opt-in ElastiCache global datastore: primary replication group plus read-only secondaries. */
export const cacheSchema = z.strictObject({
  /** @default "valkey" */
  engine: z.enum(CACHE_ENGINES).default('valkey'),
  /** @default "8.0" for valkey, "7.1" for redis */
  engineVersion: z.string().optional(),
  /** @default "cache.r7g.large" (global datastores need M5/R5 or newer) */
  nodeType: z.string().regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, { error: 'node type must look like cache.r7g.large' }).default('cache.r7g.large'),
  /** Read replicas per region besides the node that holds the data. @default 1 */
  replicasPerRegion: z.number().int().min(0).max(5).default(1),
  /** How long the app keeps an entry in the cache, in seconds (CACHE_TTL_SECONDS). @default 60 */
  ttlSeconds: z.number().int().min(1).max(86_400).default(60),
});

/** HTTP methods a route key or a method-wide scope may name (`ANY` matches every method). */
export const ROUTE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'ANY'] as const;
// API Gateway route keys: `METHOD /path`, path segments literal or `{name}`, the last may be `{name+}`.
const ROUTE_KEY = new RegExp(`^(?:${ROUTE_METHODS.join('|')}) /(?:[A-Za-z0-9._~-]+|\\{[A-Za-z0-9_]+\\})(?:/(?:[A-Za-z0-9._~-]+|\\{[A-Za-z0-9_]+\\}))*(?:/\\{[A-Za-z0-9_]+\\+\\})?$|^(?:${ROUTE_METHODS.join('|')}) /\\{[A-Za-z0-9_]+\\+\\}$`);
// RFC 6749 section 3.3 scope-token.
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

const httpsUrl = z.string().refine(
  (v) => {
    try {
      const url = new URL(v);
      return url.protocol === 'https:' && !url.search && !url.hash;
    } catch {
      return false;
    }
  },
  { error: (issue) => `issuer must be an https URL such as "https://login.example.com/" (API Gateway fetches its discovery document over HTTPS), got ${JSON.stringify(issue.input)}` },
);

/**
 * Optional Amazon Cognito identity provider: a user pool, an app client and a resource
 * server with the service's scopes, in the environment's primary region (global stack).
 * Token issuance then depends on that region; validation does not (see docs/auth.md).
 */
export const cognitoSchema = z.strictObject({
  /**
   * Identifier of the resource server, the prefix of its scopes (`<identifier>/<scope>`).
   * @default - the service name
   */
  resourceServer: z.string().regex(/^[\w.:/-]{1,256}$/, { error: 'resource server identifier must be 1-256 letters, digits and _.:/-' }).optional(),
});

/**
 * Who may call the service's API. Each regional HTTP API validates JWTs itself (issuer,
 * audience, expiry, signature, scopes) against the issuer's JWKS: no region asks another.
 * `/health` (the health check path) always stays open.
 */
export const authSchema = z.strictObject(
  {
    /**
     * Set to false only for a service that is public on purpose, and say why in `reason`.
     * @default true
     */
    required: z.boolean().default(true),
    /** Why the service takes unauthenticated requests (required when `required` is false). @default - none */
    reason: z.string().min(1).optional(),
    /**
     * The OIDC issuer whose tokens the API accepts (an external IdP is recommended), e.g.
     * "https://login.example.com/". Tokens' `iss` must equal it.
     * @default - the Cognito user pool of `cognito` (created when no issuer is given)
     */
    issuer: httpsUrl.optional(),
    /** Accepted `aud` values (or `client_id` for tokens without `aud`). Required with `issuer`. @default - the Cognito app client */
    audiences: z.array(z.string().min(1, { error: 'an audience must not be empty' })).min(1, { error: 'audiences must list at least one audience (a token\'s aud claim must match one)' }).optional(),
    /**
     * Routes of the API (`METHOD /path`, API Gateway route keys) that get their own
     * scopes. Every other request goes through `$default`, authorized but without scopes
     * of its own unless a method-wide entry in `scopes` applies.
     * @default []
     */
    routes: z.array(z.string().regex(ROUTE_KEY, { error: 'a route must look like "GET /items/{id}" (method, space, path)' })).default([]),
    /**
     * Scopes a token needs, by method (`"POST"`: every POST) or by route (`"GET /items/{id}"`,
     * one of `routes`). A route's entry wins over its method's. A token needs one of the
     * listed scopes (API Gateway's rule).
     * @default {} (any valid token)
     */
    scopes: z
      .record(z.string(), z.array(z.string().regex(SCOPE, { error: 'a scope must be printable ASCII without spaces, quotes or backslashes' })).min(1, { error: 'list at least one scope' }))
      .default({}),
    /** Create a Cognito user pool as the issuer. @default - created when no issuer is given */
    cognito: cognitoSchema.optional(),
  },
  {
    error: (issue) =>
      typeof issue.input === 'string'
        ? `auth is an object now: { "issuer": "https://...", "audiences": [...] } (or {} for a Cognito user pool, or { "required": false, "reason": "..." }); "${issue.input}" is the old form`
        : undefined,
  },
);

/** The AWS WAF web ACL on the service's CloudFront distribution. */
export const wafSchema = z.strictObject({
  /** Set to false only with a `reason`. @default true */
  enabled: z.boolean().default(true),
  /** Why the service has no web ACL (required when `enabled` is false). @default - none */
  reason: z.string().min(1).optional(),
  /** Requests per client IP in any 5-minute window before WAF blocks it (10 to 2,000,000,000). @default 2000 */
  rateLimitPer5Minutes: z
    .number()
    .int({ error: 'rate limit must be a whole number of requests' })
    .min(10, { error: 'WAF rate limits are at least 10 requests per 5 minutes' })
    .max(2_000_000_000, { error: 'WAF rate limits are at most 2,000,000,000' })
    .default(2000),
});

const nonNegative = (what: string) =>
  z.number({ error: `${what} must be a number` }).min(0, { error: `${what} must not be negative` });
const percentage = (what: string) =>
  z
    .number({ error: `${what} must be a percentage from 0 to 100` })
    .min(0, { error: `${what} must not be negative` })
    .max(100, { error: `${what} is a percentage; it must be at most 100` });

/**
 * Thresholds of the per-region alarms of a service (the composite "region unhealthy"
 * alarm is built from them) and of its edge alarms in us-east-1.
 */
export const alarmsSchema = z.strictObject({
  /** Length of one evaluation period; CloudWatch's standard metrics need a multiple of 60. @default 60 */
  periodSeconds: z
    .number({ error: 'alarm period must be a whole number of seconds' })
    .int({ error: 'alarm period must be a whole number of seconds' })
    .min(60, { error: 'alarm period must be at least 60 seconds' })
    .refine((v) => v % 60 === 0, { error: 'alarm period must be a multiple of 60 seconds' })
    .default(60),
  /** Periods an alarm looks at. @default 5 */
  evaluationPeriods: z.number().int().min(1, { error: 'evaluation periods must be at least 1' }).max(100).default(5),
  /** Breaching periods among them that set the alarm off (at most evaluationPeriods). @default 3 */
  datapointsToAlarm: z.number().int().min(1, { error: 'datapoints to alarm must be at least 1' }).max(100).default(3),
  /** API Gateway 5xx responses, percent of requests. @default 5 */
  api5xxPercent: percentage('api5xxPercent').default(5),
  /** API Gateway p99 latency in milliseconds. @default 2000 */
  apiP99LatencyMs: nonNegative('apiP99LatencyMs').default(2000),
  /** Lambda errors per period. @default 5 */
  lambdaErrors: nonNegative('lambdaErrors').default(5),
  /** Lambda throttles per period. @default 1 */
  lambdaThrottles: nonNegative('lambdaThrottles').default(1),
  /**
   * Concurrent executions, percent of the function's reserved concurrency (of the
   * account's default limit, 1000, when none is reserved). @default 80
   */
  concurrencyPercent: percentage('concurrencyPercent').default(80),
  /** DynamoDB throttled requests per period (this region's replica). @default 1 */
  dynamodbThrottledRequests: nonNegative('dynamodbThrottledRequests').default(1),
  /** DynamoDB `ReplicationLatency` from this region to any other replica, milliseconds. @default 60000 */
  replicationLatencyMs: nonNegative('replicationLatencyMs').default(60_000),
  /** Aurora `AuroraGlobalDBReplicationLag` of this region's cluster, milliseconds (when Aurora is on). @default 5000 */
  auroraReplicationLagMs: nonNegative('auroraReplicationLagMs').default(5000),
  /** ElastiCache `GlobalDatastoreReplicationLag`, seconds (when the cache is on). @default 5 */
  cacheReplicationLagSeconds: nonNegative('cacheReplicationLagSeconds').default(5),
  /** CloudFront 5xx error rate, percent (us-east-1). @default 5 */
  edge5xxPercent: percentage('edge5xxPercent').default(5),
});

/** Per-request logging of the service's handler. */
export const loggingSchema = z.strictObject({
  /**
   * Fraction of requests whose info line is logged (0-1); errors and slow requests are
   * always logged. @default 0.05
   */
  sampleRate: z
    .number({ error: 'sample rate must be a number from 0 to 1' })
    .min(0, { error: 'sample rate must be from 0 to 1' })
    .max(1, { error: 'sample rate must be from 0 to 1 (a fraction, not a percentage)' })
    .default(0.05),
  /** A request slower than this is always logged, milliseconds. @default 1000 */
  slowRequestMs: z.number().int({ error: 'slowRequestMs must be a whole number of milliseconds' }).min(0, { error: 'slowRequestMs must not be negative' }).default(1000),
});

export const SUBSCRIBER_PROTOCOLS = ['email', 'https'] as const;
// Deliberately simple: one @, no spaces, a dot in the domain.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Someone (or something) the alarm topic notifies. */
export const subscriberSchema = z
  .strictObject({
    protocol: z.enum(SUBSCRIBER_PROTOCOLS),
    /** An email address, or an https:// URL. */
    endpoint: z.string(),
  })
  .superRefine((s, ctx) => {
    if (s.protocol === 'email' && !EMAIL.test(s.endpoint)) {
      ctx.addIssue({ code: 'custom', path: ['endpoint'], message: 'not an email address such as oncall@example.com' });
    }
    if (s.protocol === 'https' && !/^https:\/\/[^\s/]+/.test(s.endpoint)) {
      ctx.addIssue({ code: 'custom', path: ['endpoint'], message: 'not an https:// URL' });
    }
  });

/**
 * Copies of every service's log events in the central monitoring account: a
 * subscription filter on each function and access log group sends them to a
 * CloudWatch Logs destination of that account in the same region.
 */
export const forwardLogsSchema = z.strictObject({
  /**
   * CloudWatch Logs filter pattern of the events to copy; "" copies every event.
   * @default ""
   */
  filterPattern: z.string().max(1024, { error: 'filterPattern is at most 1,024 characters (a CloudWatch Logs limit)' }).default(''),
});

/** Alarms' notifications and the optional central monitoring account. */
export const observabilitySchema = z
  .strictObject({
    /**
     * Central monitoring account: it gets a CloudWatch Observability Access Manager sink
     * in every region the platform uses, and every environment account links to it.
     * @default - no central account
     */
    accountId: accountId.optional(),
    /** Notified by every environment's alarm topics. @default [] */
    subscribers: z.array(subscriberSchema).default([]),
    /**
     * Also copy the services' log events to the central account (needs `accountId`):
     * beyond what the OAM links give (queries across accounts while the environment
     * keeps the logs), the central account then holds its own copy.
     * @default - not copied
     */
    forwardLogs: forwardLogsSchema.optional(),
  })
  .superRefine((o, ctx) => {
    if (o.forwardLogs && !o.accountId) {
      ctx.addIssue({ code: 'custom', path: ['forwardLogs'], message: 'needs observability.accountId, the central account the logs are copied to' });
    }
  });

/** One service: an API in every region of each of its environments, and its data. */
export const serviceSchema = z.strictObject({
  /** Nx project in apps/ whose bundle the regional Lambda runs. @default "<service>-api" */
  app: name('app', 40).optional(),
  /** Environments the service is deployed to. @default - every environment */
  environments: z.array(z.string()).optional(),
  /**
   * Who reviews changes to the service (its app and libs): GitHub teams `@org/team` or
   * users `@user`. `.github/CODEOWNERS` is generated from it (`npm run codeowners`), and
   * the plan comment mentions them when the service's stacks change.
   * @default - none (the platform owners review)
   */
  owners: ownersSchema.optional(),
  routing: routingSchema.default({ policy: 'latency', weights: {} }),
  healthCheck: healthCheckSchema.default({ intervalSeconds: 10, failureThreshold: 3, path: '/health', lambdaErrorAlarm: false }),
  edgeCache: edgeCacheSchema.default({ enabled: true, mode: 'ttl', ttlSeconds: 60, priceClass: 'PriceClass_100', failoverPaths: [] }),
  /**
   * Who may call the API. With auth on, the Authorization header is part of the edge
   * cache key, so one caller's response is never served to another.
   * @default - auth required, with a Cognito user pool as the issuer
   */
  auth: authSchema.default({ required: true, routes: [], scopes: {} }),
  /** @default - on, rate limit 2000 requests per IP per 5 minutes */
  waf: wafSchema.default({ enabled: true, rateLimitPer5Minutes: 2000 }),
  /** @default - on: a DynamoDB global table */
  table: tableSchema.default({ enabled: true }),
  /** @default - no relational database */
  aurora: auroraSchema.optional(),
  /** @default - no cache */
  cache: cacheSchema.optional(),
  lambda: lambdaSchema.default({ memorySizeMb: 512, timeoutSeconds: 10, logRetentionDays: 365 }),
  alarms: alarmsSchema.default(alarmsSchema.parse({})),
  logging: loggingSchema.default({ sampleRate: 0.05, slowRequestMs: 1000 }),
});

// The descriptions below (.describe) are what an editor shows from the generated JSON
// Schema (config/platform.schema.json, `npm run config:schema`).

/** How the pipelines run. */
export const pipelineSchema = z.strictObject({
  /**
   * Most stacks one CI job plans or deploys: the affected stacks of an environment are
   * split into shards of at most this many (a service's stacks of an environment stay
   * in one shard, so a global stack always goes before its regional stacks).
   * @default 100
   */
  shardSize: z.number().int().min(1).max(1000).default(100),
});

/** The whole platform: state backend, environments, services. */
export const platformConfigSchema = z
  .strictObject({
    $schema: z.string().optional().describe('The JSON Schema editors validate this file with: "./platform.schema.json".'),
    /** Short name of the organisation, used to make global names (S3 buckets) unique. */
    organization: name('organization', 20).describe(
      'Short name of the organisation (at most 20 characters), used to make global names such as S3 buckets unique.',
    ),
    platformOwners: ownersSchema
      .default([])
      .describe('Owners of the platform itself (config/, bootstrap/, .github/, the pipeline libraries), as "@org/team" or "@user"; written into .github/CODEOWNERS.'),
    stateBackend: stateBackendSchema.describe('Where every stack keeps its Terraform state: one S3 bucket, one key per stack.'),
    environments: z
      .record(
        name('environment', 16),
        environmentSchema.describe('One deployment environment: one AWS account, one domain, an ordered list of regions (primary first).'),
      )
      .refine((e) => Object.keys(e).length > 0, {
        error: 'at least one environment is needed',
      })
      .describe('Deployment environments by name (at most 16 characters), e.g. dev, staging, prod.'),
    pipeline: pipelineSchema
      .default({ shardSize: 100 })
      .describe('How the pipelines run: shardSize is the most stacks one CI job plans or deploys (default 100).'),
    services: z
      .record(
        name('service', 24),
        serviceSchema.describe('One service: an API in every region of each of its environments, and its data.'),
      )
      .refine((s) => Object.keys(s).length > 0, {
        error: 'no services, so there is nothing to synthesize; add one with: npx nx g @platform/nx-plugin:service <name>',
      })
      .describe('Services by name (at most 24 characters); each gets a global stack and one stack per region in each of its environments.'),
    observability: observabilitySchema
      .default({ subscribers: [] })
      .describe('Alarm notifications (subscribers of each environment\'s alarm topics) and the optional central monitoring account.'),
  })
  .describe('Platform config: state backend, environments and services.');

/** Platform config as written in the file (defaults not yet applied). */
export type PlatformConfigInput = z.input<typeof platformConfigSchema>;
/** Platform config after parsing: every default applied. */
export type PlatformConfig = z.output<typeof platformConfigSchema>;
export type EnvironmentConfig = z.output<typeof environmentSchema>;
export type ServiceConfig = z.output<typeof serviceSchema>;
export type RoutingPolicy = (typeof ROUTING_POLICIES)[number];
export type EdgeCacheMode = (typeof EDGE_CACHE_MODES)[number];
export type PriceClass = (typeof PRICE_CLASSES)[number];
export type AuroraConfig = z.output<typeof auroraSchema>;
export type CacheConfig = z.output<typeof cacheSchema>;
export type RegionNetwork = z.output<typeof regionNetworkSchema>;
export type AlarmsConfig = z.output<typeof alarmsSchema>;
export type LoggingConfig = z.output<typeof loggingSchema>;
export type ObservabilityConfig = z.output<typeof observabilitySchema>;
export type RolloutConfig = z.output<typeof rolloutSchema>;
export type AuthConfig = z.output<typeof authSchema>;
export type WafConfig = z.output<typeof wafSchema>;
