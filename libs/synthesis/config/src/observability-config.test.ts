import { ConfigError } from './config-error';
import { parsePlatform } from '.';
import { platformFixture } from './testing/platform-fixture';

/** The fixture's dev and prod with one service; each test breaks one thing in it. */
function validConfig(): any {
  const config = platformFixture({ services: { items: {} } });
  delete config.environments.staging;
  return config;
}

/** The problems of an invalid config, as `path: message` lines. */
function problems(config: unknown): string[] {
  try {
    parsePlatform(config, 'test.json');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  throw new Error('config was accepted');
}

describe('observability config defaults', () => {
  it('gives every service alarm thresholds, a sample rate and no central account', () => {
    const { config } = parsePlatform(validConfig());

    expect(config.services.items.alarms).toMatchObject({ periodSeconds: 60, api5xxPercent: 5, apiP99LatencyMs: 2000, evaluationPeriods: 5 });
    expect(config.services.items.logging).toEqual({ sampleRate: 0.05, slowRequestMs: 1000 });
    expect(config.observability).toEqual({ subscribers: [] });
  });
});

describe('bad observability config', () => {
  it('rejects a negative threshold', () => {
    const config = validConfig();
    config.services.items.alarms = { lambdaErrors: -1 };

    expect(problems(config)).toEqual(['services.items.alarms.lambdaErrors: lambdaErrors must not be negative (got -1)']);
  });

  it('rejects a percentage over 100', () => {
    const config = validConfig();
    config.services.items.alarms = { api5xxPercent: 150 };

    expect(problems(config)).toEqual(['services.items.alarms.api5xxPercent: api5xxPercent is a percentage; it must be at most 100 (got 150)']);
  });

  it('rejects an evaluation period that is not a multiple of 60 seconds (got 90)', () => {
    const config = validConfig();
    config.services.items.alarms = { periodSeconds: 90 };

    expect(problems(config)).toEqual(['services.items.alarms.periodSeconds: alarm period must be a multiple of 60 seconds (got 90)']);
  });

  it('rejects more datapoints to alarm than evaluation periods', () => {
    const config = validConfig();
    config.services.items.alarms = { evaluationPeriods: 2, datapointsToAlarm: 3 };

    expect(problems(config)).toEqual([
      'services.items.alarms.datapointsToAlarm: datapointsToAlarm is 3 but evaluationPeriods is 2; an alarm cannot need more breaching periods than it looks at',
    ]);
  });

  it('rejects a sample rate given as a percentage', () => {
    const config = validConfig();
    config.services.items.logging = { sampleRate: 5 };

    expect(problems(config)).toEqual(['services.items.logging.sampleRate: sample rate must be from 0 to 1 (a fraction, not a percentage) (got 5)']);
  });

  it('rejects an email subscriber that is not an address', () => {
    const config = validConfig();
    config.observability = { subscribers: [{ protocol: 'email', endpoint: 'oncall.example.com' }] };

    expect(problems(config)).toEqual(['observability.subscribers[0].endpoint: not an email address such as oncall@example.com (got "oncall.example.com")']);
  });

  it('rejects an https subscriber that is not an https URL', () => {
    const config = validConfig();
    config.observability = { subscribers: [{ protocol: 'https', endpoint: 'http://hooks.example.com/x' }] };

    expect(problems(config)).toEqual(['observability.subscribers[0].endpoint: not an https:// URL (got "http://hooks.example.com/x")']);
  });

  it('rejects a monitoring account id that is not 12 digits', () => {
    const config = validConfig();
    config.observability = { accountId: '12345' };

    expect(problems(config)).toEqual(['observability.accountId: AWS account id must be exactly 12 digits (got "12345")']);
  });

  it('rejects forwarding logs without a central account to forward them to', () => {
    const config = validConfig();
    config.observability = { forwardLogs: {} };

    expect(problems(config)).toEqual(['observability.forwardLogs: needs observability.accountId, the central account the logs are copied to (got {})']);
  });

  it('rejects a log filter pattern longer than CloudWatch Logs takes', () => {
    const config = validConfig();
    config.observability = { accountId: '555555555555', forwardLogs: { filterPattern: 'x'.repeat(1025) } };

    expect(problems(config)).toEqual([expect.stringMatching(/^observability\.forwardLogs\.filterPattern: filterPattern is at most 1,024 characters/)]);
  });

  it('rejects a monitoring account that is also an environment account', () => {
    const config = validConfig();
    config.observability = { accountId: '333333333333' };

    expect(problems(config)).toEqual([
      'observability.accountId: monitoring account 333333333333 is also the account of environment "prod"; use a separate account for monitoring',
    ]);
  });
});
