// node tools/run-ts.mjs libs/pipeline/rollout/src/promotion-cli.ts --affected affected.json
// Prints the deploy matrix (promotion.ts) as one line of JSON for $GITHUB_OUTPUT.
import { readFileSync } from 'node:fs';
import { UsageError, runCli } from '@platform/cli';
import { UserError, loadPlatform } from '@platform/config';
import { promotionMatrix } from './promotion';

void runCli(
  {
    name: 'promotion',
    command: 'node tools/run-ts.mjs libs/pipeline/rollout/src/promotion-cli.ts',
    summary: 'Prints, as one line of JSON, the environments to deploy in promotion order with their stacks, account, deploy role and primary region.',
    options: {
      affected: { type: 'string', valueName: '<file>', description: 'output of affected-stacks-cli.ts --json (required)' },
    },
  },
  ({ values }) => {
    if (!values.affected) throw new UsageError('--affected <file> is required');
    let affected: { byEnvironment?: Record<string, string[]> };
    try {
      affected = JSON.parse(readFileSync(values.affected, 'utf8'));
    } catch (err) {
      throw new UserError(`${values.affected}: cannot read the affected stacks (${(err as Error).message})`);
    }
    if (!affected.byEnvironment) throw new UserError(`${values.affected}: no byEnvironment; give the output of affected-stacks-cli.ts --json`);
    console.log(JSON.stringify(promotionMatrix(loadPlatform(), affected.byEnvironment)));
  },
);
