// CPU cost of the items-api handler's own work per GET, with every request logged
// (sample rate 1) and with the config's default sampling, on a stub repository: no
// DynamoDB, no HTTP, so what remains is the handler (routing, headers, the request id,
// the log line). A measure that holds up on a busy machine, where the load benchmark's
// throughput does not (see docs/benchmarks/observability.md).
//
//   npm run bench:items-log-sampling -- [--requests 20000] [--rounds 6] [--sample-rate 0.05]
//
// Each side runs in its own child process with stdout on /dev/null, as a Lambda's
// stdout is a pipe the runtime drains; rounds alternate the sides.
import { fork } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { ItemsRepository } from '@items/data-access';
import { UsageError, integerOption, runCli } from '@platform/cli';
import { localLambdaContext, toApiGatewayEvent } from '@platform/lambda-http-adapter';
import { CachePolicy } from '../src/cache-policy';
import { ItemsApi } from '../src/items-api';
import { RequestLogSampler } from '@platform/service-runtime';
import { median } from '@platform/bench-stats';

const ITEM = { id: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'lamp', tags: ['home'], version: 3, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', region: 'eu-west-1' };

/** In the child: `requests` GETs through the handler; CPU microseconds per request. */
async function measure(requests: number, sampleRate: number): Promise<number> {
  const repository = { get: async () => ITEM } as unknown as ItemsRepository;
  const api = new ItemsApi({
    repository,
    region: 'eu-west-1',
    cachePolicy: new CachePolicy('ttl', 60),
    logger: new Logger({ serviceName: 'items', logLevel: 'INFO' }),
    requestLog: new RequestLogSampler({ sampleRate }),
  });
  const event = toApiGatewayEvent({ method: 'GET', path: `/items/${ITEM.id}`, query: '', headers: {} });
  const context = localLambdaContext();
  for (let i = 0; i < 2000; i++) await api.handle(event, context); // warm-up
  const before = process.cpuUsage();
  for (let i = 0; i < requests; i++) await api.handle(event, context);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / requests;
}

function side(requests: number, sampleRate: number): Promise<number> {
  return new Promise((resolve, reject) => {
    // Through run-ts, as this file is TypeScript.
    const child = fork(join(__dirname, '../../../tools/run-ts.mjs'), [__filename, '--child', String(requests), String(sampleRate)], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('message', (m) => resolve(Number(m)));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`the measuring process exited with ${code}`))));
  });
}


async function main(requests: number, rounds: number, sampleRate: number): Promise<void> {
  const load0 = loadavg()[0];
  const all: number[] = [];
  const sampled: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ([1, sampleRate] as const) : ([sampleRate, 1] as const);
    for (const rate of order) {
      const us = await side(requests, rate);
      (rate === 1 ? all : sampled).push(us);
      console.log(`round ${round + 1} sample rate ${String(rate).padEnd(5)} ${us.toFixed(1)} us CPU per GET`);
    }
  }
  const a = median(all);
  const s = median(sampled);
  console.log(
    `\nnode ${process.version}, ${cpus().length} CPUs, load average ${load0.toFixed(2)} -> ${loadavg()[0].toFixed(2)}; ${requests} GETs per run, ${rounds} rounds (medians)\n` +
      `every request logged: ${a.toFixed(1)} us per GET; sample rate ${sampleRate}: ${s.toFixed(1)} us per GET; saved ${(a - s).toFixed(1)} us (${((100 * (a - s)) / a).toFixed(0)} % of the handler's own CPU)`,
  );
}

if (process.argv[2] === '--child') {
  void measure(Number(process.argv[3]), Number(process.argv[4])).then((us) => {
    process.send!(us);
    process.disconnect();
  });
} else {
  void runCli(
    {
      name: 'bench:items-log-sampling',
      command: 'npm run bench:items-log-sampling --',
      summary: "CPU per GET of the items-api handler's own work on a stub repository, every request logged vs sampled.",
      options: {
        requests: { type: 'string', default: '20000', valueName: '<n>', description: 'GETs per run (default: 20000)' },
        rounds: { type: 'string', default: '6', valueName: '<n>', description: 'runs per side, alternating (default: 6)' },
        'sample-rate': { type: 'string', default: '0.05', valueName: '<0-1>', description: 'the sampled side\'s LOG_SAMPLE_RATE (default: 0.05)' },
      },
    },
    ({ values }) => {
      const rate = Number(values['sample-rate']);
      if (!(rate >= 0 && rate < 1)) throw new UsageError(`--sample-rate must be a number from 0 to 1 (below 1), got "${values['sample-rate']}"`);
      return main(integerOption('requests', values.requests, { min: 1 })!, integerOption('rounds', values.rounds, { min: 1 })!, rate);
    },
  );
}
