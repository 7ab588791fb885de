import { parsePlatform, serviceContract } from '@platform/config';
import { platformFixture } from '@platform/config/testing';
import { RegionalHealthCheck, type RegionalHealthCheckProps } from './regional-health-check';
import { resources, synth, testStack } from './test-helpers';

describe('RegionalHealthCheck and evacuation', () => {
  const names = serviceContract(parsePlatform(platformFixture()).config, 'items', 'dev').names;

  function checks(withLambdaErrorAlarm = false) {
    const stack = testStack(['eu-west-1']);
    const props: RegionalHealthCheckProps = {
      dnsProvider: stack.provider('eu-west-1'),
      region: 'eu-west-1',
      fqdn: 'abc123.execute-api.eu-west-1.amazonaws.com',
      name: names.healthCheck('eu-west-1'),
    };
    new RegionalHealthCheck(stack, 'hc', {
      ...props,
      ...(withLambdaErrorAlarm ? { lambdaErrorAlarm: { functionName: 'items-dev', alarmProvider: stack.provider('eu-west-1') } } : {}),
    });
    return resources(synth(stack), 'aws_route53_health_check');
  }

  it('leaves invert_healthcheck and disabled of the HTTPS check to the evacuation API', () => {
    const [https] = checks();
    expect(https.lifecycle).toEqual({ ignore_changes: ['invert_healthcheck', 'disabled'] });
  });

  it('leaves them alone on the calculated check too, and on nothing else', () => {
    const all = checks(true);
    const ignoring = all.filter((c) => c.lifecycle).map((c) => c.type);
    expect(ignoring.sort()).toEqual(['CALCULATED', 'HTTPS']);
  });

  it('tags the check the DNS record uses with the name the contract gives evacuation', () => {
    expect(checks()[0].tags.Name).toBe(names.routingHealthCheckTag('eu-west-1', false));
    const calculated = checks(true).find((c) => c.type === 'CALCULATED');
    expect(calculated.tags.Name).toBe(names.routingHealthCheckTag('eu-west-1', true));
  });
});
