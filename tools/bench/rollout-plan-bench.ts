// Benchmark: the rollout plan of a generated 50-service platform (550 stacks over 3
// environments) for every environment, config parse included, as `npm run rollout --
// --env <env> --plan --json` does it (in-process; the CLI adds Node's start-up).
//   npm run bench:rollout [-- --runs 5]
import { cpus } from 'node:os';
import { integerOption, runCli } from '@platform/cli';
import { parsePlatform } from '@platform/config';
import { planJson, planRollout, promotionOrder } from '@platform/rollout';
import { generatePlatform } from './generate-platform';

void runCli(
  {
    name: 'bench:rollout',
    command: 'npm run bench:rollout --',
    summary: 'Times the rollout plan (parse + waves + JSON) of every environment of a 50-service platform (550 stacks).',
    options: { runs: { type: 'string', default: '5', valueName: '<n>', description: 'runs to take the median of (default: 5)' } },
  },
  ({ values }) => {
    const runs = integerOption('runs', values.runs, { min: 1, max: 100 })!;
    const raw = generatePlatform(50);
    const times: number[] = [];
    let stacks = 0;
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const platform = parsePlatform(structuredClone(raw), 'generated');
      stacks = platform.stacks.length;
      for (const env of promotionOrder(platform)) JSON.stringify(planJson(planRollout(platform, env)));
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    console.log(`rollout plan benchmark: node ${process.version}, ${cpus().length} x ${cpus()[0].model.trim()}`);
    console.log(`${stacks} stacks (50 services, every environment), parse + plan + JSON, ${runs} runs:`);
    console.log(`  median ${times[Math.floor(runs / 2)].toFixed(1)} ms, min ${times[0].toFixed(1)} ms, max ${times[runs - 1].toFixed(1)} ms`);
  },
);
