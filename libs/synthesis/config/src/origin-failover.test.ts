import { runInNewContext } from 'node:vm';
import {
  FAILOVER_METHODS,
  ORIGIN_FAILOVER,
  PRIMARY_ORIGIN_ID,
  SECONDARY_ORIGIN_ID,
  failoverOriginNames,
  readFailoverFunctionCode,
  readFailoverOf,
  readsOriginId,
  regionOfReadsOrigin,
  secondaryFor,
  secondaryOf,
} from './origin-failover';

describe('the secondary ring', () => {
  const regions = ['eu-west-1', 'us-east-1', 'ap-southeast-1'];

  it('given several regions, then each region’s secondary is the next one, never itself, and each region backs up exactly one other', () => {
    expect(regions.map((r) => secondaryOf(regions, r))).toEqual(['us-east-1', 'ap-southeast-1', 'eu-west-1']);
    expect(regions.map((r) => secondaryFor(regions, r))).toEqual(['ap-southeast-1', 'eu-west-1', 'us-east-1']);
    for (const r of regions) expect(secondaryFor(regions, secondaryOf(regions, r)!)).toBe(r);
  });

  it('given any single region lost, then every surviving primary’s secondary is not the lost region, and the lost region’s edges fail over to a survivor', () => {
    for (const lost of regions) {
      for (const primary of regions) expect(secondaryOf(regions, primary)).not.toBe(primary);
      expect(secondaryOf(regions, lost)).not.toBe(lost);
    }
  });

  it('given an evacuated region, then it is nobody’s secondary, and without the exclusion it is again', () => {
    expect(secondaryOf(regions, 'eu-west-1', ['us-east-1'])).toBe('ap-southeast-1');
    expect(secondaryOf(regions, 'eu-west-1')).toBe('us-east-1');
  });

  it('given one region (or an unknown one), then there is no secondary', () => {
    expect(secondaryOf(['eu-west-1'], 'eu-west-1')).toBeUndefined();
    expect(secondaryFor(['eu-west-1'], 'eu-west-1')).toBeUndefined();
    expect(secondaryOf(regions, 'sa-east-1')).toBeUndefined();
  });
});

describe('the read failover function (readFailoverFunctionCode)', () => {
  // Runs the generated source as CloudFront would: its own context, `cf` from the
  // 'cloudfront' module (here a recorder), `handler(event)` called per viewer request.
  function originGroupOf(code: string, method: string, uri: string, random = Math.random): unknown {
    const calls: unknown[] = [];
    const source = code.replace("import cf from 'cloudfront';", '');
    const context = { cf: { createRequestOriginGroup: (g: unknown) => calls.push(g) }, __random: random };
    const handler = runInNewContext(`Math.random = __random;\n${source}\nhandler;`, context) as (e: unknown) => unknown;
    const request = { method, uri, querystring: {}, headers: {} };
    expect(handler({ version: '1.0', request })).toBe(request);
    expect(calls.length).toBeLessThanOrEqual(1);
    return calls[0];
  }
  const code = readFailoverFunctionCode({ paths: ['/items', '/items/*', '/v?/status'] });

  it('given a read of a listed path, then the request gets the group regional → secondary with the failover status codes', () => {
    for (const method of FAILOVER_METHODS) {
      expect(JSON.parse(JSON.stringify(originGroupOf(code, method, '/items/abc')))).toEqual({
        originIds: [{ originId: PRIMARY_ORIGIN_ID }, { originId: SECONDARY_ORIGIN_ID }],
        failoverCriteria: { statusCodes: [...ORIGIN_FAILOVER.statusCodes] },
      });
    }
    expect(originGroupOf(code, 'GET', '/items')).toBeDefined();
    expect(originGroupOf(code, 'GET', '/v2/status')).toBeDefined();
  });

  it('given a write of the same path, then it keeps the behaviour’s single origin (no group)', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) expect(originGroupOf(code, method, '/items/abc')).toBeUndefined();
  });

  it('given a path no pattern matches, then no group: patterns are anchored and case-sensitive, `?` is one character', () => {
    for (const uri of ['/itemsx', '/Items/abc', '/catalog/items/abc', '/v10/status', '/v/status']) expect(originGroupOf(code, 'GET', uri)).toBeUndefined();
  });

  it('then the source imports the cloudfront module on its first line (runtime 2.0) and compiles one expression per pattern', () => {
    expect(code.split('\n')[0]).toBe("import cf from 'cloudfront';");
    expect(code.match(/new RegExp\(/g)).toHaveLength(3);
  });

  it('given no path, then it refuses to make a function that does nothing', () => {
    expect(() => readFailoverFunctionCode({ paths: [] })).toThrow(/at least one path/);
  });
});

