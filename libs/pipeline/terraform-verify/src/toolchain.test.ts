import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { checkTerraform, cliConfig, findAwsProvider, pinnedAwsProviderVersion, resolveMirror, skewFor } from './toolchain';
import { VerifyInputError } from './verify-input-error';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'tf-verify-'));

/** A stand-in terraform binary printing `version -json` for `version`. */
function fakeTerraform(version: string): string {
  const bin = path.join(tmp(), 'terraform');
  writeFileSync(bin, `#!/bin/sh\necho '{"terraform_version":"${version}","platform":"linux_amd64"}'\n`);
  chmodSync(bin, 0o755);
  return bin;
}

describe('findAwsProvider', () => {
  it('names a mirror path that does not exist in one line', () => {
    expect(() => findAwsProvider('/nonexistent/tf-mirror', 'linux_amd64')).toThrow(
      new VerifyInputError(
        'provider mirror /nonexistent/tf-mirror does not exist; set PLATFORM_TF_PROVIDER_MIRROR to a filesystem mirror holding hashicorp/aws',
      ),
    );
  });

  it('rejects a mirror without hashicorp/aws for this platform', () => {
    const mirror = tmp();
    mkdirSync(path.join(mirror, 'registry.terraform.io/hashicorp/aws/5.100.0/darwin_arm64'), { recursive: true });
    expect(() => findAwsProvider(mirror, 'linux_amd64')).toThrow(/has no hashicorp\/aws for linux_amd64/);
  });

  it('picks the newest version the mirror holds for the platform', () => {
    const mirror = tmp();
    for (const v of ['5.9.0', '5.100.0', '5.31.0']) {
      mkdirSync(path.join(mirror, `registry.terraform.io/hashicorp/aws/${v}/linux_amd64`), { recursive: true });
    }
    expect(findAwsProvider(mirror, 'linux_amd64')).toBe('5.100.0');
  });
});

describe('resolveMirror', () => {
  it('prefers PLATFORM_TF_PROVIDER_MIRROR', () => {
    expect(resolveMirror({ PLATFORM_TF_PROVIDER_MIRROR: '/srv/mirror' })).toBe('/srv/mirror');
  });
});

describe('checkTerraform', () => {
  it('rejects a terraform too old for the stacks in one line', () => {
    const bin = fakeTerraform('1.10.5');
    expect(() => checkTerraform(bin)).toThrow(
      `terraform 1.10.5 (${bin}) is older than 1.11.0, which the stacks need (write-only arguments, the S3 backend's use_lockfile); install Terraform >= 1.11.0`,
    );
  });

  it('given a pre-release of the minimum version (1.11.0-rc1 comes before 1.11.0), when checked, then it is rejected', () => {
    const bin = fakeTerraform('1.11.0-rc1');
    expect(() => checkTerraform(bin)).toThrow(`terraform 1.11.0-rc1 (${bin}) is older than 1.11.0`);
  });

  it('accepts 1.11 and later', () => {
    expect(checkTerraform(fakeTerraform('1.11.0'))).toBe('1.11.0');
  });

  it('says so when the binary cannot run', () => {
    expect(() => checkTerraform('/nonexistent/terraform')).toThrow(/^cannot run terraform "\/nonexistent\/terraform"/);
  });
});

describe('cliConfig', () => {
  it('installs hashicorp/aws from the mirror only and caches plugins', () => {
    const text = cliConfig('/opt/tf-plugins', '/w/plugin-cache');
    expect(text).toContain('filesystem_mirror {\n    path    = "/opt/tf-plugins"');
    expect(text).not.toContain('direct');
    expect(text).toContain('plugin_cache_dir = "/w/plugin-cache"');
  });
});

describe('the registry source (the pull-request workflow)', () => {
  it('given no mirror, the CLI config has no provider_installation, so Terraform installs from the registry, and still caches plugins', () => {
    const text = cliConfig(undefined, '/w/plugin-cache');
    expect(text).not.toContain('provider_installation');
    expect(text).toContain('plugin_cache_dir = "/w/plugin-cache"');
  });

  it('verifies the version the bindings were generated for, which synth pins in every stack', () => {
    const pinned = pinnedAwsProviderVersion();
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pinned).toBe((require('@cdktf/provider-aws/package.json') as { cdktf: { provider: { version: string } } }).cdktf.provider.version);
  });

  it('applies only the skew entries the verified version lacks: all of them for the 5.100.0 mirror, none for the stacks\' own pin', () => {
    const skew = [{ addedIn: '6.9.0' }, { addedIn: '6.21.0' }];
    expect(skewFor(skew, '5.100.0')).toEqual(skew);
    expect(skewFor(skew, '6.20.1')).toEqual([{ addedIn: '6.21.0' }]);
    expect(skewFor(skew, '6.25.0')).toEqual([]);
  });
});
