// The platform of the synth benchmark made with the service generator rather than a
// template copy: N services generated one after the other into a scratch workspace
// (config entries, apps, CODEOWNERS), each app bundled as npm run build would.
import { createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Archiver, CoreOptions, ZipOptions } from 'archiver';
import { type BuildOptions, build } from 'esbuild';
import { FsTree, flushChanges } from 'nx/src/generators/tree';
import { serviceGenerator } from '@platform/nx-plugin/tooling';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const archiver = require('archiver') as (format: 'zip', options?: CoreOptions & ZipOptions) => Archiver;
const root = resolve(__dirname, '..', '..');
const EPOCH = new Date('2020-01-01T00:00:00Z');

/** A generated platform: its config file and the apps whose bundles were written to dist/apps. */
export interface GeneratedServices {
  readonly configPath: string;
  readonly apps: string[];
  /** Removes the bundles from dist/apps. */
  cleanup(): void;
}

/** Generates `count` services with the generator into `work`, and bundles their apps into the repository's dist/apps. */
export async function generateServices(count: number, work: string): Promise<GeneratedServices> {
  const ws = join(work, `generated-${count}`);
  rmSync(ws, { recursive: true, force: true });
  mkdirSync(join(ws, 'config'), { recursive: true });
  const example = JSON.parse(readFileSync(join(root, 'config', 'platform.json'), 'utf8'));
  writeFileSync(join(ws, 'config', 'platform.json'), `${JSON.stringify({ ...example, services: {} }, null, 2)}\n`);
  const apps: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `svc${String(i).padStart(3, '0')}`;
    const tree = new FsTree(ws, false);
    await serviceGenerator(tree, { name, owners: '@acme/bench' });
    flushChanges(ws, tree.listChanges());
    apps.push(`${name}-api`);
  }
  const options = JSON.parse(readFileSync(join(root, 'libs', 'synthesis', 'config', 'src', 'lambda-esbuild-options.json'), 'utf8')) as BuildOptions;
  for (const app of apps) {
    const outDir = join(root, 'dist', 'apps', app);
    mkdirSync(outDir, { recursive: true });
    await build({ ...options, entryPoints: [join(ws, 'apps', app, 'src', 'main.ts')], outfile: join(outDir, 'index.js'), tsconfig: join(root, 'tsconfig.base.json'), nodePaths: [join(root, 'node_modules')], logLevel: 'warning' });
    await new Promise<void>((ok, fail) => {
      const out = createWriteStream(join(outDir, 'lambda.zip'));
      const zip = archiver('zip', { zlib: { level: 9 } });
      out.on('close', ok);
      zip.on('error', fail);
      zip.pipe(out);
      zip.file(join(outDir, 'index.js'), { name: 'index.js', date: EPOCH, mode: 0o644 });
      void zip.finalize();
    });
  }
  return {
    configPath: join(ws, 'config', 'platform.json'),
    apps,
    cleanup: () => apps.forEach((app) => rmSync(join(root, 'dist', 'apps', app), { recursive: true, force: true })),
  };
}
