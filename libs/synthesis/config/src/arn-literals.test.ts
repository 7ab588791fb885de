// Every ARN the platform writes goes through arn.ts, so its partition follows the
// region: a hand-written `arn:aws:` would be wrong in aws-cn and aws-us-gov.
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');
const SOURCE_ROOTS = ['apps', 'libs', 'stacks', 'bootstrap', 'tools', '.github'];
const HELPER = 'libs/synthesis/config/src/arn.ts';
/** Files allowed to keep the literal, each with why. */
const ALLOWED: Readonly<Record<string, string>> = {
  // The local emulator's Lambda context: its region `local` is in no partition.
  'libs/local/lambda-http-adapter/src/api-gateway-event.ts': 'a Lambda context ARN of the local emulator (region "local")',
};
const LITERAL = 'arn:' + 'aws:';

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return ['node_modules', 'dist', 'cdktf.out'].includes(entry.name) ? [] : sources(rel);
    return /\.(ts|mts|cts)$/.test(entry.name) && !/\.(test|spec)\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** `file:line` of every hand-written `arn:aws:` in non-test TypeScript outside the helper. */
function handWrittenArns(): string[] {
  return SOURCE_ROOTS.flatMap((root) => sources(root))
    .filter((file) => file !== HELPER && !(file in ALLOWED))
    .flatMap((file) =>
      readFileSync(path.join(ROOT, file), 'utf8')
        .split('\n')
        .flatMap((line, i) => (line.includes(LITERAL) ? [`${file}:${i + 1}`] : [])),
    );
}

describe('ARN literals', () => {
  it(`given the non-test sources, then none writes "${LITERAL}" by hand outside ${HELPER} (use formatArn or a named ARN from @platform/config)`, () => {
    expect(handWrittenArns()).toEqual([]);
  });
});
