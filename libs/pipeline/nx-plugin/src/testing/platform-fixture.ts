import type { PlatformConfigInput } from '@platform/config';

/**
 * A small, stable platform config for the tests: the example's accounts,
 * environments and regions (dev 2, staging 3, prod 3) and two services, `items`
 * everywhere and `orders` in dev and prod, with every option left to its default.
 * The tests do not use config/platform.json, which grows with the platform.
 */
export function platformFixture(): PlatformConfigInput {
  return {
    organization: 'acme',
    stateBackend: { accountId: '000000000000', region: 'eu-west-1', bucket: 'acme-platform-terraform-state', keyPrefix: 'platform' },
    environments: {
      dev: { accountId: '111111111111', domain: 'dev.example.com', regions: ['eu-west-1', 'us-east-1'] },
      staging: { accountId: '222222222222', domain: 'staging.example.com', regions: ['eu-west-1', 'us-east-1', 'ap-southeast-1'] },
      prod: { accountId: '333333333333', domain: 'example.com', regions: ['eu-west-1', 'us-east-1', 'ap-southeast-1'] },
    },
    services: {
      items: { app: 'items-api' },
      orders: { app: 'orders-api', environments: ['dev', 'prod'] },
    },
  };
}
