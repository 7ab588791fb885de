import { ROLE_DEPENDENT_CACHE_ATTRIBUTES, ROLE_DEPENDENT_CLUSTER_ATTRIBUTES } from '@platform/constructs';
import { baseConfig, resourcesOf, synthConfig } from './test-workspace';

const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-1'];

function configWithDataLayers(regions = REGIONS): any {
  const config = baseConfig();
  config.environments.prod.regions = regions;
  config.environments.prod.network = Object.fromEntries(
    regions.map((r, i) => [
      r,
      i === 0
        ? { vpc: { id: 'vpc-0123456789abcdef0' }, privateSubnets: { ids: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'] } }
        : { vpc: { tags: { Name: 'shared' } }, privateSubnets: { tags: { tier: 'private' } } },
    ]),
  );
  config.services.items.aurora = { engine: 'aurora-postgresql', engineVersion: '16.4', instancesPerRegion: 2 };
  config.services.items.cache = { engine: 'valkey', replicasPerRegion: 1 };
  return config;
}

/** `{ address: resource }` of every resource of the given types. */
function byAddress(tf: any, types: string[]): Record<string, any> {
  const out: Record<string, any> = {};
  for (const type of types) for (const [id, r] of Object.entries<any>(tf.resource?.[type] ?? {})) out[`${type}.${id}`] = r;
  return out;
}

describe('Aurora global database and ElastiCache global datastore', () => {
  const out = synthConfig(configWithDataLayers());
  const global = out.stack('items-prod-global');
  const clusters = resourcesOf(global, 'aws_rds_cluster');
  const groups = resourcesOf(global, 'aws_elasticache_replication_group');

  it('puts every cluster and replication group on its own region’s provider alias', () => {
    expect(clusters.map((c) => [c.cluster_identifier, c.provider]).sort()).toEqual(
      REGIONS.map((r) => [`items-prod-${r}`, `aws.${r}`]).sort(),
    );
    expect(groups.map((g) => [g.replication_group_id, g.provider]).sort()).toEqual(
      REGIONS.map((r) => [`items-prod-${r}`, `aws.${r}`]).sort(),
    );
    for (const i of resourcesOf(global, 'aws_rds_cluster_instance')) {
      expect(i.identifier.startsWith(`items-prod-${i.provider.replace('aws.', '')}-`)).toBe(true);
    }
  });

  // RDS refuses manage_master_user_password on a member of a global database
  // (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations).
  it('gives only the writer master credentials, a password through a write-only argument (never RDS-managed: refused on a global database member); secondaries reference the global cluster', () => {
    const writer = clusters.find((c) => c.provider === 'aws.eu-west-1');
    expect(writer).toMatchObject({ master_username: 'platform_admin', master_password_wo_version: 1 });
    expect(writer.master_password_wo).toBe('${replace(uuid(), "-", "")}');
    for (const c of clusters) {
      expect(c.global_cluster_identifier).toMatch(/^\${aws_rds_global_cluster\.aurora_global-cluster_\w+\.id}$/);
      expect(c.manage_master_user_password).toBeUndefined();
      expect(c.master_password).toBeUndefined();
      if (c !== writer) {
        expect(c.master_username).toBeUndefined();
        expect(c.master_password_wo).toBeUndefined();
        expect(c.depends_on.every((d: string) => d.startsWith('aws_rds_cluster_instance.aurora_instance-eu-west-1-'))).toBe(true);
      }
      expect(c.lifecycle.ignore_changes).toEqual(expect.arrayContaining(['replication_source_identifier', 'global_cluster_identifier', 'master_password_wo_version']));
    }
  });

  it('encrypts each cluster with a KMS key of its region and keeps it safe', () => {
    for (const c of clusters) {
      const region = c.provider.replace('aws.', '');
      expect(c).toMatchObject({ storage_encrypted: true, deletion_protection: true, iam_database_authentication_enabled: true });
      expect(c.kms_key_id).toMatch(new RegExp(`aws_kms_key\\.aurora_key-${region}_\\w+\\.arn`));
      expect(c.enabled_cloudwatch_logs_exports).toEqual(['postgresql']);
    }
  });

  it('encrypts the cache in transit and at rest, with IAM-authenticated users and the default user off', () => {
    const primary = groups.find((g) => g.provider === 'aws.eu-west-1');
    expect(primary).toMatchObject({ engine: 'valkey', at_rest_encryption_enabled: true, transit_encryption_enabled: true });
    const global = resourcesOf(global_(), 'aws_elasticache_global_replication_group')[0];
    expect(global.primary_replication_group_id).toContain('aws_elasticache_replication_group.cache_group-eu-west-1_');
    for (const g of groups.filter((x) => x !== primary)) {
      expect(g.global_replication_group_id).toContain('aws_elasticache_global_replication_group.');
    }
    const users = resourcesOf(global_(), 'aws_elasticache_user');
    expect(users.filter((u) => u.user_name === 'default').every((u) => u.access_string.startsWith('off'))).toBe(true);
    expect(users.filter((u) => u.user_name !== 'default').every((u) => u.authentication_mode.type === 'iam')).toBe(true);
  });

  it('admits only the Lambda’s security group to the database and cache ports', () => {
    const ingress = resourcesOf(global, 'aws_vpc_security_group_ingress_rule');
    expect(ingress).toHaveLength(REGIONS.length * 2);
    for (const rule of ingress) {
      expect(rule.referenced_security_group_id).toMatch(/aws_security_group\.network-[a-z0-9-]+_lambda_\w+\.id/);
      expect(rule.cidr_ipv4).toBeUndefined();
      expect([5432, 6379]).toContain(rule.from_port);
      expect(rule.to_port).toBe(rule.from_port);
    }
  });

  it('never writes a secret into the synthesized Terraform: the only password is generated by Terraform into a write-only argument', () => {
    for (const name of Object.keys(out.manifest.stacks)) {
      const text = JSON.stringify(out.stack(name));
      expect(text).not.toMatch(/"master_password"|"auth_token"|"passwords"/);
      for (const c of resourcesOf(out.stack(name), 'aws_rds_cluster').filter((r) => r.master_password_wo !== undefined)) {
        expect(c.master_password_wo).toBe('${replace(uuid(), "-", "")}');
      }
    }
  });

  it('puts the regional Lambda in the VPC with the endpoints and IAM auth permissions of its region', () => {
    const tf = out.stack('items-prod-us-east-1');
    const fn = resourcesOf(tf, 'aws_lambda_function')[0];
    expect(fn.vpc_config.security_group_ids[0]).toMatch(/^\${local\.global_outputs_\w+\.lambda_security_group_id_us_east_1}$/);
    expect(fn.vpc_config.subnet_ids).toMatch(/data\.aws_subnets\.network_private-subnets_\w+\.ids/);
    expect(Object.keys(fn.environment.variables)).toEqual(expect.arrayContaining(['DB_WRITER_ENDPOINT', 'DB_READER_ENDPOINT', 'CACHE_READER_ENDPOINT']));
    expect(fn.environment.variables.CACHE_READER_ENDPOINT).toMatch(/^\${local\.global_outputs_\w+\.cache_reader_endpoint_us_east_1}$/);
    expect(fn.environment.variables.DB_READER_ENDPOINT).toMatch(/^\${local\.global_outputs_\w+\.aurora_reader_endpoint_us_east_1}$/);
    const policy = JSON.parse(resourcesOf(tf, 'aws_iam_role_policy')[0].policy);
    const sids = policy.Statement.map((s: any) => s.Sid);
    expect(sids).toEqual(expect.arrayContaining(['ConnectToDatabaseWithIam', 'ConnectToCacheWithIam', 'ManageVpcNetworkInterfaces']));
    // IAM authentication: the Lambda never reads the master password.
    expect(JSON.stringify(policy)).not.toContain('secretsmanager:GetSecretValue');
    const connect = policy.Statement.find((s: any) => s.Sid === 'ConnectToDatabaseWithIam');
    expect(connect.Resource[0]).toMatch(/^arn:aws:rds-db:us-east-1:333333333333:dbuser:\${local\.global_outputs_\w+\.aurora_cluster_resource_id_us_east_1}\/items$/);
  });

  function global_() {
    return global;
  }

  it('turns on global write forwarding on every cluster and gives the Lambda its own region\'s cluster endpoint (writeRouting write-forwarding, the default)', () => {
    expect(clusters.map((c) => c.enable_global_write_forwarding)).toEqual(REGIONS.map(() => true));
    const fn = resourcesOf(out.stack('items-prod-us-east-1'), 'aws_lambda_function')[0];
    expect(fn.environment.variables).toMatchObject({ DB_WRITE_ROUTING: 'write-forwarding', CACHE_TTL_SECONDS: '60', IDEMPOTENCY_TTL_SECONDS: '86400' });
    expect(fn.environment.variables.DB_CLUSTER_ENDPOINT).toMatch(/^\${local\.global_outputs_\w+\.aurora_cluster_endpoint_us_east_1}$/);
  });

  // A security group can name only groups of its own region
  // (https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-security-groups.html), and a
  // global datastore's secondaries are read-only: a secondary region's Lambda reaches its
  // own replication group only, and never writes the cache.
  it('lets each region\'s Lambda connect only to its own region\'s replication group, and gives a cache writer to the primary region only', () => {
    for (const region of REGIONS) {
      const tf = out.stack(`items-prod-${region}`);
      const vars = resourcesOf(tf, 'aws_lambda_function')[0].environment.variables;
      const connect = JSON.parse(resourcesOf(tf, 'aws_iam_role_policy')[0].policy).Statement.find((s: any) => s.Sid === 'ConnectToCacheWithIam');
      expect(connect.Resource).toEqual([
        `arn:aws:elasticache:${region}:333333333333:replicationgroup:items-prod-${region}`,
        `arn:aws:elasticache:${region}:333333333333:user:${vars.CACHE_USER}`,
      ]);
      expect(vars.CACHE_REPLICATION_GROUP).toBe(`items-prod-${region}`);
      if (region === REGIONS[0]) {
        expect(vars).toMatchObject({ CACHE_WRITER_REPLICATION_GROUP: 'items-prod-eu-west-1', CACHE_WRITER_REGION: 'eu-west-1' });
        expect(vars.CACHE_WRITER_ENDPOINT).toMatch(/^\${local\.global_outputs_\w+\.cache_writer_endpoint}$/);
      } else {
        expect(Object.keys(vars).filter((k) => k.startsWith('CACHE_WRITER'))).toEqual([]);
      }
    }
  });

  it('opens each region\'s Lambda security group on 6379 only towards the cache group of the same region (same provider)', () => {
    const sg = Object.fromEntries(Object.entries<any>(global.resource.aws_security_group).map(([id, r]) => [id, r.provider]));
    const egress = resourcesOf(global, 'aws_vpc_security_group_egress_rule').filter((r) => r.from_port === 6379);
    expect(egress).toHaveLength(REGIONS.length);
    for (const rule of egress) {
      const target = /aws_security_group\.([\w-]+)\.id/.exec(rule.referenced_security_group_id)![1];
      expect(sg[target]).toBe(rule.provider);
    }
  });

  it('tells the Lambda the IAM cache user and replication group that the global stack creates and the grant covers', () => {
    const tf = out.stack('items-prod-us-east-1');
    const vars = resourcesOf(tf, 'aws_lambda_function')[0].environment.variables;
    const users = resourcesOf(global, 'aws_elasticache_user').filter((u) => u.authentication_mode.type === 'iam');
    expect(users.map((u) => [u.user_id, u.user_name])).toEqual(REGIONS.map(() => [vars.CACHE_USER, vars.CACHE_USER]));
    expect(groups.map((g) => g.replication_group_id)).toContain(vars.CACHE_REPLICATION_GROUP);
    const primaryVars = resourcesOf(out.stack('items-prod-eu-west-1'), 'aws_lambda_function')[0].environment.variables;
    expect(groups.map((g) => g.replication_group_id)).toContain(primaryVars.CACHE_WRITER_REPLICATION_GROUP);
  });
});

describe('Aurora with writeRouting writer-endpoint', () => {
  const config = configWithDataLayers();
  config.services.items.aurora.writeRouting = 'writer-endpoint';
  const out = synthConfig(config);

  it('leaves write forwarding off and lets the Lambda connect with IAM to every region\'s cluster', () => {
    expect(resourcesOf(out.stack('items-prod-global'), 'aws_rds_cluster').map((c) => c.enable_global_write_forwarding)).toEqual(REGIONS.map(() => undefined));
    const tf = out.stack('items-prod-us-east-1');
    const fn = resourcesOf(tf, 'aws_lambda_function')[0];
    expect([fn.environment.variables.DB_WRITE_ROUTING, fn.environment.variables.DB_CLUSTER_ENDPOINT]).toEqual(['writer-endpoint', undefined]);
    const policy = JSON.parse(resourcesOf(tf, 'aws_iam_role_policy')[0].policy);
    const connect = policy.Statement.find((s: any) => s.Sid === 'ConnectToDatabaseWithIam');
    expect(connect.Resource.map((r: string) => r.split(':')[3]).sort()).toEqual([...REGIONS].sort());
  });
});

describe('services without a data layer', () => {
  it('keep their Lambda out of any VPC', () => {
    const out = synthConfig(baseConfig());
    const fn = resourcesOf(out.stack('items-prod-eu-west-1'), 'aws_lambda_function')[0];
    expect(fn.vpc_config).toBeUndefined();
    expect(resourcesOf(out.stack('items-prod-global'), 'aws_rds_cluster')).toHaveLength(0);
  });
});

describe('swapping the primary region after a switchover', () => {
  const before = synthConfig(configWithDataLayers(['eu-west-1', 'us-east-1', 'ap-southeast-1'])).stack('items-prod-global');
  const after = synthConfig(configWithDataLayers(['us-east-1', 'eu-west-1', 'ap-southeast-1'])).stack('items-prod-global');
  const TYPES = [
    'aws_rds_global_cluster',
    'aws_rds_cluster',
    'aws_rds_cluster_instance',
    'aws_elasticache_global_replication_group',
    'aws_elasticache_replication_group',
  ];
  // The global cluster and the global datastore have region-less ARNs
  // (arn:aws:rds::<account>:global-cluster:<id>): they are managed through the current
  // primary's provider, and a change of that provider is a re-read, not a replacement.
  // Every regional member, by contrast, must keep its provider (its region).
  const FORCING: Record<string, string[]> = {
    aws_rds_global_cluster: ['global_cluster_identifier', 'engine'],
    aws_rds_cluster: ['cluster_identifier', 'engine', 'provider', 'master_username', 'global_cluster_identifier'],
    aws_rds_cluster_instance: ['identifier', 'engine', 'provider'],
    aws_elasticache_global_replication_group: ['global_replication_group_id_suffix', 'primary_replication_group_id'],
    aws_elasticache_replication_group: ['replication_group_id', 'engine', 'provider', 'global_replication_group_id'],
  };

  it('keeps every cluster, instance and replication group at the same address', () => {
    expect(Object.keys(byAddress(after, TYPES)).sort()).toEqual(Object.keys(byAddress(before, TYPES)).sort());
  });

  it('keeps every replacement-forcing attribute, or ignores its change', () => {
    const b = byAddress(before, TYPES);
    const a = byAddress(after, TYPES);
    const drift: string[] = [];
    for (const [address, resource] of Object.entries(a)) {
      const type = address.split('.')[0];
      const ignored: string[] = resource.lifecycle?.ignore_changes ?? [];
      for (const attr of FORCING[type]) {
        if (JSON.stringify(resource[attr]) !== JSON.stringify(b[address][attr]) && !ignored.includes(attr)) {
          drift.push(`${address}.${attr}: ${JSON.stringify(b[address][attr])} -> ${JSON.stringify(resource[attr])}`);
        }
      }
    }
    expect(drift).toEqual([]);
  });

  it('does move the writer: the new primary region’s cluster is the one created with credentials', () => {
    const writer = resourcesOf(after, 'aws_rds_cluster').find((c) => c.master_username);
    expect(writer.provider).toBe('aws.us-east-1');
    expect(ROLE_DEPENDENT_CLUSTER_ATTRIBUTES).toContain('master_username');
    expect(ROLE_DEPENDENT_CACHE_ATTRIBUTES).toContain('global_replication_group_id');
  });
});
