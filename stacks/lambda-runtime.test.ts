// Every function runs LAMBDA_RUNTIME (nodejs24.x), and nodejs24.x takes async handlers
// only: "Lambda supports callback-based function handlers for Node.js 22 and earlier
// runtimes only" (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html).
// The apps checked are the ones the example platform's regional stacks deploy (its
// config, through the stack plan), each as the bundle `npm run build` ships, loaded in
// a fresh Node with the environment its function gets.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { LAMBDA_RUNTIME, type StackSpec, artifactDir, loadPlatform, serviceContract } from '@platform/config';

const ROOT = path.resolve(__dirname, '..');
const platform = loadPlatform(path.join(ROOT, 'config', 'platform.json'));

/** One regional stack per app the platform deploys. */
function deployedApps(stacks: readonly StackSpec[]): Map<string, StackSpec> {
  const apps = new Map<string, StackSpec>();
  for (const s of stacks) if (s.layer === 'regional' && s.app && !apps.has(s.app)) apps.set(s.app, s);
  return apps;
}

interface HandlerShape {
  readonly type: string;
  /** `AsyncFunction` for an `async function`: the test the Lambda runtime interface client makes (`_isAsync` in src/UserFunction.js). */
  readonly constructorName?: string;
  /** Declared parameters; a third one is the callback of a callback-based handler. */
  readonly parameters?: number;
}

/** Loads the app's bundle (index.js, what lambda.zip holds) as the runtime does and describes `handler`. */
function handlerOf(spec: StackSpec): HandlerShape {
  const contract = serviceContract(platform.config, spec.service, spec.environment);
  const bundle = path.join(ROOT, artifactDir(spec.app!), 'index.js');
  if (!existsSync(bundle)) throw new Error(`${path.relative(ROOT, bundle)} not found: run \`npm run build\` first`);
  const inputs = contract.regionalInputs(spec.region);
  const environment = contract.lambdaEnvironment(spec.region, (output) => inputs[output] ?? `test-${output}`);
  // The apps open their database and cache clients at load, which keep the event loop
  // alive: the probe exits once it has described the handler.
  const probe = `const h = require(${JSON.stringify(bundle)}).handler;
console.log(JSON.stringify({ type: typeof h, constructorName: h?.constructor?.name, parameters: h?.length }));
process.exit(0);`;
  const res = spawnSync(process.execPath, ['-e', probe], {
    env: { PATH: process.env.PATH ?? '', AWS_REGION: spec.region, NODE_NO_WARNINGS: '1', ...environment },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (res.status !== 0) throw new Error(`loading ${spec.app}'s bundle failed (exit ${res.status}, ${res.signal ?? 'no signal'}): ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n').pop()!);
}

describe('the Lambda runtime', () => {
  const apps = deployedApps(platform.stacks);

  it('finds the apps from the config: every service of the example platform deploys one', () => {
    expect([...apps.keys()].sort()).toEqual(platform.services.map((s) => s.app).sort());
  });

  it.each([...apps].map(([app, spec]) => [app, spec] as const))(
    '%s exports an async handler taking (event, context) and no callback, as nodejs24.x requires',
    (_app, spec) => {
      const handler = handlerOf(spec);
      expect(handler).toMatchObject({ type: 'function', constructorName: 'AsyncFunction' });
      expect(handler.parameters).toBeLessThanOrEqual(2);
    },
  );

  it('bundles for the Node the functions run: esbuild target node24 for nodejs24.x', () => {
    const options = JSON.parse(readFileSync(path.join(ROOT, 'libs', 'synthesis', 'config', 'src', 'lambda-esbuild-options.json'), 'utf8'));
    expect(LAMBDA_RUNTIME).toBe('nodejs24.x');
    expect(options.target).toBe(`node${/^nodejs(\d+)\.x$/.exec(LAMBDA_RUNTIME)![1]}`);
  });

  it('runs the Node major the workflows and tools/use-node.sh use (.nvmrc)', () => {
    expect(LAMBDA_RUNTIME).toBe(`nodejs${readFileSync(path.join(ROOT, '.nvmrc'), 'utf8').trim()}.x`);
  });
});
