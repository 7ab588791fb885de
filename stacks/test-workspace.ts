// Test-only: a throw-away workspace root with stand-in Lambda bundles, so stack
// tests do not depend on a prior `npm run build`.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export function fakeWorkspace(apps: readonly string[]): string {
  const root = mkdtempSync(path.join(tmpdir(), 'platform-ws-'));
  for (const app of apps) {
    mkdirSync(path.join(root, 'dist', 'apps', app), { recursive: true });
    writeFileSync(path.join(root, 'dist', 'apps', app, 'lambda.zip'), `stand-in bundle of ${app}`);
  }
  return root;
}
