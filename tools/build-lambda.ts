// npm run build: bundles each Lambda app (its entry module exports `handler`) with
// esbuild for the platform's Lambda runtime (LAMBDA_RUNTIME) and zips it deterministically into the artifact
// the regional stacks deploy. Entry and artifact paths come from the service contract.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { runCli } from '@platform/cli';
import { LAMBDA_RUNTIME, UserError, appEntryPath, artifactDir, lambdaArtifactPath } from '@platform/config';
import { writeReproducibleZip } from './lib/reproducible-zip';

const root = path.resolve(__dirname, '..');
// Shared with the items-api benchmarks and bundle test, so they measure what ships.
// mainFields module,main: the AWS SDK's CommonJS builds defeat tree shaking (measured:
// items-api bundle 609 -> 412 KiB, cold init 77 % -> 48 % of the naive bundle).
const LAMBDA_ESBUILD_OPTIONS: BuildOptions = JSON.parse(readFileSync(path.join(root, 'libs', 'synthesis', 'config', 'src', 'lambda-esbuild-options.json'), 'utf8'));

/** Every app in apps/ that has a Lambda entry module. */
function allApps(): string[] {
  return readdirSync(path.join(root, 'apps')).filter((app) => existsSync(path.join(root, appEntryPath(app))));
}

async function buildApp(app: string): Promise<void> {
  const entry = path.join(root, appEntryPath(app));
  if (!existsSync(entry)) {
    throw new UserError(`${appEntryPath(app)} not found: "${app}" is not an app in apps/ (apps: ${allApps().join(', ')})`);
  }
  const outDir = path.join(root, artifactDir(app));
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: [entry],
    outfile: path.join(outDir, 'index.js'),
    ...LAMBDA_ESBUILD_OPTIONS,
    sourcemap: 'linked',
    metafile: true,
    tsconfig: path.join(root, 'tsconfig.base.json'),
    logLevel: 'warning',
  });
  const zipPath = path.join(root, lambdaArtifactPath(app));
  await writeReproducibleZip(
    zipPath,
    ['index.js', 'index.js.map'].map((name) => ({ name, path: path.join(outDir, name) })),
  );
  const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
  console.log(`built ${app}: ${lambdaArtifactPath(app)} (bundle ${(bytes / 1024).toFixed(0)} KiB, zip ${(statSync(zipPath).size / 1024).toFixed(0)} KiB)`);
}

void runCli(
  {
    name: 'build',
    command: 'npm run build --',
    summary: `Bundles each Lambda app for ${LAMBDA_RUNTIME} and zips it deterministically into dist/apps/<app>/lambda.zip.`,
    positionals: '[<app>...]',
    options: {},
    notes: 'Without an app, every app in apps/ is built.',
  },
  async ({ positionals }) => {
    for (const app of positionals.length > 0 ? positionals : allApps()) await buildApp(app);
  },
);
