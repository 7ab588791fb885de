import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { backtickPaths } from './backtick-paths';
import { WORKSPACE_ROOT, docFiles, readDoc } from './doc-files';

// Every repository path a reader is shown in backticks (README.md, docs/**/*.md) must
// exist, so a renamed or deleted file cannot leave the docs pointing at nothing.

const TOP_LEVEL = new Set(execFileSync('git', ['ls-tree', '--name-only', 'HEAD'], { cwd: WORKSPACE_ROOT, encoding: 'utf8' }).split('\n').filter(Boolean));

describe('backtick paths in the docs', () => {
  describe('the rule', () => {
    const top = new Set(['apps', 'libs', 'docs', 'README.md', 'tools']);
    const paths = (text: string) => backtickPaths('x.md', text, top).map((p) => p.path);

    it('given paths rooted at a top-level entry, in prose and inside commands, when scanned, then each is a path', () => {
      expect(paths('see `libs/a/src/b.ts`, run `npx jest apps/x/y.test.ts` or read `README.md` and `docs/`')).toEqual(['libs/a/src/b.ts', 'apps/x/y.test.ts', 'README.md', 'docs']);
    });

    it('given routes, URLs, globs, placeholders, project-relative and absolute paths, when scanned, then none is a path', () => {
      expect(paths('`GET /items/{id}` `https://x.example/a` `libs/*/src` `apps/<app>/src/main.ts` `src/index.ts` `/opt/tf-plugins` `cdktf.out/manifest.json` `checks.ts`')).toEqual([]);
    });

    it('given a quoted message that mentions a file, when scanned, then it is not read as a path', () => {
      expect(paths('`services.x.aurora: app x-api has no "migrate" target in apps/x-api/project.json`')).toEqual([]);
    });

    it('given a path inside a fenced block, when scanned, then it is skipped', () => {
      expect(paths('```sh\necho `libs/nope/x.ts`\n```\n')).toEqual([]);
    });

    it('given an anchor or trailing punctuation, when scanned, then the file part is the path', () => {
      expect(paths('`docs/a.md#section` `libs/x/`')).toEqual(['docs/a.md', 'libs/x']);
    });
  });

  const all = docFiles().flatMap((file) => backtickPaths(file, readDoc(file), TOP_LEVEL));

  it('finds the paths of every doc (the rule is not vacuous)', () => {
    expect(all.length).toBeGreaterThan(100);
  });

  it('names only paths that exist in the repository', () => {
    const dead = all.filter((p) => !existsSync(join(WORKSPACE_ROOT, p.path))).map((p) => `${p.file}:${p.line}: ${p.path}`);
    expect(dead).toEqual([]);
  });
});
