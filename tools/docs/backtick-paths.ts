/** A repository path written in backticks in a doc, with where it was written. */
export interface BacktickPath {
  readonly file: string;
  readonly line: number;
  readonly path: string;
}

/** Extensions that make a slash-less token a file name. */
const FILE_EXTENSIONS = /\.(ts|mjs|cjs|js|json|md|ya?ml|sql|sh|tf|png)$/;
/** Characters of placeholders (`<service>`), globs (`*.sql`), shell (`$TMPDIR`), routes (`{id}`) and queries. */
const NOT_A_LITERAL_PATH = /[<>*{}$?[\]|=:"'(),…]/;

/** Programs whose arguments are read as paths when a code span is a command. */
const COMMANDS = new Set(['npx', 'npm', 'node', 'jest', 'cat', 'ls', 'git', 'bash', 'sh']);

/**
 * The repository paths written in backticks in a Markdown text. A code span is read
 * when it is one word (`libs/a/src/b.ts`) or a command (`npx jest libs/a.test.ts`:
 * its first word is one of {@link COMMANDS}); any other span (a quoted error message,
 * code, a route) names no file of this repository. In a span read, a word is a
 * repository path when its first segment is one of `topLevel` (the entries of the
 * repository root, so `src/index.ts` of some project, `cdktf.out/...` (not in the
 * repository) and `GET /items` are not), it has a slash or a file extension, and it is
 * no URL, absolute path, glob or placeholder. A trailing `#anchor`, `/`, `:` or `.` is
 * dropped. Fenced code blocks are skipped.
 */
export function backtickPaths(file: string, text: string, topLevel: ReadonlySet<string>): BacktickPath[] {
  const found: BacktickPath[] = [];
  let fenced = false;
  text.split('\n').forEach((lineText, index) => {
    if (/^\s*```/.test(lineText)) {
      fenced = !fenced;
      return;
    }
    if (fenced) return;
    for (const span of lineText.matchAll(/`([^`]+)`/g)) {
      const words = span[1]!.trim().split(/\s+/);
      if (words.length > 1 && !COMMANDS.has(words[0]!)) continue;
      for (const word of words) {
        const path = word.replace(/#.*$/, '').replace(/[/:.,]+$/, '');
        if (!path || path.startsWith('/') || path.startsWith('~') || NOT_A_LITERAL_PATH.test(path)) continue;
        if (!topLevel.has(path.split('/')[0]!)) continue;
        if (!word.includes('/') && !FILE_EXTENSIONS.test(path)) continue;
        found.push({ file, line: index + 1, path });
      }
    }
  });
  return found;
}
