// Generates a platform config with N services in three environments (dev in two
// regions, staging and prod in three), for benchmarks: 11 stacks per service.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');

/** A config object with `services` services, based on the example config's environments. */
export function generatePlatform(services: number): Record<string, unknown> {
  const example = JSON.parse(readFileSync(join(root, 'config', 'platform.json'), 'utf8'));
  const apps = ['items-api', 'orders-api'];
  const generated: Record<string, unknown> = {};
  for (let i = 0; i < services; i++) {
    generated[`svc${String(i).padStart(3, '0')}`] = {
      app: apps[i % apps.length],
      routing: i % 2 ? { policy: 'weighted' } : { policy: 'latency' },
      edgeCache: i % 3 ? { mode: 'ttl', ttlSeconds: 30 } : { mode: 'invalidate' },
    };
  }
  return { ...example, services: generated };
}
