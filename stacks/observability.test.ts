import { baseConfig, resourcesOf, synthConfig } from './test-workspace';

const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-1'];
const byName = (tf: any, type: string, name: string) => resourcesOf(tf, type).find((r) => r.alarm_name === name || r.dashboard_name === name);

/** Every alarm of a stack (metric and composite) with the region its provider alias names. */
function alarmsOf(tf: any): { name: string; namespace?: string; metrics: string[]; region: string }[] {
  const regionOf = (provider: string) => tf.provider.aws.find((p: any) => `aws.${p.alias}` === provider).region;
  return [...resourcesOf(tf, 'aws_cloudwatch_metric_alarm'), ...resourcesOf(tf, 'aws_cloudwatch_composite_alarm')].map((a) => ({
    name: a.alarm_name,
    namespace: a.namespace,
    metrics: [a.namespace, ...(a.metric_query ?? []).map((q: any) => q.metric?.namespace)].filter(Boolean),
    region: regionOf(a.provider),
  }));
}

describe('alarms of a service in each region', () => {
  const out = synthConfig(baseConfig());

  it('gives every regional stack the API, Lambda, DynamoDB and replication alarms', () => {
    for (const region of REGIONS) {
      const names = alarmsOf(out.stack(`items-prod-${region}`)).map((a) => a.name);

      expect(names).toEqual(
        expect.arrayContaining([
          ...['api-5xx', 'api-p99-latency', 'function-errors', 'function-throttles', 'function-concurrency', 'dynamodb-throttles', 'replication-latency'].map(
            (m) => `items-prod-${region}-${m}`,
          ),
          `items-prod-${region}-region-unhealthy`,
        ]),
      );
    }
  });

  it('builds the composite "region unhealthy" alarm from every metric alarm of the region, notifying the alarm topic', () => {
    const tf = out.stack('items-prod-ap-southeast-1');
    const composite = byName(tf, 'aws_cloudwatch_composite_alarm', 'items-prod-ap-southeast-1-region-unhealthy');
    const metricAlarms = resourcesOf(tf, 'aws_cloudwatch_metric_alarm').filter((a) => a.alarm_name.startsWith('items-prod-ap-southeast-1-'));

    expect(composite.alarm_rule.split(' OR ')).toHaveLength(metricAlarms.length);
    expect(composite.provider).toBe('aws.ap-southeast-1');
    expect(composite.alarm_actions).toEqual(['arn:aws:sns:ap-southeast-1:333333333333:platform-alarms-prod']);
    expect(metricAlarms.every((a) => (a.alarm_actions ?? []).length === 0)).toBe(true);
  });

  it('treats missing data deliberately: no traffic is healthy, silent replication is ignored', () => {
    const tf = out.stack('items-prod-eu-west-1');

    expect(byName(tf, 'aws_cloudwatch_metric_alarm', 'items-prod-eu-west-1-api-5xx').treat_missing_data).toBe('notBreaching');
    expect(byName(tf, 'aws_cloudwatch_metric_alarm', 'items-prod-eu-west-1-replication-latency').treat_missing_data).toBe('ignore');
  });

  it('gives every alarm of a region its own name, also beside the health check’s Lambda error alarm', () => {
    const config = baseConfig();
    config.services.items.healthCheck = { lambdaErrorAlarm: true };
    const names = alarmsOf(synthConfig(config).stack('items-prod-eu-west-1')).map((a) => a.name);

    expect(names).toContain('items-prod-eu-west-1-lambda-errors');
    expect(new Set(names).size).toBe(names.length);
  });

  it('takes thresholds from the config', () => {
    const config = baseConfig();
    config.services.items.alarms = { apiP99LatencyMs: 750, periodSeconds: 120 };
    config.services.items.lambda = { reservedConcurrency: 50 };
    const tf = synthConfig(config).stack('items-prod-eu-west-1');

    expect(byName(tf, 'aws_cloudwatch_metric_alarm', 'items-prod-eu-west-1-api-p99-latency')).toMatchObject({ threshold: 750, period: 120, extended_statistic: 'p99' });
    expect(byName(tf, 'aws_cloudwatch_metric_alarm', 'items-prod-eu-west-1-function-concurrency').threshold).toBe(40);
  });

  it('adds Aurora and ElastiCache replication lag alarms in secondary regions only', () => {
    const config = baseConfig();
    config.services.items.aurora = { engine: 'aurora-postgresql', engineVersion: '16.4' };
    config.services.items.cache = {};
    config.environments.prod.regions = ['eu-west-1', 'us-east-1'];
    config.environments.prod.network = Object.fromEntries(
      ['eu-west-1', 'us-east-1'].map((r) => [r, { vpc: { id: 'vpc-0abc' }, privateSubnets: { ids: ['subnet-0a', 'subnet-0b'] } }]),
    );
    const synth = synthConfig(config);
    const secondary = synth.stack('items-prod-us-east-1');
    const primary = synth.stack('items-prod-eu-west-1');

    expect(byName(secondary, 'aws_cloudwatch_metric_alarm', 'items-prod-us-east-1-aurora-replication-lag')).toMatchObject({
      metric_name: 'AuroraGlobalDBReplicationLag',
      dimensions: { DBClusterIdentifier: 'items-prod-us-east-1' },
      treat_missing_data: 'breaching',
    });
    expect(alarmsOf(primary).map((a) => a.name)).not.toContain('items-prod-eu-west-1-aurora-replication-lag');
    expect(alarmsOf(primary).map((a) => a.name)).not.toContain('items-prod-eu-west-1-cache-replication-lag');
  });

  // GlobalDatastoreReplicationLag is published per cache node, dimension CacheClusterId
  // (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.Redis.html); an
  // alarm on ReplicationGroupId watches a series that never exists.
  it('watches the cache replication lag of every member cluster of the secondary (CacheClusterId), and counts silence as healthy', () => {
    const config = baseConfig();
    config.services.items.cache = { replicasPerRegion: 2 };
    config.environments.prod.regions = ['eu-west-1', 'us-east-1'];
    config.environments.prod.network = Object.fromEntries(
      ['eu-west-1', 'us-east-1'].map((r) => [r, { vpc: { id: 'vpc-0abc' }, privateSubnets: { ids: ['subnet-0a', 'subnet-0b'] } }]),
    );
    const alarm = byName(synthConfig(config).stack('items-prod-us-east-1'), 'aws_cloudwatch_metric_alarm', 'items-prod-us-east-1-cache-replication-lag');
    expect(alarm.dimensions).toBeUndefined();
    expect(alarm.treat_missing_data).toBe('notBreaching');
    const series = alarm.metric_query.filter((q: any) => q.metric);
    expect(series.map((q: any) => [q.metric.metric_name, q.metric.dimensions])).toEqual(
      ['001', '002', '003'].map((n) => ['GlobalDatastoreReplicationLag', { CacheClusterId: `items-prod-us-east-1-${n}` }]),
    );
    expect(alarm.metric_query.find((q: any) => q.return_data).expression).toBe('MAX([node1, node2, node3])');
  });
});

