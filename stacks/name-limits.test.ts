// The config check of AWS name limits (libs/synthesis/config/src/name-limits.ts) can only
// catch a name it knows. This test synthesizes a platform with every optional part on
// and proves that each name in the Terraform is one the check derived, of the kind whose
// limit it must meet: a construct that adds or renames a name fails here until the
// table derives it too.
import { type NameKind, derivedNames, parsePlatform } from '@platform/config';
import { platformFixture } from '@platform/config/testing';
import { synthConfig } from './test-workspace';

/** Which kind of name each naming attribute of a resource holds (`<type>.<attribute>`). */
const NAME_ATTRIBUTES: Readonly<Record<string, NameKind>> = {
  // The first-plan defaults of the global outputs (GlobalStackOutputs' guard) copy names the global stack creates.
  'terraform_data.input.defaults.table_name': 'dynamodbTable',
  'aws_acm_certificate.domain_name': 'acmDomainName',
  'aws_acm_certificate.subject_alternative_names': 'dnsName',
  'aws_apigatewayv2_api.name': 'apiGatewayName',
  'aws_apigatewayv2_authorizer.name': 'apiGatewayName',
  'aws_apigatewayv2_domain_name.domain_name': 'dnsName',
  'aws_cloudfront_cache_policy.comment': 'cloudfrontComment',
  'aws_cloudfront_cache_policy.name': 'cloudfrontPolicyName',
  'aws_cloudfront_distribution.aliases': 'dnsName',
  'aws_cloudfront_distribution.comment': 'cloudfrontComment',
  'aws_cloudfront_distribution.origin.domain_name': 'dnsName',
  'aws_cloudfront_response_headers_policy.name': 'cloudfrontPolicyName',
  'aws_cloudwatch_composite_alarm.alarm_name': 'alarm',
  'aws_cloudwatch_dashboard.dashboard_name': 'dashboard',
  'aws_cloudwatch_log_group.name': 'logGroup',
  'aws_cloudwatch_metric_alarm.alarm_name': 'alarm',
  'aws_cognito_user_pool.name': 'cognitoUserPool',
  'aws_cognito_user_pool_client.name': 'cognitoClient',
  'aws_cognito_user_pool_domain.domain': 'cognitoDomain',
  'aws_cognito_resource_server.identifier': 'cognitoResourceServer',
  'aws_cognito_resource_server.name': 'cognitoResourceServerName',
  'aws_cognito_resource_server.scope.scope_name': 'cognitoScope',
  'aws_db_subnet_group.name': 'rdsSubnetGroup',
  'aws_dynamodb_table.name': 'dynamodbTable',
  'aws_elasticache_global_replication_group.global_replication_group_id_suffix': 'elasticacheGlobalDatastore',
  'aws_elasticache_replication_group.replication_group_id': 'elasticacheReplicationGroup',
  'aws_elasticache_subnet_group.name': 'elasticacheSubnetGroup',
  'aws_elasticache_user.user_id': 'elasticacheUser',
  'aws_elasticache_user.user_name': 'elasticacheUser',
  'aws_elasticache_user_group.user_group_id': 'elasticacheUserGroup',
  'aws_iam_role.name': 'iamRole',
  'aws_kms_alias.name': 'kmsAlias',
  'aws_lambda_function.function_name': 'lambdaFunction',
  'aws_rds_cluster.cluster_identifier': 'rdsCluster',
  'aws_rds_cluster.final_snapshot_identifier': 'rdsClusterSnapshot',
  'aws_rds_cluster_instance.identifier': 'rdsInstance',
  'aws_rds_global_cluster.global_cluster_identifier': 'rdsGlobalCluster',
  'aws_route53_health_check.tags.Name': 'route53TagValue',
  'aws_route53_record.name': 'dnsName',
  'aws_route53_zone.name': 'dnsName',
  'aws_s3_bucket.bucket': 's3Bucket',
  'aws_secretsmanager_secret.name': 'secret',
  'aws_security_group.name': 'securityGroup',
  'aws_wafv2_web_acl.name': 'wafWebAcl',
  'aws_wafv2_web_acl.metric_name': 'wafMetric',
  'provider.assume_role.session_name': 'stsRoleSessionName',
};

