#!/usr/bin/env node
// The one way to run the workspace's TypeScript outside Jest:
//   node tools/run-ts.mjs <entry.ts> [args...]
// The entry is bundled in memory with esbuild (workspace path aliases resolved, npm
// packages left external) and run in this process as a CommonJS module whose
// filename is the entry's own path. A TS loader (tsx) costs ~0.3-0.4 s more per synth.
// A `require()` of a .ts file at run time (e.g. a Lambda handler module chosen by an
// environment variable) is bundled the same way.
//
// loadTs(entry) does the same for a module whose exports the caller wants (synth, report).
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import Module from 'node:module';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..');
const INSTALL_HINT = 'dependencies are not installed: run `npm ci` first';

/** Prints one line (no stack trace) and exits 1 when the workspace's packages are missing. */
async function importEsbuild() {
  if (!existsSync(join(ROOT, 'node_modules'))) missingDependencies();
  try {
    return await import('esbuild');
  } catch (err) {
    if (err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND') missingDependencies();
    throw err;
  }
}

function missingDependencies(name) {
  console.error(name ? `dependency "${name}" is not installed: run \`npm ci\` first` : INSTALL_HINT);
  process.exit(1);
}

// Workspace files see their own folder in __dirname/__filename, not the entry's.
const ownPaths = {
  name: 'own-dirname',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('__dirname') && !source.includes('__filename')) return { contents: source, loader: 'ts' };
      const contents = source
        .replace(/(?<![\w$.])__dirname\b/g, JSON.stringify(dirname(args.path)))
        .replace(/(?<![\w$.])__filename\b/g, JSON.stringify(args.path));
      return { contents, loader: 'ts' };
    });
  },
};

function bundleOptions(file) {
  return {
    entryPoints: [file],
    // Never written; it makes the source map's paths relative to the entry's folder.
    outfile: `${file}.js`,
    bundle: true,
    write: false,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    tsconfig: join(ROOT, 'tsconfig.base.json'),
    sourcemap: 'inline',
    sourcesContent: false,
    logLevel: 'silent',
    plugins: [ownPaths],
  };
}

/** Runs bundled `code` as the CommonJS module `file` and returns its exports. */
function runModule(code, file) {
  const mod = new Module(file, null);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(dirname(file));
  mod._compile(code, file);
  mod.loaded = true;
  return mod.exports;
}

function buildFailure(file, err) {
  // esbuild's own message names file, line and what it could not resolve or parse.
  const first = err?.errors?.[0];
  const where = first?.location ? `${relative(process.cwd(), first.location.file)}:${first.location.line}: ` : '';
  return new Error(`cannot bundle ${relative(process.cwd(), file)}: ${where}${first?.text ?? err?.message ?? err}`);
}

let esbuild;
let tsRequireHook = false;

/** Lets `require()` load .ts files (bundled like the entry) from now on in this process. */
function registerTsRequire() {
  if (tsRequireHook) return;
  tsRequireHook = true;
  Module._extensions['.ts'] = (mod, filename) => {
    let result;
    try {
      result = esbuild.buildSync(bundleOptions(filename));
    } catch (err) {
      throw buildFailure(filename, err);
    }
    mod._compile(result.outputFiles[0].text, filename);
  };
}

/** Bundles and runs `entry` (absolute, or relative to the workspace root) in this process and returns its exports. */
export async function loadTs(entry) {
  esbuild ??= await importEsbuild();
  process.setSourceMapsEnabled(true);
  registerTsRequire();
  const file = realpathSync(isAbsolute(entry) ? entry : join(ROOT, entry));
  let result;
  try {
    result = await esbuild.build(bundleOptions(file));
  } catch (err) {
    throw buildFailure(file, err);
  }
  return runModule(result.outputFiles[0].text, file);
}

/** A package (not a file of ours) that `require` could not find: `npm ci` was not run or is stale. */
function missingPackage(err) {
  if (err?.code !== 'MODULE_NOT_FOUND') return undefined;
  const name = /Cannot find module '([^']+)'/.exec(err.message)?.[1];
  return name && !name.startsWith('.') && !isAbsolute(name) && !name.includes(`${sep}`) ? name : undefined;
}

async function main() {
  const [entry, ...args] = process.argv.slice(2);
  if (!entry || entry === '--help' || entry === '-h') {
    const out = entry ? console.log : console.error;
    out('usage: node tools/run-ts.mjs <entry.ts> [args...]   (runs a TypeScript file of the workspace)');
    process.exit(entry ? 0 : 2);
  }
  const file = resolve(entry);
  if (!existsSync(file)) {
    console.error(`run-ts: ${entry} not found (relative to ${process.cwd()})`);
    process.exit(2);
  }
  // The entry sees the argv it would see as `node <entry> args...`.
  process.argv = [process.argv[0], file, ...args];
  try {
    await loadTs(file);
  } catch (err) {
    const name = missingPackage(err);
    if (name) missingDependencies(name);
    if (err?.message?.startsWith('cannot bundle ')) {
      console.error(`run-ts: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}

if (process.argv[1] && pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url) await main();

