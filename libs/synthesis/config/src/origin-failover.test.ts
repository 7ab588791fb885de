import { runInNewContext } from 'node:vm';
import { FAILOVER_METHODS, ORIGIN_FAILOVER, PRIMARY_ORIGIN_ID, SECONDARY_ORIGIN_ID, readFailoverFunctionCode, secondaryFor, secondaryOf } from './origin-failover';

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
  function originGroupOf(code: string, method: string, uri: string): unknown {
    const calls: unknown[] = [];
    const source = code.replace("import cf from 'cloudfront';", '');
    const handler = runInNewContext(`${source}\nhandler;`, { cf: { createRequestOriginGroup: (g: unknown) => calls.push(g) } }) as (e: unknown) => unknown;
    const request = { method, uri, querystring: {}, headers: {} };
    expect(handler({ version: '1.0', request })).toBe(request);
    expect(calls.length).toBeLessThanOrEqual(1);
    return calls[0];
  }
  const code = readFailoverFunctionCode(['/items', '/items/*', '/v?/status']);

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
    expect(() => readFailoverFunctionCode([])).toThrow(/at least one path/);
  });
});
