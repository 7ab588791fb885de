// verify:terraform — validates and plans every synthesized stack (platform and
// bootstrap) with real Terraform, offline: providers from a filesystem mirror, fake
// credentials, local backend, lookups and state objects answered on loopback; every
// stack that reads a global stack's state is planned with that state existing but
// empty and again with it missing, and the apply-guard probe beside those second plans.
// Both programs are synthesized in this process with their verification option: this
// CLI composes them with @platform/terraform-verify, which imports neither (a composition
// root, see docs/architecture.md).
//   npm run verify:terraform -- [--config <file>] [--work-dir .terraform-verify]
//        [--fixtures <json>] [--concurrency 2] [--stacks <regex>] [--json <results file>]
//        [--provider-source mirror|registry]
// Mirror: $PLATFORM_TF_PROVIDER_MIRROR, else /opt/tf-plugins. Binary: $TERRAFORM_BIN, else terraform.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '@platform/cli';
import { UserError } from '@platform/config';
import { PROVIDER_SKEW } from '@platform/constructs';
import { synthBootstrap } from '@platform/bootstrap';
import { synthPlatform } from '@platform/stacks';
import {
  type SynthesizedProgram,
  type VerificationSynthInput,
  VerifyInputError,
  formatVerification,
  loadLookupFixtures,
  pinnedAwsProviderVersion,
  probeApplyGuard,
  resolveMirror,
  verifyTerraform,
} from '@platform/terraform-verify';

/** Synthesizes the platform and the bootstrap program in verification mode. */
function synthPrograms(root: string, configPath: string | undefined) {
  return async (input: VerificationSynthInput): Promise<SynthesizedProgram[]> => {
    const verification = { stateDir: input.stateDir, endpoint: input.endpoint, providerVersion: input.providerVersion, skew: input.skew };
    const config = configPath ? path.resolve(configPath) : undefined;
    const platform = path.join(input.outRoot, 'platform');
    const bootstrap = path.join(input.outRoot, 'bootstrap');
    try {
      synthPlatform({ configPath: config, outdir: platform, workspaceRoot: root, verification });
      synthBootstrap({ configPath: config, outdir: bootstrap, workspaceRoot: root, verification });
    } catch (err) {
      if (err instanceof UserError) throw new VerifyInputError(`synth failed: ${err.message.split('\n').join(' ')}`);
      throw err;
    }
    return [
      { program: 'platform', outdir: platform },
      { program: 'bootstrap', outdir: bootstrap },
    ];
  };
}

const root = path.resolve(__dirname, '..', '..');

void runCli(
  {
    name: 'verify:terraform',
    command: 'npm run verify:terraform --',
    summary:
      'Validates and plans every platform and bootstrap stack with real Terraform, offline: providers from a filesystem mirror ' +
      '($PLATFORM_TF_PROVIDER_MIRROR, else /opt/tf-plugins), fake credentials, local backend, lookups and state objects on loopback. ' +
      'Stacks that read a global stack\'s state plan twice: with that state existing but empty, and missing (a new service\'s first plan). ' +
      'Beside those, a probe applies a plan made without the global state and expects the guard to refuse it.',
    options: {
      config: { type: 'string', valueName: '<file>', description: 'platform config (default: config/platform.json)' },
      'work-dir': { type: 'string', default: path.join(root, '.terraform-verify'), valueName: '<dir>', description: 'where stacks, state and plans go (default: .terraform-verify)' },
      fixtures: {
        type: 'string',
        default: path.join(root, 'libs/pipeline/terraform-verify/fixtures/aws-lookups.json'),
        valueName: '<json>',
        description: 'answers of the loopback AWS endpoint (default: the committed fixtures)',
      },
      'provider-source': {
        type: 'string',
        default: 'mirror',
        valueName: 'mirror|registry',
        description: 'mirror: hashicorp/aws from the filesystem mirror, offline (default); registry: the version the stacks pin, from the registry (needs network: the pull-request workflow), no skew list',
      },
      concurrency: { type: 'string', default: '2', valueName: '<n>', description: 'stacks planned at once (default: 2)' },
      stacks: { type: 'string', valueName: '<regex>', description: 'only the stacks whose name matches' },
      json: { type: 'string', valueName: '<file>', description: 'write the results here (default: <work-dir>/results.json)' },
    },
    notes: 'The terraform binary is $TERRAFORM_BIN, else terraform on PATH (>= 1.11: write-only arguments, use_lockfile).',
  },
  async ({ values }) => {
    const source = values['provider-source'];
    if (source !== 'mirror' && source !== 'registry') throw new VerifyInputError(`--provider-source must be mirror or registry, got "${source}"`);
    const mirror = source === 'mirror' ? resolveMirror() : undefined;
    if (source === 'mirror' && !mirror) {
      throw new VerifyInputError(
        'no provider mirror: /opt/tf-plugins does not exist and PLATFORM_TF_PROVIDER_MIRROR is not set; point it at a filesystem mirror holding hashicorp/aws',
      );
    }
    const concurrency = Number.parseInt(values.concurrency, 10);
    if (!(concurrency >= 1)) throw new VerifyInputError(`--concurrency must be a whole number >= 1, got "${values.concurrency}"`);
    const result = await verifyTerraform({
      workDir: values['work-dir'],
      mirror,
      providerVersion: source === 'registry' ? pinnedAwsProviderVersion() : undefined,
      terraformBin: process.env.TERRAFORM_BIN?.trim() || 'terraform',
      fixtures: loadLookupFixtures(values.fixtures),
      synth: synthPrograms(root, values.config),
      skew: PROVIDER_SKEW,
      concurrency,
      stackFilter: values.stacks ? new RegExp(values.stacks) : undefined,
      onProgress: (line) => console.error(line),
      probe: probeApplyGuard,
    });
    const jsonFile = values.json ?? path.join(values['work-dir'], 'results.json');
    writeFileSync(jsonFile, `${JSON.stringify(result, null, 2)}\n`);
    console.log(formatVerification(result));
    return result.ok ? 0 : 1;
  },
);
