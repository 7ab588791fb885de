import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as semver from 'semver';
import { VerifyInputError } from './verify-input-error';

/** The Terraform version the stacks need (write-only arguments, `use_lockfile`): REQUIRED_TERRAFORM_VERSION. */
export const MIN_TERRAFORM_VERSION = '1.11.0';

/** Default provider mirror on the project's machines. */
export const DEFAULT_PROVIDER_MIRROR = '/opt/tf-plugins';

/** `hashicorp/aws` in a filesystem mirror (the unpacked layout). */
const AWS_PROVIDER = path.join('registry.terraform.io', 'hashicorp', 'aws');

/** The version of the terraform binary `bin`; throws a one-line error when it cannot run or is too old. */
export function checkTerraform(bin: string): string {
  let out: string;
  try {
    out = execFileSync(bin, ['version', '-json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new VerifyInputError(`cannot run terraform "${bin}" (${(err as Error).message.split('\n')[0]}); install it or set TERRAFORM_BIN`);
  }
  let version: string | undefined;
  try {
    version = (JSON.parse(out) as { terraform_version?: string }).terraform_version;
  } catch {
    version = /Terraform v(\d+\.\d+\.\d+)/.exec(out)?.[1];
  }
  if (!version) throw new VerifyInputError(`"${bin} version -json" printed no version`);
  if (!semver.valid(version)) throw new VerifyInputError(`"${bin} version -json" printed "${version}", which is not a version (x.y.z[-pre])`);
  // semver orders a pre-release before its release: 1.10.0-rc1 lacks what 1.10.0 has.
  if (semver.lt(version, MIN_TERRAFORM_VERSION)) {
    throw new VerifyInputError(
      `terraform ${version} (${bin}) is older than ${MIN_TERRAFORM_VERSION}, which the stacks need (write-only arguments, the S3 backend's use_lockfile); install Terraform >= ${MIN_TERRAFORM_VERSION}`,
    );
  }
  return version;
}

/** `linux_amd64` and the like, as Terraform names the platform. */
export function terraformPlatform(platform: string = process.platform, arch: string = process.arch): string {
  const a = arch === 'x64' ? 'amd64' : arch === 'ia32' ? '386' : arch;
  return `${platform}_${a}`;
}

/**
 * The provider mirror to use: `$PLATFORM_TF_PROVIDER_MIRROR`, else /opt/tf-plugins when
 * it exists; undefined when there is none (verification is then skipped by CI).
 */
export function resolveMirror(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env.PLATFORM_TF_PROVIDER_MIRROR?.trim();
  if (configured) return path.resolve(configured);
  return existsSync(DEFAULT_PROVIDER_MIRROR) ? DEFAULT_PROVIDER_MIRROR : undefined;
}

/**
 * The newest hashicorp/aws version `mirror` holds for this platform; throws a
 * one-line error when the folder does not exist or has no such provider.
 */
export function findAwsProvider(mirror: string, platform: string = terraformPlatform()): string {
  if (!existsSync(mirror)) {
    throw new VerifyInputError(`provider mirror ${mirror} does not exist; set PLATFORM_TF_PROVIDER_MIRROR to a filesystem mirror holding hashicorp/aws`);
  }
  const dir = path.join(mirror, AWS_PROVIDER);
  const versions = existsSync(dir)
    ? readdirSync(dir).filter((v) => /^\d+\.\d+\.\d+$/.test(v) && existsSync(path.join(dir, v, platform)))
    : [];
  if (versions.length === 0) {
    throw new VerifyInputError(
      `provider mirror ${mirror} has no hashicorp/aws for ${platform} (expected ${path.join(AWS_PROVIDER, '<version>', platform)}); fill it with "terraform providers mirror"`,
    );
  }
  return versions.sort(semver.compare)[versions.length - 1];
}

/**
 * Terraform CLI configuration: with a `mirror`, hashicorp/aws comes from it only, never
 * from the network; without one, from the registry (a pull request on GitHub).
 */
export function cliConfig(mirror: string | undefined, pluginCacheDir: string): string {
  const installation = mirror
    ? [
        '# Written by verify:terraform: providers come from the filesystem mirror only.',
        'provider_installation {',
        '  filesystem_mirror {',
        `    path    = ${JSON.stringify(mirror)}`,
        '    include = ["registry.terraform.io/hashicorp/aws"]',
        '  }',
        '}',
      ]
    : ['# Written by verify:terraform: providers come from the registry, at the version the stacks pin.'];
  return [...installation, `plugin_cache_dir = ${JSON.stringify(pluginCacheDir)}`, ''].join('\n');
}

/** Writes the CLI config (and creates the plugin cache) in `workDir`; returns the config's path. */
export function writeCliConfig(workDir: string, mirror: string | undefined): string {
  const cache = path.join(workDir, 'plugin-cache');
  mkdirSync(cache, { recursive: true });
  const file = path.join(workDir, 'terraform.tfrc');
  writeFileSync(file, cliConfig(mirror, cache));
  return file;
}

/**
 * The hashicorp/aws version the stacks pin: the one the provider bindings were generated
 * for (`cdktf.provider.version` of their package.json), which synth writes into every
 * stack's `required_providers`.
 */
export function pinnedAwsProviderVersion(bindingsPackageJson: string = require.resolve('@cdktf/provider-aws/package.json')): string {
  const version = (JSON.parse(readFileSync(bindingsPackageJson, 'utf8')) as { cdktf?: { provider?: { version?: string } } }).cdktf?.provider?.version;
  if (!version || !semver.valid(version)) throw new VerifyInputError(`${bindingsPackageJson} names no provider version (cdktf.provider.version)`);
  return version;
}

/** The skew entries a provider of `providerVersion` lacks: those added after it. */
export function skewFor<T extends { readonly addedIn: string }>(skew: readonly T[], providerVersion: string): T[] {
  return skew.filter((s) => semver.gt(s.addedIn, providerVersion));
}
