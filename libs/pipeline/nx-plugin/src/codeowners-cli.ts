// npm run codeowners [-- --check]: writes .github/CODEOWNERS from the platform config,
// or (--check) fails when the committed file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '@platform/cli';
import { DEFAULT_CONFIG_PATH, loadPlatform, UserError } from '@platform/config';
import { CODEOWNERS_PATH, renderCodeowners } from './codeowners';

void runCli(
  {
    name: 'codeowners',
    command: 'npm run codeowners --',
    summary: `Writes ${CODEOWNERS_PATH} from the owners in ${DEFAULT_CONFIG_PATH}.`,
    options: {
      config: { type: 'string', valueName: '<file>', description: `platform config (default ${DEFAULT_CONFIG_PATH})` },
      check: { type: 'boolean', default: false, description: 'write nothing; fail when the committed file differs' },
    },
  },
  ({ values }) => {
    const root = process.cwd();
    const expected = renderCodeowners(loadPlatform((values.config as string | undefined) ?? DEFAULT_CONFIG_PATH));
    const file = join(root, CODEOWNERS_PATH);
    if (values.check) {
      let current = '';
      try {
        current = readFileSync(file, 'utf8');
      } catch {
        // missing: stale
      }
      if (current !== expected) throw new UserError(`${CODEOWNERS_PATH} is stale: run npm run codeowners and commit it`);
      console.log(`${CODEOWNERS_PATH} is up to date`);
      return;
    }
    writeFileSync(file, expected);
    console.log(`wrote ${CODEOWNERS_PATH}`);
  },
);
