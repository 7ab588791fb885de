import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The workspace root (this file is tools/docs/doc-files.ts). */
export const WORKSPACE_ROOT = join(__dirname, '..', '..');

/** README.md and every Markdown file under docs/, as paths relative to the workspace root. */
export function docFiles(root = WORKSPACE_ROOT): string[] {
  const found: string[] = ['README.md'];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.md')) found.push(relative(root, full));
    }
  };
  walk(join(root, 'docs'));
  return found.sort();
}

/** The text of a doc file, by its path relative to the workspace root. */
export function readDoc(file: string, root = WORKSPACE_ROOT): string {
  return readFileSync(join(root, file), 'utf8');
}