describe('the read failover of weighted and failover routing (readFailoverOf)', () => {
  const regions = ['eu-west-1', 'us-east-1', 'ap-southeast-1'];
  const service = (policy: 'latency' | 'weighted' | 'failover', weights: Record<string, number> = {}, failoverPaths = ['/items/*']) => ({
    routing: { policy, weights },
    edgeCache: { enabled: true, failoverPaths },
  });
  const groupOf = (code: string, random: number) => {
    const calls: { originIds: { originId: string }[] }[] = [];
    const handler = runInNewContext(`Math.random = function () { return ${random}; };\n${code.replace("import cf from 'cloudfront';", '')}\nhandler;`, {
      cf: { createRequestOriginGroup: (g: { originIds: { originId: string }[] }) => calls.push(g) },
    }) as (e: unknown) => unknown;
    handler({ request: { method: 'GET', uri: '/items/1', headers: {} } });
    return calls[0].originIds.map((o) => o.originId);
  };

  it('given latency routing, then no shares: the group is the regional name, then the ring name', () => {
    expect(readFailoverOf(service('latency'), regions)).toEqual({ paths: ['/items/*'] });
  });

  it('given weighted routing, then the edge draws the read’s region by weight, and its group is that region’s read name, then the next region’s (never the same region)', () => {
    const failover = readFailoverOf(service('weighted', { 'eu-west-1': 200, 'us-east-1': 55, 'ap-southeast-1': 85 }), regions)!;
    expect(failover.shares).toEqual([
      { region: 'eu-west-1', weight: 200 },
      { region: 'us-east-1', weight: 55 },
      { region: 'ap-southeast-1', weight: 85 },
    ]);
    const code = readFailoverFunctionCode(failover);
    // Math.random() * 340: [0, 200) eu-west-1, [200, 255) us-east-1, [255, 340) ap-southeast-1.
    expect(groupOf(code, 0)).toEqual(['reads-eu-west-1', 'reads-us-east-1']);
    expect(groupOf(code, 199.9 / 340)).toEqual(['reads-eu-west-1', 'reads-us-east-1']);
    expect(groupOf(code, 200.1 / 340)).toEqual(['reads-us-east-1', 'reads-ap-southeast-1']);
    expect(groupOf(code, 0.9999)).toEqual(['reads-ap-southeast-1', 'reads-eu-west-1']);
    for (const r of [0, 0.3, 0.6, 0.75, 0.9999]) {
      const [first, second] = groupOf(code, r);
      expect(first).not.toBe(second);
    }
  });

  it('given a region weighted 0, then the edge never draws it first, but it still backs up the region before it', () => {
    const code = readFailoverFunctionCode(readFailoverOf(service('weighted', { 'us-east-1': 0 }), regions)!);
    const firsts = new Set([0, 0.25, 0.49, 0.5, 0.75, 0.9999].map((r) => groupOf(code, r)[0]));
    expect(firsts).toEqual(new Set(['reads-eu-west-1', 'reads-ap-southeast-1']));
    expect(groupOf(code, 0)).toEqual(['reads-eu-west-1', 'reads-us-east-1']);
  });

  it('given every weight 0, then an even split, as Route53 does', () => {
    expect(readFailoverOf(service('weighted', { 'eu-west-1': 0, 'us-east-1': 0, 'ap-southeast-1': 0 }), regions)!.shares!.map((s) => s.weight)).toEqual([1, 1, 1]);
  });

  it('given failover routing, then every read starts at the primary region’s read name, backed by the second region’s', () => {
    const code = readFailoverFunctionCode(readFailoverOf(service('failover'), regions)!);
    for (const r of [0, 0.5, 0.9999]) expect(groupOf(code, r)).toEqual(['reads-eu-west-1', 'reads-us-east-1']);
  });

  it('given no failover paths, an edge cache off or one region, then no read failover', () => {
    expect(readFailoverOf(service('weighted', {}, []), regions)).toBeUndefined();
    expect(readFailoverOf({ ...service('weighted'), edgeCache: { enabled: false, failoverPaths: ['/items/*'] } }, regions)).toBeUndefined();
    expect(readFailoverOf(service('weighted'), ['eu-west-1'])).toBeUndefined();
  });

  it('then the origin names are the ring name, or every region’s read name', () => {
    const domains = { secondary: 'secondary.regional.x', readsIn: (r: string) => `${r}.reads.x` };
    expect(failoverOriginNames(readFailoverOf(service('latency'), regions), regions, domains)).toEqual(['secondary.regional.x']);
    expect(failoverOriginNames(readFailoverOf(service('weighted'), regions), regions, domains)).toEqual(regions.map((r) => `${r}.reads.x`));
    expect(failoverOriginNames(undefined, regions, domains)).toEqual([]);
    expect(regionOfReadsOrigin(readsOriginId('us-east-1'))).toBe('us-east-1');
    expect(regionOfReadsOrigin('secondary')).toBeUndefined();
  });
});
