import type { PlatformConfigInput } from '@platform/config';

/**
 * A small, stable platform config for the bootstrap tests: state in its own account,
 * dev / staging / prod in three accounts, and prod's hosted zone in a separate DNS
 * account (444444444444) reached through the role `route53-records`.
 */
export function bootstrapPlatformFixture(): PlatformConfigInput {
  return {
    organization: 'acme',
    stateBackend: { accountId: '000000000000', region: 'eu-west-1', bucket: 'acme-platform-terraform-state', keyPrefix: 'platform' },
    environments: {
      dev: { accountId: '111111111111', domain: 'dev.example.com', regions: ['eu-west-1', 'us-east-1'] },
      staging: { accountId: '222222222222', domain: 'staging.example.com', regions: ['eu-west-1', 'us-east-1', 'ap-southeast-1'] },
      prod: {
        accountId: '333333333333',
        domain: 'example.com',
        regions: ['eu-west-1', 'us-east-1', 'ap-southeast-1'],
        dns: { zone: 'existing', accountId: '444444444444', roleName: 'route53-records' },
      },
    },
    services: { items: { app: 'items-api' } },
  };
}
