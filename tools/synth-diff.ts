// npm run synth:diff: is the synthesized Terraform of the platform the same as at
// another commit? For changes that must not change behaviour: builds and synthesizes
// the base commit (in a temporary git worktree sharing this checkout's node_modules)
// and this work tree, then compares every file of the two cdktf.out folders and prints
// each JSON difference by path. Exit 0 when identical, 1 when not.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { runCli } from '@platform/cli';
import { UserError } from '@platform/config';

const root = resolve(__dirname, '..');

const run = (cwd: string, cmd: string, cmdArgs: string[]) => execFileSync(cmd, cmdArgs, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

/** Builds the apps and synthesizes the platform of the tree at `dir` into `outdir`. */
function synthesize(dir: string, outdir: string, configFile?: string) {
  run(dir, 'npm', ['run', '--silent', 'build']);
  const config = configFile ? ['--config', resolve(configFile)] : [];
  run(dir, 'npm', ['run', '--silent', 'synth', '--', '--no-table', '--outdir', outdir, ...config]);
}

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** JSON paths at which `a` and `b` differ. */
function jsonDiff(a: unknown, b: unknown, at = ''): string[] {
  if (a === b) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const [x, y] = [a as Record<string, unknown>, b as Record<string, unknown>];
    const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])];
    const diffs = keys.flatMap((k) => jsonDiff(x[k], y[k], `${at}${Array.isArray(a) ? `[${k}]` : `.${k}`}`));
    // Same members, other order: still a difference in the bytes.
    if (diffs.length === 0 && JSON.stringify(Object.keys(a)) !== JSON.stringify(Object.keys(b))) return [`${at || '.'} (key order)`];
    return diffs;
  }
  return [`${at || '.'}: ${JSON.stringify(a)?.slice(0, 120)} -> ${JSON.stringify(b)?.slice(0, 120)}`];
}

const bundleNoise = (path: string) => /\/assets\/[^/]+\/[0-9a-f]+\//.test(path);
const normalize = (text: string, ignoreBundles: boolean) =>
  ignoreBundles
    ? text.replace(/(assets\/[^/"]+\/)[0-9a-f]+\//g, '$1<hash>/').replace(/("source_code_hash": )"[^"]+"/g, '$1"<hash>"')
    : text;


void runCli(
  {
    name: 'synth:diff',
    command: 'npm run synth:diff --',
    summary: 'Synthesizes the platform at a base commit and in the work tree, and lists every difference of cdktf.out.',
    options: {
      base: { type: 'string', default: 'HEAD', valueName: '<rev>', description: 'commit to compare with (default: HEAD)' },
      config: { type: 'string', valueName: '<file>', description: 'platform config for both sides (default: each side\'s config/platform.json)' },
      'ignore-bundles': {
        type: 'boolean',
        default: false,
        description: "compare the apps' bundled code (dist/apps/<app>/index.js) instead of their zips, whose source maps name file paths",
      },
    },
  },
  ({ values }) => {
    const ignoreBundles = values['ignore-bundles'];
    const tmp = mkdtempSync(join(tmpdir(), 'synth-diff-'));
    const baseTree = join(tmp, 'base');
    try {
      try {
        run(root, 'git', ['worktree', 'add', '--detach', '-q', baseTree, values.base]);
      } catch (err) {
        throw new UserError(`cannot check out ${values.base}: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`);
      }
      if (existsSync(join(root, 'node_modules'))) symlinkSync(join(root, 'node_modules'), join(baseTree, 'node_modules'), 'dir');
      synthesize(baseTree, join(tmp, 'before'), values.config);
      synthesize(root, join(tmp, 'after'), values.config);

      const before = files(join(tmp, 'before')).filter((f) => !(ignoreBundles && bundleNoise(f)));
      const after = files(join(tmp, 'after')).filter((f) => !(ignoreBundles && bundleNoise(f)));
      const problems: string[] = [];
      if (ignoreBundles) {
        const apps = (dir: string) => (existsSync(join(dir, 'dist', 'apps')) ? readdirSync(join(dir, 'dist', 'apps')).sort() : []);
        for (const app of new Set([...apps(baseTree), ...apps(root)])) {
          const code = (dir: string) => {
            const file = join(dir, 'dist', 'apps', app, 'index.js');
            return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
          };
          if (code(baseTree) !== code(root)) problems.push(`dist/apps/${app}/index.js: the bundled code differs`);
        }
      }
      for (const f of before.filter((f) => !after.includes(f))) problems.push(`only at ${values.base}: ${f}`);
      for (const f of after.filter((f) => !before.includes(f))) problems.push(`only in the work tree: ${f}`);
      for (const f of before.filter((f) => after.includes(f))) {
        const a = normalize(readFileSync(join(tmp, 'before', f), 'utf8'), ignoreBundles);
        const b = normalize(readFileSync(join(tmp, 'after', f), 'utf8'), ignoreBundles);
        if (a === b) continue;
        if (!f.endsWith('.json')) {
          problems.push(`${f}: bytes differ`);
          continue;
        }
        const paths = jsonDiff(JSON.parse(a), JSON.parse(b));
        problems.push(...(paths.length ? paths : ['(formatting)']).map((p) => `${f}: ${p}`));
      }
      if (problems.length === 0) {
        console.log(`synth:diff: cdktf.out is byte-identical to ${values.base} (${after.length} files${ignoreBundles ? ', bundles compared by their code' : ''})`);
      } else {
        for (const p of problems) console.log(p);
        console.log(`synth:diff: ${problems.length} difference${problems.length === 1 ? '' : 's'} from ${values.base}`);
        process.exitCode = 1;
      }
    } finally {
      try {
        run(root, 'git', ['worktree', 'remove', '--force', baseTree]);
      } catch {
        // never added, or already gone
      }
      rmSync(tmp, { recursive: true, force: true });
    }
  },
);
