// Loads a TypeScript entry point of the workspace in this process: bundles it with
// esbuild (workspace path aliases resolved, npm packages left external) into dist/
// and requires the bundle. Much faster than the cdktf CLI or a TS loader.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');

/** Bundles `entry` (relative to the workspace root) to dist/<outfile> and returns its exports. */
export async function loadTs(entry, outfile) {
  const bundle = join(root, 'dist', outfile);
  await build({
    entryPoints: [join(root, entry)],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    tsconfig: join(root, 'tsconfig.base.json'),
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return createRequire(import.meta.url)(bundle);
}
