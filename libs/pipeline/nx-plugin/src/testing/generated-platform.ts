import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './temp-workspace';

interface GeneratedService {
  readonly app: string;
  lambda?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The example config with `count` services shaped like its first one (3 environments; prod in 3 regions). */
export function generatedConfig(count: number): { services: Record<string, GeneratedService>; [key: string]: unknown } {
  const base = JSON.parse(readFileSync(join(REPO_ROOT, 'config/platform.json'), 'utf8'));
  const template = Object.values(base.services)[0] as Record<string, unknown>;
  const services: Record<string, GeneratedService> = {};
  for (let i = 1; i <= count; i++) {
    const name = `svc${String(i).padStart(2, '0')}`;
    services[name] = { ...structuredClone(template), app: `${name}-api` };
  }
  return { ...base, services };
}

