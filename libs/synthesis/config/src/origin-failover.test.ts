import { secondaryFor, secondaryOf } from './origin-failover';

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
