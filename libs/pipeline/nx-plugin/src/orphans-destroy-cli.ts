// npm run orphans:destroy -- --matrix --base <sha> --labels <json>       the deploy's destroy-orphans matrix (labelled environments only)
// npm run orphans:destroy -- --env <env> --base <sha> --labels <json>    destroy that environment's orphans (deploy role), regional before global
// The orphans are the stacks of the base commit's config that the work tree's config no
// longer has; nothing is destroyed without the label destroy-orphans:<env>.
import { execFileSync } from 'node:child_process';
import { runCli, UsageError } from '@platform/cli';
import { DEFAULT_CONFIG_PATH, loadPlatform, parsePlatformJson, UserError } from '@platform/config';
import { type Orphan, destroyOrphansLabel, findOrphans, orphanNotice } from './orphans';
import { BaseCommitDestroyer, destroyOrphans, orphanDestroyMatrix } from './orphans-destroy';

function parseLabels(raw: string | undefined): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw ?? '[]');
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.some((l) => typeof l !== 'string')) throw new UsageError(`--labels must be a JSON array of label names, got ${raw}`);
  return parsed as string[];
}

void runCli(
  {
    name: 'orphans:destroy',
    command: 'npm run orphans:destroy --',
    summary:
      'Destroys the stacks a merged pull request removed from the config (orphans), regional before global, only with the label destroy-orphans:<env>; --matrix prints the environments to do it in.',
    options: {
      base: { type: 'string', valueName: '<sha>', description: 'the commit deployed before this change (its config still has the orphans; required)' },
      labels: { type: 'string', valueName: '<json>', description: "the merged pull request's labels, a JSON array (default [])" },
      matrix: { type: 'boolean', default: false, description: 'print the GitHub Actions matrix { include: [{ environment, accountId, deployRoleName, region, stacks }] } of labelled environments' },
      env: { type: 'string', valueName: '<env>', description: 'destroy the orphans of this environment (needs its deploy role credentials)' },
    },
    notes: 'Exit codes: 0 nothing to do or every orphan destroyed, 1 a destroy failed (deletion protection says what to do), 2 usage. See docs/pipelines.md#orphans-removing-a-service-a-region-or-an-environment.',
  },
  async ({ values }) => {
    if (!values.base) throw new UsageError('--base <sha> is required');
    if (values.matrix === (values.env !== undefined)) throw new UsageError('give either --matrix or --env <env>');
    const labels = parseLabels(values.labels);
    const head = loadPlatform(DEFAULT_CONFIG_PATH);
    let baseText: string;
    try {
      baseText = execFileSync('git', ['show', `${values.base}:${DEFAULT_CONFIG_PATH}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch {
      throw new UserError(`cannot read ${DEFAULT_CONFIG_PATH} at "${values.base}"; pass --base <sha> naming a fetched commit that has it`);
    }
    const base = parsePlatformJson(baseText, `${DEFAULT_CONFIG_PATH}@${values.base}`);
    if (values.matrix) {
      const environments = [...new Set([...Object.keys(base.config.environments), ...Object.keys(head.config.environments)])];
      const byEnvironment: Record<string, Orphan[]> = {};
      for (const environment of environments) byEnvironment[environment] = await findOrphans({ platform: head, base, environment });
      const { include, unlabelled } = orphanDestroyMatrix(head, base, byEnvironment, labels);
      for (const u of unlabelled) console.error(`not destroyed now, the merged pull request has no label ${destroyOrphansLabel(u.environment)}: ${orphanNotice(u.environment, u.stacks)}`);
      process.stdout.write(`${JSON.stringify({ include })}\n`);
      return;
    }
    const environment = values.env!;
    const orphans = await findOrphans({ platform: head, base, environment });
    const destroyer = new BaseCommitDestroyer(process.cwd(), values.base);
    try {
      const result = await destroyOrphans({ environment, orphans, labels, destroyer, log: (line) => console.log(line) });
      for (const m of result.messages) console.error(m);
      console.log(
        `${environment}: ${result.outcome}; destroyed: ${result.destroyed.join(', ') || 'none'}${result.left.length ? `; left: ${result.left.join(', ')}` : ''}`,
      );
      return result.outcome === 'failed' ? 1 : 0;
    } finally {
      destroyer.close();
    }
  },
);
