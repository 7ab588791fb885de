// npm run bench:rollout: how long `npm run rollout -- --env <env> --plan --json` takes
// for every environment of a 50-service platform (550 stacks over 3 environments),
// config parse included, as the CLI does it. Prints the numbers to compare.
import { parsePlatform } from '@platform/config';
import { generatePlatform } from '../../../../tools/bench/generate-platform';
import { planJson, planRollout, promotionOrder } from '../src/plan';

const RUNS = 5;
const raw = generatePlatform(50);
const times: number[] = [];
let stacks = 0;
for (let i = 0; i < RUNS; i++) {
  const start = process.hrtime.bigint();
  const platform = parsePlatform(structuredClone(raw), 'generated');
  stacks = platform.stacks.length;
  for (const env of promotionOrder(platform)) JSON.stringify(planJson(planRollout(platform, env)));
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
}
times.sort((a, b) => a - b);
console.log(`rollout plan of ${stacks} stacks (50 services, every environment), parse + plan + JSON, ${RUNS} runs:`);
console.log(`  median ${times[Math.floor(RUNS / 2)].toFixed(1)} ms, min ${times[0].toFixed(1)} ms, max ${times[RUNS - 1].toFixed(1)} ms`);
