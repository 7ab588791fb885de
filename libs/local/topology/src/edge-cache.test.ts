import { EdgeCache } from './edge-cache';

describe('EdgeCache', () => {
  let now: number;
  const clock = () => now;
  beforeEach(() => (now = 1_000_000));

  function cache(mode: 'ttl' | 'invalidate' | 'off', ttlSeconds = 60) {
    return new EdgeCache({ mode, ttlSeconds, clock });
  }

  function storeGet(c: EdgeCache, path: string, cacheControl: string | undefined, status = 200, query = '') {
    const key = c.keyOf('GET', path, query)!;
    const stored = c.store(c.ticket(key, path), status, cacheControl === undefined ? {} : { 'cache-control': cacheControl }, Buffer.from('body'));
    return { key, stored };
  }

  it('keeps a GET for its s-maxage, preferred over max-age', () => {
    const c = cache('invalidate', 86_400);
    const { key } = storeGet(c, '/items/a', 'public, max-age=0, s-maxage=30');
    now += 29_000;
    expect(c.lookup(key)).toBeDefined();
    now += 2_000;
    expect(c.lookup(key)).toBeUndefined();
  });

  it('caps the TTL at ttlSeconds in ttl mode', () => {
    const c = cache('ttl', 60);
    const { key } = storeGet(c, '/items/a', 'public, max-age=3600');
    now += 61_000;
    expect(c.lookup(key)).toBeUndefined();
  });

  it('uses the default TTL when the origin says nothing, and never keeps no-store or private answers', () => {
    const c = cache('ttl', 60);
    expect(storeGet(c, '/a', undefined).stored).toBe(true);
    expect(storeGet(c, '/b', 'no-store').stored).toBe(false);
    expect(storeGet(c, '/c', 'private, max-age=60').stored).toBe(false);
    expect(storeGet(c, '/d', 'no-cache').stored).toBe(false);
  });

  it('keeps no error answer by default, as the platform distribution sets a 0 s error caching TTL', () => {
    expect(storeGet(cache('ttl', 60), '/g', undefined, 503).stored).toBe(false);
  });

  it('keeps an error answer without caching headers for the error caching TTL only', () => {
    const c = new EdgeCache({ mode: 'ttl', ttlSeconds: 60, errorCachingMinTtlSeconds: 10, clock });
    expect(storeGet(c, '/e', 'no-store', 503).stored).toBe(false);
    const { key, stored } = storeGet(c, '/f', undefined, 503);
    expect(stored).toBe(true);
    now += 10_001;
    expect(c.lookup(key)).toBeUndefined();
  });

  it('never caches in off mode, nor anything but GET and HEAD', () => {
    expect(cache('off').keyOf('GET', '/items', '')).toBeUndefined();
    expect(cache('ttl').keyOf('POST', '/items', '')).toBeUndefined();
    expect(cache('ttl').keyOf('HEAD', '/items', 'a=1')).toBe(cache('ttl').keyOf('GET', '/items', 'a=1'));
  });

  it('separates query strings and, when asked, Authorization', () => {
    const c = cache('ttl');
    expect(c.keyOf('GET', '/items', 'limit=1')).not.toBe(c.keyOf('GET', '/items', 'limit=2'));
    expect(c.keyOf('GET', '/items', '', 'Bearer a')).not.toBe(c.keyOf('GET', '/items', '', 'Bearer b'));
  });

  it('drops every query variant of an invalidated path, and prefixes ending in *', () => {
    const c = cache('invalidate', 3600);
    const list = storeGet(c, '/items', undefined, 200, 'limit=5').key;
    const item = storeGet(c, '/items/a', undefined).key;
    const other = storeGet(c, '/items/b', undefined).key;
    expect(c.invalidate(['/items/a', '/items'])).toBe(2);
    expect(c.lookup(list)).toBeUndefined();
    expect(c.lookup(item)).toBeUndefined();
    expect(c.lookup(other)).toBeDefined();
    expect(c.invalidate(['/items*'])).toBe(1);
    expect(c.lookup(other)).toBeUndefined();
  });

  it('does not store an answer fetched before an invalidation of its path that arrives after it', () => {
    const c = cache('invalidate', 3600);
    const key = c.keyOf('GET', '/items/a', '')!;
    const early = c.ticket(key, '/items/a');
    const unrelated = c.ticket(c.keyOf('GET', '/items/b', '')!, '/items/b');
    c.invalidate(['/items/a']);
    expect(c.store(early, 200, {}, Buffer.from('old'))).toBe(false);
    expect(c.lookup(key)).toBeUndefined();
    // An invalidation of another path does not hold back this one.
    expect(c.store(unrelated, 200, {}, Buffer.from('b'))).toBe(true);
    expect(c.store(c.ticket(key, '/items/a'), 200, {}, Buffer.from('new'))).toBe(true);
  });
});
