import { median, percentile, summary } from './stats';

describe('benchmark statistics', () => {
  it('median: the middle value, or the mean of the two middle values, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('percentile: nearest rank, the smallest value with at least p % at or below it', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1
    expect([percentile(hundred, 50), percentile(hundred, 99), percentile(hundred, 100)]).toEqual([50, 99, 100]);
    expect([percentile([10, 20, 30], 50), percentile([10, 20, 30], 34), percentile([10, 20, 30], 33)]).toEqual([20, 20, 10]);
    expect(percentile([], 50)).toBeNaN();
  });

  it('percentile: refuses a p outside (0, 100]', () => {
    expect(() => percentile([1], 0)).toThrow('percentile must be in (0, 100], got 0');
    expect(() => percentile([1], 0.99 * 1000)).toThrow(RangeError);
  });

  it('summary: the usual percentiles, the maximum and the count', () => {
    expect(summary([5, 1, 4, 2, 3])).toEqual({ p50: 3, p90: 5, p95: 5, p99: 5, max: 5, n: 5 });
  });
});
