// verify:terraform — validates and plans every synthesized stack (platform and
// bootstrap) with real Terraform, offline: providers from a filesystem mirror, fake
// credentials, local backend, empty remote state, lookups answered on loopback.
//   node --import tsx libs/pipeline/terraform-verify/src/cli.ts [--config <file>]
//        [--work-dir .terraform-verify] [--fixtures <json>] [--concurrency 2]
//        [--stacks <regex>] [--json <results file>]
// Mirror: $PLATFORM_TF_PROVIDER_MIRROR, else /opt/tf-plugins. Binary: $TERRAFORM_BIN, else terraform.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { PROVIDER_SKEW } from '@platform/constructs';
import { loadLookupFixtures } from './fake-aws-endpoint';
import { runCommand } from './run-command';
import { formatVerification } from './summary';
import { resolveMirror } from './toolchain';
import { VerifyInputError } from './verify-input-error';
import { type SynthesizedProgram, type VerificationSynthInput, verifyTerraform } from './verify-terraform';

const root = path.resolve(__dirname, '..', '..', '..', '..');

/** Runs both synth programs of the workspace in verification mode, side by side. */
function synthPrograms(configPath: string | undefined) {
  return async (input: VerificationSynthInput): Promise<SynthesizedProgram[]> => {
    const common = [
      '--verification',
      '--state-dir',
      input.stateDir,
      '--endpoint',
      input.endpoint,
      '--provider-version',
      input.providerVersion,
      ...(configPath ? ['--config', path.resolve(configPath)] : []),
    ];
    const programs = [
      { program: 'platform', args: ['tools/synth.mjs', '--no-table'] },
      { program: 'bootstrap', args: ['--import', 'tsx', 'bootstrap/main.ts'] },
    ];
    return Promise.all(
      programs.map(async (p) => {
        const outdir = path.join(input.outRoot, p.program);
        const r = await runCommand(process.execPath, [...p.args, ...common, '--outdir', outdir], root, process.env);
        if (r.exitCode !== 0) {
          const lines = (r.stderr || r.stdout).trim().split('\n');
          throw new VerifyInputError(`synth of the ${p.program} program failed: ${lines.find((l) => /error/i.test(l)) ?? lines[0]}`);
        }
        return { program: p.program, outdir };
      }),
    );
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      'work-dir': { type: 'string', default: path.join(root, '.terraform-verify') },
      fixtures: { type: 'string', default: path.join(root, 'libs/pipeline/terraform-verify/fixtures/aws-lookups.json') },
      concurrency: { type: 'string', default: '2' },
      stacks: { type: 'string' },
      json: { type: 'string' },
    },
  });
  const mirror = resolveMirror();
  if (!mirror) {
    throw new VerifyInputError(
      'no provider mirror: /opt/tf-plugins does not exist and PLATFORM_TF_PROVIDER_MIRROR is not set; point it at a filesystem mirror holding hashicorp/aws',
    );
  }
  const concurrency = Number.parseInt(values.concurrency as string, 10);
  if (!(concurrency >= 1)) throw new VerifyInputError(`--concurrency must be a whole number >= 1, got "${values.concurrency}"`);
  const result = await verifyTerraform({
    workDir: values['work-dir'] as string,
    mirror,
    terraformBin: process.env.TERRAFORM_BIN?.trim() || 'terraform',
    fixtures: loadLookupFixtures(values.fixtures as string),
    synth: synthPrograms(values.config),
    skew: PROVIDER_SKEW,
    concurrency,
    stackFilter: values.stacks ? new RegExp(values.stacks) : undefined,
    onProgress: (line) => console.error(line),
  });
  const jsonFile = values.json ?? path.join(values['work-dir'] as string, 'results.json');
  writeFileSync(jsonFile, `${JSON.stringify(result, null, 2)}\n`);
  console.log(formatVerification(result));
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof VerifyInputError) {
      console.error(`verify:terraform: ${err.message}`);
      process.exit(1);
    }
    throw err;
  },
);
