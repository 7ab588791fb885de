#!/usr/bin/env node
// Lint: provider classes must be imported by deep path
// (`@cdktf/provider-aws/lib/<resource>`). The barrel `@cdktf/provider-aws` loads
// every AWS resource class: measured 4.4 s and 561 MB per synth, 10.7 s per tsc.
//   node tools/check-imports.mjs [dir ...]   (default: apps libs stacks tools)
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const BARREL = /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"]@cdktf\/provider-aws['"]/;
const SKIP = new Set(['node_modules', 'dist', 'cdktf.out', '.nx', 'coverage']);

/** Every barrel import under `dirs`, as { file, line, text }. */
export function findBarrelImports(dirs) {
  const found = [];
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (SKIP.has(e.name)) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(c|m)?(t|j)sx?$/.test(e.name)) {
        readFileSync(p, 'utf8')
          .split('\n')
          .forEach((text, i) => {
            if (BARREL.test(text)) found.push({ file: p, line: i + 1, text: text.trim() });
          });
      }
    }
  };
  dirs.forEach(walk);
  return found;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = resolve(import.meta.dirname, '..');
  const args = process.argv.slice(2);
  const dirs = (args.length ? args : ['apps', 'libs', 'stacks', 'tools']).map((d) => resolve(root, d));
  const found = findBarrelImports(dirs);
  for (const f of found) {
    console.error(`${relative(process.cwd(), f.file)}:${f.line}: import of the @cdktf/provider-aws barrel; import the class by deep path, e.g. '@cdktf/provider-aws/lib/s3-bucket'`);
  }
  if (found.length) process.exit(1);
  console.log('check-imports: no barrel imports of @cdktf/provider-aws');
}