describe('edge and DNS alarms', () => {
  const out = synthConfig(baseConfig());
  const stacks = ['items-prod-global', ...REGIONS.map((r) => `items-prod-${r}`)];

  it('puts every alarm on a Route53 or CloudFront metric in us-east-1', () => {
    const edge = stacks.flatMap((name) => alarmsOf(out.stack(name))).filter((a) => a.metrics.some((m) => m === 'AWS/Route53' || m === 'AWS/CloudFront'));

    expect(edge.map((a) => a.name).sort()).toEqual([
      'items-prod-edge-5xx',
      ...REGIONS.map((r) => `items-prod-health-check-${r}`).sort(),
    ]);
    expect(edge.every((a) => a.region === 'us-east-1')).toBe(true);
  });

  it('watches each region’s own health check and notifies the us-east-1 alarm topic', () => {
    const tf = out.stack('items-prod-ap-southeast-1');
    const alarm = byName(tf, 'aws_cloudwatch_metric_alarm', 'items-prod-health-check-ap-southeast-1');

    expect(alarm.dimensions.HealthCheckId).toMatch(/^\${aws_route53_health_check\.health-check_https_\w+\.id}$/);
    expect(alarm.alarm_actions).toEqual(['arn:aws:sns:us-east-1:333333333333:platform-alarms-prod']);
  });

  it('puts a DNS account’s health-check alarms in that account’s us-east-1', () => {
    const config = baseConfig();
    config.environments.prod.dns = { zone: 'existing', accountId: '444444444444', roleName: 'route53-records' };
    const tf = synthConfig(config).stack('items-prod-eu-west-1');
    const alarm = byName(tf, 'aws_cloudwatch_metric_alarm', 'items-prod-health-check-eu-west-1');

    expect(alarm.provider).toBe('aws.dns');
    expect(tf.provider.aws.find((p: any) => p.alias === 'dns')).toMatchObject({ region: 'us-east-1', allowed_account_ids: ['444444444444'] });
  });

  // It can be in no composite alarm (a composite names alarms of its own account and
  // region: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html),
  // so without an action it could fire and nobody would learn of it.
  it('notifies the alarm topic of the DNS account (its bootstrap creates it in us-east-1) when the health checks live there', () => {
    const config = baseConfig();
    config.environments.prod.dns = { zone: 'existing', accountId: '444444444444', roleName: 'route53-records' };
    const alarm = byName(synthConfig(config).stack('items-prod-eu-west-1'), 'aws_cloudwatch_metric_alarm', 'items-prod-health-check-eu-west-1');

    expect(alarm.alarm_actions).toEqual(['arn:aws:sns:us-east-1:444444444444:platform-alarms-prod']);
    expect(alarm.ok_actions).toEqual(alarm.alarm_actions);
  });
});

