// The preflight's longest apply (libs/pipeline/preflight) read from real synthesized
// stacks: a service with Aurora and ElastiCache global layers, and one without.
import { applyDuration } from '@platform/preflight';
import { baseConfig, synthConfig } from './test-workspace';

describe('the longest apply of synthesized stacks', () => {
  it('is the Aurora chain of a global stack with data layers: global cluster, primary cluster and instances, then a secondary', () => {
    const regions = ['eu-west-1', 'us-east-1'];
    const config = baseConfig();
    config.environments.prod.regions = regions;
    config.environments.prod.network = Object.fromEntries(
      regions.map((r) => [r, { vpc: { id: 'vpc-0123456789abcdef0' }, privateSubnets: { ids: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'] } }]),
    );
    config.services.items.aurora = { engine: 'aurora-postgresql', engineVersion: '16.4' };
    config.services.items.cache = { engine: 'valkey' };
    const out = synthConfig(config);
    const duration = applyDuration({ name: 'items-prod-global', json: out.stack('items-prod-global') });
    expect(duration.chain.map((s) => s.type)).toEqual(['aws_rds_global_cluster', 'aws_rds_cluster', 'aws_rds_cluster_instance', 'aws_rds_cluster', 'aws_rds_cluster_instance']);
    expect(duration.minutes).toBe(30 + 120 + 90 + 120 + 90);
  });

  it('is the certificate, then CloudFront, for a global stack without data layers; the certificate alone for a regional stack', () => {
    const out = synthConfig(baseConfig());
    expect(applyDuration({ name: 'g', json: out.stack('items-prod-global') }).chain.map((s) => s.type)).toEqual(['aws_acm_certificate_validation', 'aws_cloudfront_distribution']);
    expect(applyDuration({ name: 'r', json: out.stack('items-prod-eu-west-1') }).minutes).toBe(75);
  });
});
