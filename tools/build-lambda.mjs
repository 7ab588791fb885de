#!/usr/bin/env node
// Bundles a Lambda app (apps/<app>/src/main.ts, exporting `handler`) with esbuild
// for the nodejs22.x runtime and zips it deterministically into
// dist/apps/<app>/lambda.zip, the artifact the regional stacks deploy.
// Usage: node tools/build-lambda.mjs <app> [<app> ...]   (no app: every app in apps/)
import { build } from 'esbuild';
import archiver from 'archiver';
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
// Shared with the items-api benchmarks and bundle test, so they measure what ships.
// mainFields module,main: the AWS SDK's CommonJS builds defeat tree shaking (measured:
// items-api bundle 609 -> 412 KiB, cold init 77 % -> 48 % of the naive bundle).
const LAMBDA_ESBUILD_OPTIONS = JSON.parse(readFileSync(join(root, 'tools', 'lib', 'lambda-esbuild-options.json'), 'utf8'));
// A fixed timestamp makes the zip (and so Lambda's source_code_hash) depend only on the code.
const EPOCH = new Date('2020-01-01T00:00:00Z');

async function buildApp(app) {
  const entry = join(root, 'apps', app, 'src', 'main.ts');
  if (!existsSync(entry)) throw new Error(`apps/${app}/src/main.ts not found: is "${app}" an app in apps/?`);
  const outDir = join(root, 'dist', 'apps', app);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: [entry],
    outfile: join(outDir, 'index.js'),
    ...LAMBDA_ESBUILD_OPTIONS,
    sourcemap: 'linked',
    metafile: true,
    tsconfig: join(root, 'tsconfig.base.json'),
    logLevel: 'warning',
  });
  const zipPath = join(outDir, 'lambda.zip');
  await new Promise((ok, fail) => {
    const out = createWriteStream(zipPath);
    const zip = archiver('zip', { zlib: { level: 9 } });
    out.on('close', ok);
    zip.on('error', fail);
    zip.pipe(out);
    for (const file of ['index.js', 'index.js.map']) {
      zip.file(join(outDir, file), { name: file, date: EPOCH, mode: 0o644 });
    }
    zip.finalize();
  });
  const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
  console.log(`built ${app}: dist/apps/${app}/lambda.zip (bundle ${(bytes / 1024).toFixed(0)} KiB, zip ${(statSync(zipPath).size / 1024).toFixed(0)} KiB)`);
}

const apps = process.argv.slice(2);
const targets = apps.length > 0 ? apps : readdirSync(join(root, 'apps')).filter((d) => existsSync(join(root, 'apps', d, 'src', 'main.ts')));
try {
  for (const app of targets) await buildApp(app);
} catch (err) {
  console.error(`build-lambda: ${err.message}`);
  process.exit(1);
}
