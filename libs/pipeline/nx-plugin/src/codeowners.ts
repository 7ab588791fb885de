import type { Platform } from '@platform/config';

/** Where GitHub reads code owners from. */
export const CODEOWNERS_PATH = '.github/CODEOWNERS';

/**
 * Paths only the platform owners may approve, whatever a service's owners are: the
 * workflows, the guard that reviews plans, the per-account bootstrap and the config.
 * Listed last in CODEOWNERS, because the last matching line wins.
 */
export const PLATFORM_PATHS: readonly string[] = Object.freeze(['/.github/', '/libs/pipeline/plan-review/', '/bootstrap/', '/config/']);

/**
 * `.github/CODEOWNERS` generated from the config: everything to `platformOwners`, each
 * service's app and libraries to its `owners`, then the platform paths to the platform
 * owners again. `npm run codeowners` writes it; a test fails when the committed file is stale.
 */
export function renderCodeowners(platform: Platform): string {
  const platformOwners = platform.config.platformOwners ?? [];
  const lines = [
    '# Generated from config/platform.json by `npm run codeowners`; do not edit by hand.',
    '# Owners: platformOwners for everything, services.<name>.owners for a service\'s code,',
    '# and the platform owners again for the paths that guard the platform (last match wins).',
    '',
  ];
  if (platformOwners.length > 0) lines.push(`* ${platformOwners.join(' ')}`, '');
  for (const service of [...platform.services].sort((a, b) => a.name.localeCompare(b.name))) {
    const owners = service.owners ?? [];
    if (owners.length === 0) continue;
    lines.push(`# service ${service.name}`, `/apps/${service.app}/ ${owners.join(' ')}`, `/libs/${service.name}/ ${owners.join(' ')}`, '');
  }
  if (platformOwners.length > 0) {
    lines.push('# platform', ...PLATFORM_PATHS.map((path) => `${path} ${platformOwners.join(' ')}`), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The owners to mention for a service's changes: its own, else the platform owners. */
export function ownersOf(platform: Platform, service: string): readonly string[] {
  const found = platform.services.find((s) => s.name === service);
  return found?.owners?.length ? found.owners : (platform.config.platformOwners ?? []);
}
