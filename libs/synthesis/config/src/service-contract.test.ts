import { parsePlatform } from './parse';
import {
  GLOBAL_OUTPUTS,
  LAMBDA_ENVIRONMENT,
  NOT_YET_APPLIED,
  bootstrapStateKey,
  lambdaArtifactPath,
  serviceContract,
  stateKey,
} from './service-contract';
import { platformFixture } from './testing/platform-fixture';

const config = (services = platformFixture().services, stateBackend = {}) =>
  parsePlatform(platformFixture({ services, stateBackend })).config;

describe('serviceContract', () => {
  it('names the stacks, their state keys and the artifact of a service in an environment', () => {
    const c = serviceContract(config(), 'items', 'prod');

    expect(c.globalStack).toBe('items-prod-global');
    expect(c.regionalStack('us-east-1')).toBe('items-prod-us-east-1');
    expect(c.stateBackend(c.globalStack)).toEqual({
      bucket: 'acme-platform-terraform-state',
      region: 'eu-west-1',
      key: 'platform/prod/items-prod-global.tfstate',
    });
    expect(c.app).toBe('items-api');
    expect(c.artifactPath).toBe(lambdaArtifactPath('items-api'));
  });

  it('derives resource names, domains and ARNs from the config', () => {
    const c = serviceContract(config(), 'items', 'prod');

    expect(c.names.table).toBe('items-prod');
    expect(c.names.bucket('eu-west-1')).toBe('acme-items-prod-eu-west-1');
    expect(c.names.apiRole('us-east-1')).toBe('items-prod-us-east-1-api');
    expect(c.domains).toMatchObject({
      service: 'items.example.com',
      zone: 'items.example.com',
      api: 'api.items.example.com',
      regional: 'regional.items.example.com',
    });
    expect(c.domains.regionalIn('eu-west-1')).toBe('eu-west-1.regional.items.example.com');
    expect(c.deployRoleArn).toBe('arn:aws:iam::333333333333:role/platform-deploy');
    expect(c.permissionsBoundaryArn).toBe('arn:aws:iam::333333333333:policy/platform-workload-boundary');
    expect(c.dnsAccess).toBeUndefined();
  });

  it('strips trailing slashes of the key prefix once, for stacks and the bootstrap alike', () => {
    expect(stateKey('platform//', 'dev', 'a-dev-global')).toBe('platform/dev/a-dev-global.tfstate');
    const c = serviceContract(config(undefined, { keyPrefix: 'org/platform/' }), 'items', 'dev');
    expect(c.stateBackend(c.regionalStack('eu-west-1')).key).toBe('org/platform/dev/items-dev-eu-west-1.tfstate');
    expect(bootstrapStateKey('bootstrap-prod')).toBe('bootstrap/bootstrap-prod.tfstate');
  });

  it('declares a default for every global output a regional stack reads, layer by layer', () => {
    const plain = serviceContract(config(), 'items', 'dev').regionalInputs('us-east-1');
    expect(plain).toEqual({
      [GLOBAL_OUTPUTS.tableName]: 'items-dev',
      [GLOBAL_OUTPUTS.bucketName('us-east-1')]: 'acme-items-dev-us-east-1',
      [GLOBAL_OUTPUTS.zoneId]: NOT_YET_APPLIED,
      // A new service's defaults: a Cognito issuer and the origin secret of its distribution.
      [GLOBAL_OUTPUTS.userPoolId]: NOT_YET_APPLIED,
      [GLOBAL_OUTPUTS.userPoolClientId]: NOT_YET_APPLIED,
      [GLOBAL_OUTPUTS.originSecretAccepted]: NOT_YET_APPLIED,
    });

    const services = { items: { edgeCache: { mode: 'invalidate' as const } } };
    const invalidating = serviceContract(config(services), 'items', 'dev').regionalInputs('eu-west-1');
    expect(invalidating[GLOBAL_OUTPUTS.distributionArn]).toBe(`arn:aws:cloudfront::111111111111:distribution/${NOT_YET_APPLIED}`);
  });

  it('gives the app the environment it reads, global outputs through the reader', () => {
    const services = { items: { edgeCache: { mode: 'invalidate' as const } } };
    const env = serviceContract(config(services), 'items', 'dev').lambdaEnvironment('eu-west-1', (output) => `<${output}>`);

    expect(env).toMatchObject({
      [LAMBDA_ENVIRONMENT.tableName]: `<${GLOBAL_OUTPUTS.tableName}>`,
      [LAMBDA_ENVIRONMENT.serviceName]: 'items',
      [LAMBDA_ENVIRONMENT.edgeCacheMode]: 'invalidate',
      [LAMBDA_ENVIRONMENT.distributionId]: `<${GLOBAL_OUTPUTS.distributionId}>`,
    });
  });

  it('fails for a service or environment the config does not have', () => {
    expect(() => serviceContract(config(), 'orders', 'staging')).not.toThrow();
    expect(() => serviceContract(config(), 'nope', 'dev')).toThrow('no service "nope" in environment "dev"');
  });
});
