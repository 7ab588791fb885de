import { findFreePort } from '@platform/local-process';
import { ResourceCache } from './resource-cache';

describe('ResourceCache without a reachable cache', () => {
  it('given a cache that does not answer, when looked up, then it says unavailable (not a miss) and get is undefined', async () => {
    const url = `redis://127.0.0.1:${await findFreePort()}`;
    const cache = new ResourceCache({ prefix: 'things', readerUrl: url, writerUrl: url, ttlSeconds: 60 });
    try {
      expect(await cache.lookup('a')).toEqual({ state: 'unavailable' });
      expect(await cache.get('a')).toBeUndefined();
      expect(await cache.put({ id: 'a', version: 1 })).toBe(false);
      expect(cache.stats).toMatchObject({ unavailable: 2, writeFailures: 1, skippedWrites: 0 });
    } finally {
      await cache.close();
    }
  });

  it('given a region that does not write, when a record is put, then nothing is attempted and the skip is counted', async () => {
    const url = `redis://127.0.0.1:${await findFreePort()}`;
    const cache = new ResourceCache({ prefix: 'things', readerUrl: url, writerUrl: url, ttlSeconds: 60, writes: false });
    try {
      expect(cache.writable).toBe(false);
      expect(await cache.put({ id: 'a', version: 1 })).toBe(false);
      expect(cache.stats).toMatchObject({ writeFailures: 0, skippedWrites: 1 });
    } finally {
      await cache.close();
    }
  });
});
