// Test-only helpers for stack tests.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FIXTURE_REGIONS, platformFixture } from '@platform/config/testing';
import { synthPlatform } from './main';

/** A throw-away workspace root with stand-in Lambda bundles, so tests need no `npm run build`. */
export function fakeWorkspace(apps: readonly string[]): string {
  const root = mkdtempSync(path.join(tmpdir(), 'platform-ws-'));
  for (const app of apps) {
    mkdirSync(path.join(root, 'dist', 'apps', app), { recursive: true });
    writeFileSync(path.join(root, 'dist', 'apps', app, 'lambda.zip'), `stand-in bundle of ${app}`);
  }
  return root;
}

/** Synthesizes a config object into a temp dir; returns a reader of each stack's JSON. */
export function synthConfig(config: unknown, apps: readonly string[] = ['items-api', 'orders-api']) {
  const workspace = fakeWorkspace(apps);
  const configPath = path.join(workspace, 'platform.json');
  writeFileSync(configPath, JSON.stringify(config));
  const outdir = path.join(workspace, 'cdktf.out');
  synthPlatform({ configPath, outdir, workspaceRoot: workspace });
  const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
  return {
    outdir,
    manifest,
    stack: (name: string) => JSON.parse(readFileSync(path.join(outdir, manifest.stacks[name].synthesizedStackPath), 'utf8')),
  };
}

/** Every resource of `type` in a stack's JSON. */
export function resourcesOf(tf: any, type: string): any[] {
  return Object.values(tf.resource?.[type] ?? {});
}

/**
 * A small valid platform config to vary in tests: the shared fixture's prod environment
 * (eu-west-1, us-east-1, ap-southeast-1) with the one service `items`. Typed loosely so
 * a test can set any option.
 */
export function baseConfig(): any {
  return platformFixture({
    environments: { prod: { accountId: '333333333333', domain: 'example.com', regions: [...FIXTURE_REGIONS] } },
    services: { items: { app: 'items-api' } },
  });
}
