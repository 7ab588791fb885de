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

/**
 * Lints `code` as if it were `file` with ESLint's Node API and the workspace's
 * eslint.config.mjs. In a child process: ESLint imports its config as an ES module,
 * which Jest's module system cannot.
 */
function lint(code: string, file = 'stacks/example.ts'): LintMessage[] {
  const script = `
    const { ESLint } = require('eslint');
    new ESLint({ cwd: process.cwd() })
      .lintText(process.env.CODE, { filePath: process.env.FILE })
      .then(([result]) => process.stdout.write(JSON.stringify(result.messages)));`;
  const out = execFileSync(process.execPath, ['-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CODE: code, FILE: path.join(ROOT, file) },
  });
  return JSON.parse(out);
}

describe('the ESLint config', () => {
  it('rejects an import of the @cdktf/provider-aws barrel and says to import by deep path', () => {
    const messages = lint(`import { provider } from '${BARREL}';\nexport const p = provider;\n`);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ ruleId: 'no-restricted-imports', line: 1, severity: 2 });
    expect(messages[0].message).toContain("import the class by deep path, e.g. '@cdktf/provider-aws/lib/s3-bucket'");
  });

  it('accepts a deep import of a provider class', () => {
    expect(lint(`import { S3Bucket } from '${BARREL}/lib/s3-bucket';\nexport const b = S3Bucket;\n`)).toEqual([]);
  });

  it('rejects the barrel in JavaScript files too', () => {
    const messages = lint(`import * as aws from '${BARREL}';\nexport default aws;\n`, 'tools/example.mjs');
    expect(messages.map((m) => m.ruleId)).toEqual(['no-restricted-imports']);
  });

  it('rejects require() and import() of the barrel', () => {
    const messages = lint(`const a = require('${BARREL}');\nexport const b = import('${BARREL}');\nexport { a };\n`, 'tools/example.cjs');
    expect(messages.map((m) => [m.ruleId, m.line])).toEqual([
      ['no-restricted-syntax', 1],
      ['no-restricted-syntax', 2],
    ]);
  });
});
