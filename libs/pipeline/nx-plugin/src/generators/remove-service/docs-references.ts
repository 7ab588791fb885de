import { posix } from 'node:path';
import type { Tree } from '@nx/devkit';

/** What {@link removeDocsReferences} did, and what is left for a person to read. */
export interface DocsChanges {
  /** The service's own pages, deleted. */
  readonly deleted: string[];
  /** Files whose links to a deleted page became plain text. */
  readonly unlinked: string[];
  /** `file:line` of every other mention of the service, to edit by hand (prose is not rewritten). */
  readonly mentions: string[];
}

const LINK = /\[([^\]]+)\]\(([^)\s]+)\)/g;

/**
 * The service's pages in docs/ (`<service>.md`, `<app>.md`, and the same under
 * docs/benchmarks/) are deleted; links to them in README.md and docs/ become their text;
 * every other line that names the service's app, libraries or config entry is listed.
 */
export function removeDocsReferences(tree: Tree, service: string, app: string): DocsChanges {
  const pages = ['docs', 'docs/benchmarks'].flatMap((dir) => [service, app].map((name) => `${dir}/${name}.md`)).filter((page) => tree.exists(page));
  for (const page of pages) tree.delete(page);
  const gone = new Set(pages);
  const mention = new RegExp(`apps/${app}\\b|libs/${service}/|\\b${app}\\b|services\\.${service}\\b|--service[ =]${service}\\b|\`${service}\``);
  const unlinked: string[] = [];
  const mentions: string[] = [];
  for (const file of ['README.md', ...markdownUnder(tree, 'docs')].filter((f) => tree.exists(f))) {
    const text = tree.read(file, 'utf-8') ?? '';
    const next = text.replace(LINK, (link, label: string, target: string) => (gone.has(posix.normalize(posix.join(posix.dirname(file), target.split('#')[0]!))) ? label : link));
    if (next !== text) {
      tree.write(file, next);
      unlinked.push(file);
    }
    next.split('\n').forEach((line, i) => {
      if (mention.test(line)) mentions.push(`${file}:${i + 1}`);
    });
  }
  return { deleted: pages, unlinked, mentions };
}

function markdownUnder(tree: Tree, dir: string): string[] {
  return tree.children(dir).flatMap((name) => {
    const path = `${dir}/${name}`;
    return tree.isFile(path) ? (name.endsWith('.md') ? [path] : []) : markdownUnder(tree, path);
  });
}
