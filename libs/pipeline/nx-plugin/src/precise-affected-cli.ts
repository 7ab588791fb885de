// npm run affected:precise -- --base <ref> [--head-out cdktf.out] [--json]
// The stacks whose synthesized Terraform differs between the base commit and the work
// tree: the base is exported to a temporary folder, built and synthesized there; the
// head is the work tree's synth output (run npm run build && npm run synth first).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli, UsageError } from '@platform/cli';
import { DEFAULT_CONFIG_PATH, loadPlatform, UserError } from '@platform/config';
import { orphanNotice } from './orphans';
import { diffSynthOutputs } from './synth-diff';

void runCli(
  {
    name: 'affected:precise',
    command: 'npm run affected:precise --',
    summary:
      'Prints the stacks whose synthesized Terraform changed between --base and the work tree (their config part or their app changed the JSON), comma-separated for nx run-many -p; --json adds added, removed and unchanged.',
    options: {
      base: { type: 'string', valueName: '<ref>', description: 'commit to compare with (required), e.g. main' },
      'head-out': { type: 'string', valueName: '<dir>', default: 'cdktf.out', description: "the work tree's synth output (default cdktf.out)" },
      json: { type: 'boolean', default: false, description: 'print JSON: changed, added, removed, unchanged' },
    },
  },
  ({ values }) => {
    if (!values.base) throw new UsageError('--base <ref> is required');
    const root = process.cwd();
    const headOut = resolve(values['head-out']);
    if (!existsSync(join(headOut, 'stacks'))) throw new UserError(`${values['head-out']}/stacks not found: run npm run build && npm run synth first`);
    const run = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 256 << 20 });
    let commit: string;
    try {
      commit = run('git', ['rev-parse', '--verify', `${values.base}^{commit}`], root).trim();
    } catch {
      throw new UserError(`"${values.base}" is not a commit of this repository`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'precise-affected-'));
    try {
      execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C "${dir}"`], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
      symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
      run(process.execPath, ['tools/run-ts.mjs', 'tools/build-lambda.ts'], dir);
      reuseIdenticalBundles(join(dir, 'dist', 'apps'), join(root, 'dist', 'apps'));
      run(process.execPath, ['tools/synth.mjs', '--outdir', join(dir, 'base.out'), '--no-table'], dir);
      const diff = diffSynthOutputs(join(dir, 'base.out'), headOut);
      const affected = [...diff.changed, ...diff.added].sort();
      process.stdout.write(values.json ? `${JSON.stringify({ stacks: affected, ...diff })}\n` : `${affected.join(',')}\n`);
      if (diff.removed.length > 0) {
        // The base's config says which environment each removed stack belonged to.
        const base = loadPlatform(join(dir, DEFAULT_CONFIG_PATH));
        const byEnvironment: Record<string, string[]> = {};
        for (const stack of base.stacks) if (diff.removed.includes(stack.name)) (byEnvironment[stack.environment] ??= []).push(stack.name);
        for (const [environment, stacks] of Object.entries(byEnvironment)) console.error(`note: ${orphanNotice(environment, stacks)}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

/**
 * An app whose bundled code is byte-identical in both checkouts gets the work tree's
 * zip: the zip also holds the source map, whose paths depend on where the checkout
 * lives, and would otherwise make every Lambda look changed.
 */
function reuseIdenticalBundles(baseApps: string, headApps: string): void {
  if (!existsSync(headApps)) throw new UserError('dist/apps not found: run npm run build && npm run synth first');
  for (const app of readdirSync(baseApps)) {
    const [baseJs, headJs] = [join(baseApps, app, 'index.js'), join(headApps, app, 'index.js')];
    if (existsSync(headJs) && readFileSync(baseJs).equals(readFileSync(headJs))) copyFileSync(join(headApps, app, 'lambda.zip'), join(baseApps, app, 'lambda.zip'));
  }
}
