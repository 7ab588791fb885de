import { parsePlatform } from '@platform/config';
import { platformFixture } from '@platform/config/testing';
import { evacuate, formatStatus, regionStatus, restore } from './evacuation';
import { FakeRouting } from './testing/fakes';

const platform = parsePlatform(platformFixture({ services: { items: { app: 'items-api' } } }));
const NOW = new Date('2026-11-27T10:00:00Z');

function setUp() {
  const control = new FakeRouting(['items-dev-eu-west-1-https', 'items-dev-us-east-1-https']);
  const change = (region: string, extra: { reason?: string; force?: boolean } = { reason: 'bad AZ' }) =>
    evacuate({ platform, environment: 'dev', region, reason: extra.reason, force: extra.force, by: 'alice', now: NOW, control });
  return { control, change };
}

describe('evacuating a region', () => {
  it('forces the routing check of every service in the region unhealthy, with who, when and why', async () => {
    const { control, change } = setUp();
    await change('us-east-1');
    expect(control.changes).toEqual([{ name: 'items-dev-us-east-1-https', note: { by: 'alice', at: '2026-11-27T10:00:00.000Z', reason: 'bad AZ' } }]);
  });

  it('refuses the last routable region, says why, and changes nothing', async () => {
    const { control, change } = setUp();
    await change('us-east-1');
    await expect(change('eu-west-1')).rejects.toThrow(
      'refusing to evacuate eu-west-1: it is the last routable region of service items in dev (every other region is evacuated or unhealthy), so clients would reach no region at all; add --force to do it anyway',
    );
    expect(control.changes).toHaveLength(1);
  });

  it('counts an unhealthy region as not routable', async () => {
    const { control, change } = setUp();
    control.states.set('items-dev-us-east-1-https', { evacuated: false, healthy: false });
    await expect(change('eu-west-1')).rejects.toThrow('last routable region');
  });

  it('evacuates the last routable region with --force', async () => {
    const { control, change } = setUp();
    await change('us-east-1');
    await change('eu-west-1', { reason: 'drill', force: true });
    expect(control.changes.map((c) => c.name)).toEqual(['items-dev-us-east-1-https', 'items-dev-eu-west-1-https']);
  });

  it.each([undefined, '', '   '])('requires a reason (%p) and changes nothing', async (reason) => {
    const { control, change } = setUp();
    await expect(change('us-east-1', { reason })).rejects.toThrow('--reason is required');
    expect(control.changes).toHaveLength(0);
  });

  it('rejects a region of another environment and an unknown environment', async () => {
    const { control, change } = setUp();
    await expect(change('ap-southeast-1')).rejects.toThrow('region "ap-southeast-1" is not a region of environment "dev" (eu-west-1, us-east-1)');
    await expect(evacuate({ platform, environment: 'qa', region: 'eu-west-1', reason: 'x', by: 'a', now: NOW, control })).rejects.toThrow(
      'unknown environment "qa"',
    );
    expect(control.changes).toHaveLength(0);
  });

  it('refuses a region whose health check was never deployed', async () => {
    const control = new FakeRouting(['items-dev-eu-west-1-https']);
    await expect(evacuate({ platform, environment: 'dev', region: 'us-east-1', reason: 'x', by: 'a', now: NOW, control })).rejects.toThrow(
      'no Route53 health check tagged Name=items-dev-us-east-1-https',
    );
  });
});

describe('restoring and status', () => {
  it('gives the region back to its health checks and shows every region', async () => {
    const { control, change } = setUp();
    await change('us-east-1');
    expect(formatStatus('dev', await regionStatus(platform, 'dev', control))).toContain('us-east-1       items        EVACUATED — by alice at 2026-11-27T10:00:00.000Z: bad AZ');
    await restore({ platform, environment: 'dev', region: 'us-east-1', reason: 'fixed', by: 'bob', now: NOW, control });
    expect(control.changes[1]).toEqual({ name: 'items-dev-us-east-1-https' });
    expect(formatStatus('dev', await regionStatus(platform, 'dev', control))).toContain('us-east-1       items        routing, healthy');
  });
});