describe('the service dashboard', () => {
  const out = synthConfig(baseConfig());
  const tf = out.stack('items-prod-global');
  const dashboard = byName(tf, 'aws_cloudwatch_dashboard', 'items-prod');
  const widgets: any[] = JSON.parse(dashboard.dashboard_body).widgets;

  it('has one row per region, each of its widgets in that region', () => {
    for (const region of REGIONS) {
      const row = widgets.filter((w) => w.properties.title?.startsWith(`${region}:`));
      expect(row.map((w) => w.properties.title.slice(region.length + 2))).toEqual([
        'requests',
        'errors',
        'latency',
        'throttles',
        'replication latency',
        'alarms (region unhealthy, health check)',
      ]);
      expect(row.filter((w) => w.type === 'metric').every((w) => w.properties.region === region)).toBe(true);
    }
  });

  it('shows each region’s composite alarm and health-check alarm', () => {
    const alarms = widgets.find((w) => w.properties.title === 'us-east-1: alarms (region unhealthy, health check)').properties.alarms;

    expect(alarms).toEqual([
      'arn:aws:cloudwatch:us-east-1:333333333333:alarm:items-prod-us-east-1-region-unhealthy',
      'arn:aws:cloudwatch:us-east-1:333333333333:alarm:items-prod-health-check-us-east-1',
    ]);
  });

  it('has an edge row with the distribution’s requests, cache hit rate and 5xx rate', () => {
    const edge = widgets.filter((w) => w.properties.title?.startsWith('edge'));

    expect(edge.map((w) => w.properties.title)).toEqual(['edge: requests', 'edge: cache hit rate %', 'edge: 5xx rate %', 'edge alarms']);
    expect(edge[0].properties.metrics[0]).toEqual(['AWS/CloudFront', 'Requests', 'DistributionId', expect.stringContaining('aws_cloudfront_distribution'), 'Region', 'Global']);
  });
});

describe('API access logs', () => {
  it('log the API request id that the handler logs beside the propagated request id', () => {
    const tf = synthConfig(baseConfig()).stack('items-prod-eu-west-1');
    const stage = resourcesOf(tf, 'aws_apigatewayv2_stage')[0];

    expect(JSON.parse(stage.access_log_settings.format)).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(stage.access_log_settings.destination_arn).toMatch(/aws_cloudwatch_log_group\.api_access-log-group_\w+\.arn/);
  });
});

describe('log forwarding to the central account', () => {
  it('subscribes each region’s function and access log groups to the central destination in that region', () => {
    const config = baseConfig();
    config.observability = { accountId: '555555555555', forwardLogs: { filterPattern: '' } };
    const out = synthConfig(config);

    for (const region of REGIONS) {
      const filters = resourcesOf(out.stack(`items-prod-${region}`), 'aws_cloudwatch_log_subscription_filter');
      expect(filters.map((f) => f.destination_arn)).toEqual([
        `arn:aws:logs:${region}:555555555555:destination:platform-logs`,
        `arn:aws:logs:${region}:555555555555:destination:platform-logs`,
      ]);
    }
  });

  it('subscribes nothing when the config does not forward logs', () => {
    const config = baseConfig();
    config.observability = { accountId: '555555555555' };

    expect(resourcesOf(synthConfig(config).stack('items-prod-eu-west-1'), 'aws_cloudwatch_log_subscription_filter')).toEqual([]);
  });
});

