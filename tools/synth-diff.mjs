#!/usr/bin/env node
// Is the synthesized Terraform of the platform the same as at another commit? For
// refactorings that must not change behaviour: builds and synthesizes the base
// commit (in a temporary git worktree sharing this checkout's node_modules) and
// this work tree, then compares every file of the two cdktf.out folders and prints
// each JSON difference by path. Exit 0 when identical, 1 when not.
//   node tools/synth-diff.mjs [--base <rev>] [--config <file>] [--ignore-bundles]
// --ignore-bundles: compare the Lambda bundles' code (dist/apps/<app>/index.js)
// instead of their zips, whose source maps name the source files' paths (a change
// that moves files, or the base worktree's linked node_modules, changes those).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
let args;
try {
  ({ values: args } = parseArgs({
    options: {
      base: { type: 'string', default: 'HEAD' },
      config: { type: 'string' },
      'ignore-bundles': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (err) {
  console.error(`synth-diff: ${err.message}; see --help`);
  process.exit(1);
}
if (args.help) {
  console.log('usage: node tools/synth-diff.mjs [--base <rev>] [--config <file>] [--ignore-bundles]');
  console.log('Synthesizes the platform at <rev> (default HEAD) and in the work tree and lists every difference.');
  process.exit(0);
}

const run = (cwd, cmd, cmdArgs) => execFileSync(cmd, cmdArgs, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

/** Builds the apps and synthesizes the platform of the tree at `dir` into `outdir`. */
function synthesize(dir, outdir) {
  run(dir, 'npm', ['run', '--silent', 'build']);
  const config = args.config ? ['--config', resolve(args.config)] : [];
  run(dir, 'npm', ['run', '--silent', 'synth', '--', '--no-table', '--outdir', outdir, ...config]);
}

function files(dir) {
  const out = [];
  const walk = (d) => {
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
function jsonDiff(a, b, at = '') {
  if (a === b) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    const diffs = keys.flatMap((k) => jsonDiff(a[k], b[k], `${at}${Array.isArray(a) ? `[${k}]` : `.${k}`}`));
    // Same members, other order: still a difference in the bytes.
    if (diffs.length === 0 && JSON.stringify(Object.keys(a)) !== JSON.stringify(Object.keys(b))) return [`${at || '.'} (key order)`];
    return diffs;
  }
  return [`${at || '.'}: ${JSON.stringify(a)?.slice(0, 120)} -> ${JSON.stringify(b)?.slice(0, 120)}`];
}

const bundleNoise = (path) => /\/assets\/[^/]+\/[0-9a-f]+\//.test(path);
const normalize = (text) =>
  args['ignore-bundles']
    ? text.replace(/(assets\/[^/"]+\/)[0-9a-f]+\//g, '$1<hash>/').replace(/("source_code_hash": )"[^"]+"/g, '$1"<hash>"')
    : text;

const tmp = mkdtempSync(join(tmpdir(), 'synth-diff-'));
const baseTree = join(tmp, 'base');
try {
  run(root, 'git', ['worktree', 'add', '--detach', '-q', baseTree, args.base]);
  if (existsSync(join(root, 'node_modules'))) symlinkSync(join(root, 'node_modules'), join(baseTree, 'node_modules'), 'dir');
  synthesize(baseTree, join(tmp, 'before'));
  synthesize(root, join(tmp, 'after'));

  const before = files(join(tmp, 'before')).filter((f) => !(args['ignore-bundles'] && bundleNoise(f)));
  const after = files(join(tmp, 'after')).filter((f) => !(args['ignore-bundles'] && bundleNoise(f)));
  const problems = [];
  if (args['ignore-bundles']) {
    const apps = (dir) => (existsSync(join(dir, 'dist', 'apps')) ? readdirSync(join(dir, 'dist', 'apps')).sort() : []);
    for (const app of new Set([...apps(baseTree), ...apps(root)])) {
      const code = (dir) => (existsSync(join(dir, 'dist', 'apps', app, 'index.js')) ? readFileSync(join(dir, 'dist', 'apps', app, 'index.js'), 'utf8') : undefined);
      if (code(baseTree) !== code(root)) problems.push(`dist/apps/${app}/index.js: the bundled code differs`);
    }
  }
  for (const f of before.filter((f) => !after.includes(f))) problems.push(`only at ${args.base}: ${f}`);
  for (const f of after.filter((f) => !before.includes(f))) problems.push(`only in the work tree: ${f}`);
  for (const f of before.filter((f) => after.includes(f))) {
    const a = normalize(readFileSync(join(tmp, 'before', f), 'utf8'));
    const b = normalize(readFileSync(join(tmp, 'after', f), 'utf8'));
    if (a === b) continue;
    if (!f.endsWith('.json')) {
      problems.push(`${f}: bytes differ`);
      continue;
    }
    const paths = jsonDiff(JSON.parse(a), JSON.parse(b));
    problems.push(...(paths.length ? paths : ['(formatting)']).map((p) => `${f}: ${p}`));
  }
  if (problems.length === 0) {
    console.log(`synth-diff: cdktf.out is byte-identical to ${args.base} (${after.length} files${args['ignore-bundles'] ? ', Lambda bundle hashes ignored' : ''})`);
  } else {
    for (const p of problems) console.log(p);
    console.log(`synth-diff: ${problems.length} difference${problems.length === 1 ? '' : 's'} from ${args.base}`);
    process.exitCode = 1;
  }
} catch (err) {
  console.error(`synth-diff: ${err.stderr?.toString().trim() || err.message}`);
  process.exitCode = 1;
} finally {
  try {
    run(root, 'git', ['worktree', 'remove', '--force', baseTree]);
  } catch {
    // already gone
  }
  rmSync(tmp, { recursive: true, force: true });
}
