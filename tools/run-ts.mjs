#!/usr/bin/env node
// The one way to run the workspace's TypeScript outside Jest:
//   node tools/run-ts.mjs <entry.ts> [args...]
// The entry is bundled in memory with esbuild (workspace path aliases resolved, npm
// packages left external) and run in this process as a CommonJS module whose
// filename is the entry's own path. A TS loader (tsx) costs ~0.3-0.4 s more per synth.
// A `require()` of a .ts file at run time (e.g. a Lambda handler module chosen by an
// environment variable) works too: such files are compiled one by one.
//
// loadTs(entry) does the same for a module whose exports the caller wants (synth, report).
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..');
const { assertSupportedNode, lowestSupported } = createRequire(import.meta.url)('./lib/supported-node.cjs');
// The bundles below target the lowest Node package.json's engines allow.
const NODE_TARGET = `node${lowestSupported(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines.node).split('.')[0]}`;
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
    target: NODE_TARGET,
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
let sourceMaps = false;

/**
 * Stack traces point into the TypeScript, through the bundles' inline source maps.
 * Node would also look for a map of every package module it loads (cdktf and the
 * provider name one in most files): ~0.05 s per synth for maps nobody reads, so
 * packages load with source maps off.
 */
function enableSourceMaps() {
  if (sourceMaps) return;
  sourceMaps = true;
  process.setSourceMapsEnabled(true);
  const load = Module._load;
  let inPackage = 0;
  Module._load = function loadWithoutPackageMaps(request, ...rest) {
    const isPackage = !request.startsWith('.') && !isAbsolute(request) && !request.startsWith('node:');
    if (inPackage > 0 || !isPackage) return load.call(this, request, ...rest);
    inPackage++;
    process.setSourceMapsEnabled(false);
    try {
      return load.call(this, request, ...rest);
    } finally {
      inPackage--;
      process.setSourceMapsEnabled(true);
    }
  };
}

/**
 * Lets `require()` load .ts files from now on in this process: each file is compiled
 * on its own (so __dirname is its own), and the workspace path aliases resolve.
 */
function registerTsRequire() {
  if (tsRequireHook) return;
  tsRequireHook = true;
  const { paths } = JSON.parse(readFileSync(join(ROOT, 'tsconfig.base.json'), 'utf8')).compilerOptions;
  const aliases = new Map(Object.entries(paths).map(([alias, [target]]) => [alias, join(ROOT, target)]));
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function resolveAlias(request, ...rest) {
    return resolveFilename.call(this, aliases.get(request) ?? request, ...rest);
  };
  Module._extensions['.ts'] = (mod, filename) => {
    const { code } = esbuild.transformSync(readFileSync(filename, 'utf8'), {
      loader: 'ts',
      format: 'cjs',
      target: NODE_TARGET,
      sourcemap: 'inline',
      sourcefile: filename,
    });
    mod._compile(code, filename);
  };
}

/** Bundles and runs `entry` (absolute, or relative to the workspace root) in this process and returns its exports. */
export async function loadTs(entry) {
  esbuild ??= await importEsbuild();
  enableSourceMaps();
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

/** Like isUserError of @platform/config (by the class's name: this file cannot import TypeScript). */
function isUserError(err) {
  for (let proto = err && Object.getPrototypeOf(err); proto; proto = Object.getPrototypeOf(proto)) {
    if (proto.constructor?.name === 'UserError') return true;
  }
  return false;
}

/** A package (not a file of ours) that `require` could not find: `npm ci` was not run or is stale. */
function missingPackage(err) {
  if (err?.code !== 'MODULE_NOT_FOUND') return undefined;
  const name = /Cannot find module '([^']+)'/.exec(err.message)?.[1];
  if (!name || name.startsWith('.') || isAbsolute(name)) return undefined;
  const parts = name.split('/');
  return name.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Runs `entry` (absolute, or relative to the current folder) as `node <entry> args...`
 * would. A package that is not installed, or an entry that does not bundle, is one
 * line on stderr and exit 1.
 */
export async function runTs(entry, args = process.argv.slice(2)) {
  try {
    assertSupportedNode(ROOT);
  } catch (err) {
    console.error(`run-ts: ${err.message}`);
    process.exit(1);
  }
  const file = resolve(entry);
  if (!existsSync(file)) {
    console.error(`run-ts: ${entry} not found (relative to ${process.cwd()})`);
    process.exit(2);
  }
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
    // A UserError thrown while the entry loads, before its CLI could catch it.
    if (isUserError(err)) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

if (process.argv[1] && pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url) {
  const [entry, ...args] = process.argv.slice(2);
  if (!entry || entry === '--help' || entry === '-h') {
    const usage = 'usage: node tools/run-ts.mjs <entry.ts> [args...]   (runs a TypeScript file of the workspace)';
    if (entry) console.log(usage);
    else console.error(usage);
    process.exit(entry ? 0 : 2);
  }
  await runTs(entry, args);
}