// Keys that name a thing; a literal value under one that carries a config value must be mapped above.
const NAMING_KEY = /(^|_)(name|names|identifier|id|suffix|domain|comment|aliases|bucket)$/;

/** Every literal string under a naming key of `node`, as `[key path, value]` (`tags.Name` kept, other tags skipped). */
function namingLeaves(node: unknown, key = ''): [string, string][] {
  if (typeof node === 'string') return NAMING_KEY.test(key.split('.').pop() ?? '') && !node.includes('${') ? [[key, node]] : [];
  if (Array.isArray(node)) return node.flatMap((item) => namingLeaves(item, key));
  if (node && typeof node === 'object') {
    return Object.entries(node).flatMap(([k, v]) => {
      if (k === '//' || k === 'tags_all' || (k === 'tags' && typeof v === 'object')) return k === 'tags' ? namingLeaves((v as Record<string, unknown>).Name, 'tags.Name') : [];
      // WAF metric names sit in nested visibility_config blocks; the key path keeps only the leaf.
      return namingLeaves(v, k === 'visibility_config' || k === 'rule' ? key : key ? `${key}.${k}` : k);
    });
  }
  return [];
}

function everyOptionalPartOn(): any {
  const regions = ['eu-west-1', 'us-east-1', 'ap-southeast-1'];
  const config: any = platformFixture({
    stateBackend: { roleName: 'platform-state' },
    environments: {
      prod: {
        accountId: '333333333333',
        domain: 'example.com',
        regions,
        network: Object.fromEntries(regions.map((r) => [r, { vpc: { id: 'vpc-0123456789abcdef0' }, privateSubnets: { ids: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'] } }])),
      },
    },
    services: {
      orders: {
        app: 'orders-api',
        edgeCache: { mode: 'invalidate' },
        healthCheck: { lambdaErrorAlarm: true },
        auth: { cognito: {}, scopes: { GET: ['orders:read'] } },
        aurora: { engine: 'aurora-postgresql', engineVersion: '16.4' },
        cache: { engine: 'valkey' },
      },
    },
  });
  return config;
}

describe('every name in the synthesized Terraform is one the config check of AWS name limits derived', () => {
  const config = everyOptionalPartOn();
  const derived = derivedNames(parsePlatform(config).config);
  const known = (kind: NameKind, name: string) => derived.some((d) => d.kind === kind && d.name === name);
  const out = synthConfig(config, ['orders-api']);
  const stacks = Object.keys(out.manifest.stacks);

  it.each(stacks)('%s: each literal name carrying a config value is derived, as its kind', (stack) => {
    const tf = out.stack(stack);
    const unknown: string[] = [];
    const check = (where: string, kind: NameKind | undefined, value: string) => {
      if (!/orders|prod|acme|example\.com/.test(value)) return; // a fixed word, the same for every config
      if (!kind) unknown.push(`${where} = "${value}" (no kind of name in NAME_ATTRIBUTES)`);
      else if (!known(kind, value)) unknown.push(`${where} = "${value}" (not among the derived ${kind} names)`);
    };
    for (const [type, byName] of Object.entries<Record<string, unknown>>(tf.resource ?? {})) {
      for (const [id, resource] of Object.entries(byName)) {
        for (const [key, value] of namingLeaves(resource)) check(`${type}.${id}.${key}`, NAME_ATTRIBUTES[`${type}.${key}`], value);
      }
    }
    for (const provider of tf.provider?.aws ?? []) {
      for (const role of provider.assume_role ?? []) check(`provider.aws.${provider.alias}`, 'stsRoleSessionName', role.session_name);
    }
    expect(unknown).toEqual([]);
  });

  it('checks the kinds of name the data layers, Cognito, WAF and the health checks add', () => {
    const kinds = new Set(derived.map((d) => d.kind));
    for (const kind of ['elasticacheReplicationGroup', 'rdsInstance', 'cognitoDomain', 'wafMetric', 'route53TagValue', 'securityGroup'] as NameKind[]) {
      expect(kinds).toContain(kind);
    }
  });
});
