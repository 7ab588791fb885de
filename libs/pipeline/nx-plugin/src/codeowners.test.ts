import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlatform, parsePlatform } from '@platform/config';
import { platformFixture, withService } from '@platform/config/testing';
import { CODEOWNERS_PATH, ownersOf, PLATFORM_PATHS, renderCodeowners } from './codeowners';

const ROOT = join(__dirname, '..', '..', '..', '..');

function platformWith(owners: { platform?: string[]; items?: string[] }) {
  const config = withService(platformFixture(), 'items', { owners: owners.items });
  return parsePlatform({ ...config, platformOwners: owners.platform }, 'test.json');
}

describe('renderCodeowners', () => {
  it('gives a service app and libs to its owners', () => {
    const text = renderCodeowners(platformWith({ platform: ['@acme/platform'], items: ['@acme/items', '@alice'] }));
    expect(text).toContain('/apps/items-api/ @acme/items @alice\n');
    expect(text).toContain('/libs/items/ @acme/items @alice\n');
  });

  it('keeps the platform paths with the platform owners, after every service line (last match wins)', () => {
    const lines = renderCodeowners(platformWith({ platform: ['@acme/platform'], items: ['@acme/items'] })).split('\n');
    const lastService = lines.findIndex((l) => l.startsWith('/libs/items/'));
    for (const path of ['/.github/', '/libs/pipeline/plan-review/', '/bootstrap/', '/config/']) {
      const index = lines.indexOf(`${path} @acme/platform`);
      expect([path, index > lastService]).toEqual([path, true]);
    }
    expect(PLATFORM_PATHS).toHaveLength(4);
  });

  it('leaves a service without owners to the platform owners', () => {
    const platform = platformWith({ platform: ['@acme/platform'] });
    expect(renderCodeowners(platform)).not.toContain('/apps/items-api/');
    expect(ownersOf(platform, 'items')).toEqual(['@acme/platform']);
  });

  it('refuses an owner that is neither @org/team nor @user', () => {
    expect(() => platformWith({ items: ['acme/items'] })).toThrow('owner must be a GitHub team "@org/team" or user "@user"');
  });
});

describe('the committed .github/CODEOWNERS', () => {
  it('is the one generated from config/platform.json (run npm run codeowners when this fails)', () => {
    const expected = renderCodeowners(loadPlatform(join(ROOT, 'config/platform.json')));
    expect(readFileSync(join(ROOT, CODEOWNERS_PATH), 'utf8')).toBe(expected);
  });
});
