import { parsePlatform } from './parse';
import { environmentReservations, serviceContract } from './service-contract';
import { configProblems, platformFixture } from './testing/platform-fixture';

/** The fixture's dev (eu-west-1, us-east-1) and prod, with `items` everywhere and `orders` in dev and prod, given Lambda options. */
function withLambda(items: object, orders: object = {}) {
  const config = platformFixture();
  (config.services.items as any).lambda = items;
  (config.services.orders as any).lambda = orders;
  return config;
}

// Lambda keeps 100 of the quota unreserved, and a new account's quota can be 10:
// https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
// https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
describe('Lambda reserved concurrency (issue 22 #5)', () => {
  it('reserves nothing by default, so a first deploy into a fresh account (quota 10) does not call PutFunctionConcurrency', () => {
    const { config } = parsePlatform(platformFixture());
    expect(serviceContract(config, 'items', 'prod').reservedConcurrency).toBeUndefined();
    expect(environmentReservations(config, 'prod').map((r) => r.total)).toEqual([0, 0, 0]);
  });

  it('reserves per environment when the service names environments', () => {
    const { config } = parsePlatform(withLambda({ reservedConcurrency: { prod: 200 } }));
    expect(serviceContract(config, 'items', 'prod').reservedConcurrency).toBe(200);
    expect(serviceContract(config, 'items', 'dev').reservedConcurrency).toBeUndefined();
  });

  it('reserves in every environment when given a number', () => {
    const { config } = parsePlatform(withLambda({ reservedConcurrency: 25 }));
    expect(['dev', 'staging', 'prod'].map((e) => serviceContract(config, 'items', e).reservedConcurrency)).toEqual([25, 25, 25]);
  });

  it('accepts reservations that leave 100 of the default quota of 1000 unreserved', () => {
    expect(configProblems(withLambda({ reservedConcurrency: { prod: 600 } }, { reservedConcurrency: { prod: 300 } }))).toEqual([]);
  });

  it('refuses reservations that leave less than 100 of the default quota, per region, naming the services', () => {
    expect(configProblems(withLambda({ reservedConcurrency: { prod: 600 } }, { reservedConcurrency: { prod: 301 } }))).toEqual([
      expect.stringMatching(
        /^environments\.prod\.lambdaConcurrencyQuota: the services of "prod" reserve 901 concurrent Lambda executions in eu-west-1 \(items 600, orders 301\), but a quota of 1000 lets them reserve at most 900 \(Lambda keeps 100 unreserved\); /,
      ),
      expect.stringContaining('in us-east-1'),
      expect.stringContaining('in ap-southeast-1'),
    ]);
  });

  it('refuses any reservation in a region whose stated quota is a fresh account\'s 10', () => {
    const config = withLambda({ reservedConcurrency: { dev: 10 } });
    config.environments.dev.lambdaConcurrencyQuota = { 'us-east-1': 10 };
    expect(configProblems(config)).toEqual([expect.stringContaining('reserve 10 concurrent Lambda executions in us-east-1 (items 10), but a quota of 10 lets them reserve at most 0 (Lambda keeps 100 unreserved)')]);
  });

  it('accepts a reservation that a raised quota holds', () => {
    const config = withLambda({ reservedConcurrency: { prod: 2000 } });
    config.environments.prod.lambdaConcurrencyQuota = 5000;
    expect(configProblems(config)).toEqual([]);
  });

  it('refuses a reservation for an environment the service is not deployed to', () => {
    expect(configProblems(withLambda({}, { reservedConcurrency: { staging: 50 } }))).toEqual([
      'services.orders.lambda.reservedConcurrency.staging: reservation for environment "staging", which the service is not deployed to (environments: dev, prod)',
    ]);
  });
});
