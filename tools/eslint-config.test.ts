import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
// Spelled in two parts so this file does not trip the rule it tests.
const BARREL = '@cdktf/' + 'provider-aws';

interface LintMessage {
  readonly ruleId: string | null;
  readonly line: number;
  readonly severity: number;
  readonly message: string;
}

/** The snippets the tests lint, by name: code and the file it is linted as. */
const SNIPPETS = {
  barrel: { code: `import { provider } from '${BARREL}';\nexport const p = provider;\n`, file: 'stacks/example.ts' },
  deep: { code: `import { S3Bucket } from '${BARREL}/lib/s3-bucket';\nexport const b = S3Bucket;\n`, file: 'stacks/example.ts' },
  javascript: { code: `import * as aws from '${BARREL}';\nexport default aws;\n`, file: 'tools/example.mjs' },
  dynamic: { code: `const a = require('${BARREL}');\nexport const b = import('${BARREL}');\nexport { a };\n`, file: 'tools/example.cjs' },
} as const;

/**
 * Lints every snippet as if it were its file, with ESLint's Node API and the workspace's
 * eslint.config.mjs, in one child process (ESLint imports its config as an ES module,
 * which Jest's module system cannot; one process, because loading ESLint and its config
 * is most of the time).
 */
function lintAll(): Record<keyof typeof SNIPPETS, LintMessage[]> {
  const script = `
    const { ESLint } = require('eslint');
    const eslint = new ESLint({ cwd: process.cwd() });
    const snippets = JSON.parse(process.env.SNIPPETS);
    Promise.all(Object.entries(snippets).map(([name, s]) => eslint.lintText(s.code, { filePath: s.file }).then(([r]) => [name, r.messages])))
      .then((entries) => process.stdout.write(JSON.stringify(Object.fromEntries(entries))));`;
  const snippets = Object.fromEntries(Object.entries(SNIPPETS).map(([name, s]) => [name, { code: s.code, file: path.join(ROOT, s.file) }]));
  const out = execFileSync(process.execPath, ['-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, SNIPPETS: JSON.stringify(snippets) },
  });
  return JSON.parse(out);
}

let lint: ReturnType<typeof lintAll>;
beforeAll(() => {
  lint = lintAll();
});

describe('the ESLint config', () => {
  it('rejects an import of the @cdktf/provider-aws barrel and says to import by deep path', () => {
    const messages = lint.barrel;
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ ruleId: 'no-restricted-imports', line: 1, severity: 2 });
    expect(messages[0].message).toContain("import the class by deep path, e.g. '@cdktf/provider-aws/lib/s3-bucket'");
  });

  it('accepts a deep import of a provider class', () => {
    expect(lint.deep).toEqual([]);
  });

  it('rejects the barrel in JavaScript files too', () => {
    expect(lint.javascript.map((m) => m.ruleId)).toEqual(['no-restricted-imports']);
  });

  it('rejects require() and import() of the barrel', () => {
    expect(lint.dynamic.map((m) => [m.ruleId, m.line])).toEqual([
      ['no-restricted-syntax', 1],
      ['no-restricted-syntax', 2],
    ]);
  });
});
