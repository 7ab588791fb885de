// verify:terraform — validates and plans every synthesized stack (platform and
// bootstrap) with real Terraform, offline: providers from a filesystem mirror, fake
// credentials, local backend, empty remote state, lookups answered on loopback.
// Both programs are synthesized in this process with their verification option.
//   node libs/pipeline/terraform-verify/bin/verify-terraform.mjs [--config <file>]
//        [--work-dir .terraform-verify] [--fixtures <json>] [--concurrency 2]
//        [--stacks <regex>] [--json <results file>]
// Mirror: $PLATFORM_TF_PROVIDER_MIRROR, else /opt/tf-plugins. Binary: $TERRAFORM_BIN, else terraform.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { PROVIDER_SKEW } from '@platform/constructs';
import { synthBootstrap } from '../../../../bootstrap/main';
import { isUserError, synthPlatform } from '../../../../stacks/main';
import { loadLookupFixtures } from './fake-aws-endpoint';
import { formatVerification } from './summary';
import { resolveMirror } from './toolchain';
import { VerifyInputError } from './verify-input-error';
import { type SynthesizedProgram, type VerificationSynthInput, verifyTerraform } from './verify-terraform';

/** Synthesizes the platform and the bootstrap program in verification mode. */
function synthPrograms(root: string, configPath: string | undefined) {
  return async (input: VerificationSynthInput): Promise<SynthesizedProgram[]> => {
    const verification = { stateDir: input.stateDir, endpoint: input.endpoint, providerVersion: input.providerVersion, skew: PROVIDER_SKEW };
    const config = configPath ? path.resolve(configPath) : undefined;
    const platform = path.join(input.outRoot, 'platform');
    const bootstrap = path.join(input.outRoot, 'bootstrap');
    try {
      synthPlatform({ configPath: config, outdir: platform, workspaceRoot: root, verification });
      synthBootstrap({ configPath: config, outdir: bootstrap, workspaceRoot: root, verification });
    } catch (err) {
      if (isUserError(err)) throw new VerifyInputError(`synth failed: ${err.message.split('\n').join(' ')}`);
      throw err;
    }
    return [
      { program: 'platform', outdir: platform },
      { program: 'bootstrap', outdir: bootstrap },
    ];
  };
}

/** Runs verify:terraform in workspace `root`; resolves with the exit code. */
export async function main(root: string, args: string[] = process.argv.slice(2)): Promise<number> {
  const { values } = parseArgs({
    args,
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
    synth: synthPrograms(root, values.config),
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

/** Runs {@link main} and exits: a user-input problem is one line, without a stack trace. */
export function run(root: string): void {
  main(root).then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof VerifyInputError) {
        console.error(`verify:terraform: ${err.message}`);
        process.exit(1);
      }
      throw err;
    },
  );
}

if (require.main === module) run(path.resolve(__dirname, '..', '..', '..', '..'));
