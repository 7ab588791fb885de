// Cold-start benchmark of the items-api Lambda bundle against a naive baseline.
//
//   npm run bench:items-cold-start -- [--runs 15] [--module-first]
//
// Builds the real artifact (npm run build) and the naive baseline
// (bench/naive-handler.ts: DynamoDB document client and CloudFront client imported
// and created eagerly) with esbuild's default (CommonJS-first) package resolution, as
// a first bundle of these two clients would be, then, in alternating order,
// starts a fresh Node process per sample that loads one bundle (cold init) and
// handles one GET /items/{id} against DynamoDB Local (first request). Prints medians.
// --module-first adds the baseline built with the build script's own settings
// (mainFields module,main: the SDK's ES module builds, which esbuild can tree-shake).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { build, type BuildOptions } from 'esbuild';
import lambdaEsbuildOptions from '@platform/config/lambda-esbuild-options';
import { ItemsRepository } from '@items/data-access';
import { integerOption, runCli } from '@platform/cli';
import { createServiceTable, DynamoDbLocal, localClientConfig } from '@platform/dynamodb-local';
import { median } from '@platform/bench-stats';

const root = resolve(__dirname, '../../..');
const outDir = join(root, '.bench', 'items-api');
const REGION = 'eu-west-1';
const TABLE = 'items-cold-start';

interface Variant {
  readonly name: string;
  readonly bundle: string;
}

interface Sample {
  readonly initMs: number;
  readonly firstRequestMs: number;
}

// esbuild's default for platform node; the build script prefers module.
const COMMONJS_FIRST = ['main', 'module'];

// The settings of tools/build-lambda.ts, with the package resolution given.
async function bundle(entry: string, outfile: string, mainFields: string[]): Promise<string> {
  await build({
    entryPoints: [entry],
    outfile,
    ...(lambdaEsbuildOptions as BuildOptions),
    mainFields,
    tsconfig: join(root, 'tsconfig.base.json'),
    logLevel: 'warning',
  });
  return outfile;
}

function fmt(ms: number): string {
  return ms.toFixed(1).padStart(7);
}

async function main(runs: number, moduleFirst: boolean): Promise<void> {
  mkdirSync(outDir, { recursive: true });

  console.log('building bundles ...');
  execFileSync(process.execPath, [join(root, 'tools/run-ts.mjs'), join(root, 'tools/build-lambda.ts'), 'items-api'], { cwd: root, stdio: 'inherit' });
  const variants: Variant[] = [
    { name: 'naive baseline', bundle: await bundle(join(__dirname, 'naive-handler.ts'), join(outDir, 'naive', 'index.js'), COMMONJS_FIRST) },
    { name: 'items-api (artifact)', bundle: join(root, 'dist/apps/items-api/index.js') },
  ];
  if (moduleFirst) {
    const naiveModuleFirst = await bundle(join(__dirname, 'naive-handler.ts'), join(outDir, 'naive-mf', 'index.js'), lambdaEsbuildOptions.mainFields);
    variants.push({ name: 'naive, module-first', bundle: naiveModuleFirst });
  }

  const server = await DynamoDbLocal.start();
  try {
    const client = new DynamoDBClient(localClientConfig({ endpoint: server.endpoint, region: REGION }));
    await createServiceTable(client, TABLE);
    const { item } = await new ItemsRepository({ client, tableName: TABLE, region: REGION }).create({ name: 'cold start' });
    client.destroy();

    const env = {
      ...process.env,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: server.endpoint,
      TABLE_NAME: TABLE,
      EDGE_CACHE_MODE: 'ttl',
      EDGE_CACHE_TTL_SECONDS: '60',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      // The SDK warns about Node 20 on load; same for every variant, silenced for readable output.
      NODE_NO_WARNINGS: '1',
    };
    const samples = new Map<string, Sample[]>(variants.map((v) => [v.name, []]));
    const load0 = loadavg()[0];
    console.log(`measuring ${runs} runs x ${variants.length} variants (fresh node process each) ...`);
    for (let run = 0; run < runs; run++) {
      // Rotate the order so no variant always runs right after the same neighbour.
      const order = variants.map((_, i) => variants[(i + run) % variants.length]);
      for (const v of order) {
        const res = spawnSync(process.execPath, [join(__dirname, 'measure-cold-start.cjs'), v.bundle, item.id], { env, encoding: 'utf8', timeout: 30_000 });
        if (res.status !== 0) throw new Error(`${v.name}: sample failed (${res.status}): ${res.stderr}`);
        const sample = JSON.parse(res.stdout.trim().split('\n').pop() as string) as Sample & { status: number };
        if (sample.status !== 200) throw new Error(`${v.name}: GET answered ${sample.status}, expected 200`);
        samples.get(v.name)?.push(sample);
      }
    }

    console.log(`\nnode ${process.version}, ${cpus().length} CPUs, load average ${load0.toFixed(2)} -> ${loadavg()[0].toFixed(2)}, ${runs} samples each, medians in ms\n`);
    console.log(`${'variant'.padEnd(26)} ${'bundle KiB'.padStart(10)} ${'init'.padStart(7)} ${'(min'.padStart(7)} ${'max)'.padStart(7)} ${'1st req'.padStart(7)} ${'total'.padStart(7)}`);
    const medians = new Map<string, { init: number; total: number }>();
    for (const v of variants) {
      const s = samples.get(v.name) ?? [];
      const init = s.map((x) => x.initMs);
      const first = s.map((x) => x.firstRequestMs);
      const total = s.map((x) => x.initMs + x.firstRequestMs);
      medians.set(v.name, { init: median(init), total: median(total) });
      const kib = (statSync(v.bundle).size / 1024).toFixed(0);
      console.log(
        `${v.name.padEnd(26)} ${kib.padStart(10)} ${fmt(median(init))} ${fmt(Math.min(...init))} ${fmt(Math.max(...init))} ${fmt(median(first))} ${fmt(median(total))}`,
      );
    }
    const ratio = (a: string, b: string, k: 'init' | 'total') => `${((100 * (medians.get(a)?.[k] ?? NaN)) / (medians.get(b)?.[k] ?? NaN)).toFixed(0)}%`;
    console.log(`\nitems-api init / naive init           = ${ratio('items-api (artifact)', 'naive baseline', 'init')}   (target <= 50%)`);
    console.log(`items-api init+1st / naive init+1st   = ${ratio('items-api (artifact)', 'naive baseline', 'total')}`);
    if (moduleFirst) {
      console.log(`module-first items-api / naive (default build) init = ${ratio('items-api, module-first', 'naive baseline', 'init')}`);
      console.log(`module-first items-api / module-first naive init    = ${ratio('items-api, module-first', 'naive, module-first', 'init')}`);
    }
  } finally {
    await server.stop();
  }
}

void runCli(
  {
    name: 'bench:items-cold-start',
    command: 'npm run bench:items-cold-start --',
    summary: 'Cold start (init and first request) of the items-api bundle against a naive baseline, each sample in a fresh process, on DynamoDB Local.',
    options: {
      runs: { type: 'string', default: '15', valueName: '<n>', description: 'samples per variant (default: 15)' },
      'module-first': { type: 'boolean', default: false, description: "add the baseline built with the build script's module-first settings" },
    },
  },
  ({ values }) => main(integerOption('runs', values.runs, { min: 1 })!, values['module-first']),
);
