// Against a real Redis with an ACL user standing in for ElastiCache's IAM-authenticated
// user: the cache asks for credentials at every (re)connection, so a token that changed
// (ElastiCache: a new one every 10 minutes) is what a reconnection presents.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { RedisServer } from '@platform/local-redis';
import type { Order } from './order';
import { OrderCache } from './order-cache';

let dir: string;
let redis: RedisServer;
let admin: ReturnType<typeof createClient>;

const ORDER: Order = {
  id: '0b6f3f5e-2f4a-4a53-9a55-4d0f1f5b1a01',
  customerId: 'c-1',
  currency: 'EUR',
  lines: [{ sku: 'SKU-1', quantity: 1, price: '1.00' }],
  total: '1.00',
  status: 'pending',
  version: 1,
  createdAt: '2026-11-27T12:00:00.000Z',
  updatedAt: '2026-11-27T12:00:00.000Z',
} as Order;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'order-cache-'));
  redis = await RedisServer.start({ dataDir: dir });
  await redis.command('ACL', 'SETUSER', 'admin', 'on', '>admin', '~*', '+@all');
  await redis.command('ACL', 'SETUSER', 'orders-app', 'on', '>token-1', '~*', '+@all');
  await redis.command('ACL', 'SETUSER', 'default', 'off');
  admin = createClient({ url: redis.url, username: 'admin', password: 'admin' });
  await admin.connect();
}, 30_000);

afterAll(async () => {
  admin?.destroy();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the order cache with per-connection credentials (IAM tokens in AWS)', () => {
  it('authenticates each client as the user with the token of that moment, and a reconnection presents the new one', async () => {
    let token = 'token-1';
    const asked: string[] = [];
    const cache = new OrderCache({
      readerUrl: redis.url,
      writerUrl: `redis://localhost:${redis.port}`,
      ttlSeconds: 60,
      credentials: async (client) => (asked.push(`${client}:${token}`), { username: 'orders-app', password: token }),
    });
    try {
      await until(async () => (await cache.put(ORDER)) && (await cache.get(ORDER.id)).state === 'hit');
      expect(asked.sort()).toEqual(['reader:token-1', 'writer:token-1']);

      // The token changes (as a new IAM token does); connections already authenticated stay.
      token = 'token-2';
      await admin.sendCommand(['ACL', 'SETUSER', 'orders-app', 'resetpass', '>token-2']);
      expect((await cache.get(ORDER.id)).state).toBe('hit');
      // A reconnection asks again and presents the new token.
      await admin.sendCommand(['CLIENT', 'KILL', 'USER', 'orders-app']);
      await until(async () => (await cache.get(ORDER.id)).state === 'hit');
      expect(asked).toContain('reader:token-2');
    } finally {
      await cache.close();
    }
  });

  it('counts a refused token as the cache being unavailable, never as an error', async () => {
    const cache = new OrderCache({ readerUrl: redis.url, writerUrl: redis.url, ttlSeconds: 60, credentials: async () => ({ username: 'orders-app', password: 'expired' }) });
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(await cache.get(ORDER.id)).toEqual({ state: 'unavailable' });
      expect(await cache.put(ORDER)).toBe(false);
    } finally {
      await cache.close();
    }
  });

  it('without a writer (a secondary region) stores nothing and counts the store as skipped, not failed, while reads still hit', async () => {
    await admin.set(OrderCache.key(ORDER.id), JSON.stringify(ORDER));
    const cache = new OrderCache({ readerUrl: redis.url, ttlSeconds: 60, username: 'admin', password: 'admin' });
    try {
      await until(async () => (await cache.get(ORDER.id)).state === 'hit');
      expect(await cache.put({ ...ORDER, version: 2, status: 'paid' })).toBe(false);
      expect(cache.stats).toMatchObject({ skippedWrites: 1, writeFailures: 0 });
      expect(cache.writable).toBe(false);
      expect(JSON.parse(String(await admin.get(OrderCache.key(ORDER.id))))).toMatchObject({ version: 1 });
    } finally {
      await cache.close();
    }
  });
});
