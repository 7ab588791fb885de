import { RegionRouter } from './region-router';

const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-1'];

function router(policy: 'latency' | 'weighted' | 'failover', down: string[] = [], extra: Partial<ConstructorParameters<typeof RegionRouter>[0]> = {}) {
  let seed = 1;
  // A fixed pseudo-random sequence keeps the weighted counts stable.
  const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  return new RegionRouter({ policy, regions: REGIONS, isHealthy: (r) => !down.includes(r), random, ...extra });
}

function counts(r: RegionRouter, n = 10_000): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const region = r.pick();
    out[region] = (out[region] ?? 0) + 1;
  }
  return out;
}

describe('RegionRouter', () => {
  it('latency: the nearest healthy region, then the next in order', () => {
    expect(router('latency').pick()).toBe('eu-west-1');
    expect(router('latency', ['eu-west-1']).pick()).toBe('us-east-1');
    expect(router('latency', ['eu-west-1'], { nearestRegion: 'ap-southeast-1' }).pick()).toBe('ap-southeast-1');
  });

  it('answers as if all were healthy when every health check fails, as Route53 does', () => {
    expect(router('latency', REGIONS).pick()).toBe('eu-west-1');
    expect(router('failover', ['eu-west-1', 'us-east-1'], { regions: ['eu-west-1', 'us-east-1'] }).pick()).toBe('eu-west-1');
  });

  it('failover: the primary while healthy, else the secondary', () => {
    const regions = ['eu-west-1', 'us-east-1'];
    expect(router('failover', [], { regions }).pick()).toBe('eu-west-1');
    expect(router('failover', ['eu-west-1'], { regions }).pick()).toBe('us-east-1');
  });

  it('weighted: in proportion to the weights, among healthy regions only', () => {
    const c = counts(router('weighted', [], { weights: { 'eu-west-1': 200, 'us-east-1': 55, 'ap-southeast-1': 0 } }));
    expect(c['ap-southeast-1']).toBeUndefined();
    expect(c['eu-west-1'] / (c['eu-west-1'] + c['us-east-1'])).toBeCloseTo(200 / 255, 1);
    expect(counts(router('weighted', ['eu-west-1'], { weights: { 'eu-west-1': 200, 'us-east-1': 55, 'ap-southeast-1': 0 } }))).toEqual({ 'us-east-1': 10_000 });
  });

  it('weighted: an even split when no weights are given, weight-0 regions only when nothing else is up', () => {
    const even = counts(router('weighted'));
    for (const r of REGIONS) expect(even[r] / 10_000).toBeCloseTo(1 / 3, 1);
    const zeroOnly = router('weighted', ['eu-west-1', 'us-east-1'], { weights: { 'eu-west-1': 100, 'us-east-1': 100, 'ap-southeast-1': 0 } });
    expect(zeroOnly.pick()).toBe('ap-southeast-1');
  });

  it('refuses a nearest region that is not one of the regions', () => {
    expect(() => router('latency', [], { nearestRegion: 'eu-central-1' })).toThrow(/nearestRegion "eu-central-1" is not one of the regions/);
  });

  describe('secondary (the edge origin group\'s secondary.regional name)', () => {
    it('given every region up, then the client\'s secondary is the region after its nearest in the ring, never the nearest itself', () => {
      expect(router('latency').secondary()).toBe('us-east-1');
      expect(router('latency', [], { nearestRegion: 'us-east-1' }).secondary()).toBe('ap-southeast-1');
      expect(router('latency', [], { nearestRegion: 'ap-southeast-1' }).secondary()).toBe('eu-west-1');
    });

    it('given the nearest region lost but not yet detected, then the secondary is still another region', () => {
      for (const nearest of REGIONS) expect(router('latency', [], { nearestRegion: nearest }).secondary()).not.toBe(nearest);
    });

    it('given a region evacuated (its check forced unhealthy), then it is nobody\'s secondary; restored, it is again', () => {
      const evacuated = new Set(['us-east-1']);
      const r = new RegionRouter({ policy: 'latency', regions: REGIONS, isHealthy: (x) => !evacuated.has(x) });
      expect(r.secondary()).toBe('ap-southeast-1');
      evacuated.clear();
      expect(r.secondary()).toBe('us-east-1');
    });

    it('given one region, then there is no secondary', () => {
      expect(new RegionRouter({ policy: 'latency', regions: ['eu-west-1'], isHealthy: () => true }).secondary()).toBeUndefined();
    });
  });

  describe('readsTarget (a region\'s <region>.reads name: weighted and failover routing)', () => {
    it('given the region up, then its read name answers with it (the PRIMARY record)', () => {
      for (const r of REGIONS) expect(router('weighted').readsTarget(r)).toBe(r);
    });

    it('given a region evacuated (its check forced unhealthy), then its read name answers with the next region of the ring, so it is nobody\'s first or second origin; restored, it answers again', () => {
      const evacuated = new Set(['us-east-1']);
      const r = new RegionRouter({ policy: 'weighted', regions: REGIONS, isHealthy: (x) => !evacuated.has(x) });
      // eu-west-1's group is [eu-west-1, us-east-1]: its second origin now resolves to ap-southeast-1.
      expect(r.readsTarget('us-east-1')).toBe('ap-southeast-1');
      expect(r.readsTarget('eu-west-1')).toBe('eu-west-1');
      evacuated.clear();
      expect(r.readsTarget('us-east-1')).toBe('us-east-1');
    });
  });
});
