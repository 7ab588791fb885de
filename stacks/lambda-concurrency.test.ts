// Issue 22 #5: no reservation unless the config asks for one, and every function carries
// its decision for the policy rule CKV_AWS_115.
import { UNRESERVED_CONCURRENCY_TAG } from '@platform/config';
import { baseConfig, resourcesOf, synthConfig } from './test-workspace';

describe('the regional function\'s reserved concurrency', () => {
  it('is unset by default, and the function is tagged as sharing the unreserved pool', () => {
    const [fn] = resourcesOf(synthConfig(baseConfig()).stack('items-prod-eu-west-1'), 'aws_lambda_function');
    expect(fn.reserved_concurrent_executions).toBeUndefined();
    expect(fn.tags).toEqual({ [UNRESERVED_CONCURRENCY_TAG.key]: UNRESERVED_CONCURRENCY_TAG.value });
  });

  it('is the environment\'s reservation when the config gives one, without the tag', () => {
    const config = baseConfig();
    config.services.items.lambda = { reservedConcurrency: { prod: 200 } };
    const [fn] = resourcesOf(synthConfig(config).stack('items-prod-eu-west-1'), 'aws_lambda_function');
    expect(fn.reserved_concurrent_executions).toBe(200);
    expect(fn.tags).toBeUndefined();
  });
});
