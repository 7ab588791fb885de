import { compareStamps, imageDigest, keyString, stampOfImage, writeTimeOf } from './write-stamp';

describe('write stamps', () => {
  const item = (updatedAt: string, version: number, name = 'x') => ({
    pk: { S: 'ITEM#a' },
    sk: { S: 'ITEM' },
    name: { S: name },
    version: { N: String(version) },
    updatedAt: { S: updatedAt },
  });

  it('orders by the recorded write time, then version, then digest', () => {
    const older = stampOfImage(item('2030-01-01T00:00:00.000Z', 9))!;
    const newer = stampOfImage(item('2030-01-01T00:00:00.001Z', 1))!;
    expect(compareStamps(older, newer)).toBeLessThan(0);
    const sameMsLowerVersion = stampOfImage(item('2030-01-01T00:00:00.001Z', 0))!;
    expect(compareStamps(sameMsLowerVersion, newer)).toBeLessThan(0);
    const a = stampOfImage(item('2030-01-01T00:00:00.001Z', 1, 'a'))!;
    const b = stampOfImage(item('2030-01-01T00:00:00.001Z', 1, 'b'))!;
    expect(Math.sign(compareStamps(a, b))).toBe(-Math.sign(compareStamps(b, a)));
    expect(compareStamps(a, a)).toBe(0);
  });

  it('falls back to createdAt, reads epoch numbers, and has no stamp without a time', () => {
    expect(writeTimeOf({ createdAt: { S: '2030-01-01T00:00:00.000Z' } })).toBe(Date.parse('2030-01-01T00:00:00.000Z'));
    expect(writeTimeOf({ updatedAt: { N: '1900000000' } })).toBe(1_900_000_000_000);
    expect(stampOfImage({ pk: { S: 'x' } })).toBeUndefined();
  });

  it('digests records regardless of attribute and set order', () => {
    expect(imageDigest({ a: { S: '1' }, b: { SS: ['x', 'y'] } })).toBe(imageDigest({ b: { SS: ['y', 'x'] }, a: { S: '1' } }));
    expect(imageDigest({ a: { S: '1' } })).not.toBe(imageDigest({ a: { S: '2' } }));
    expect(keyString({ sk: { S: 'ITEM' }, pk: { S: 'ITEM#a' } })).toBe(keyString({ pk: { S: 'ITEM#a' }, sk: { S: 'ITEM' } }));
  });
});
