import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** One recorded call of the stand-in terraform. */
export interface TerraformCall {
  readonly cwd: string;
  readonly args: string[];
  readonly at: number;
}

/** A stand-in `terraform` installed in a temporary bin folder. */
export interface StandIn {
  /** The folder holding the `terraform` executable. */
  readonly binDir: string;
  /** Absolute path of the executable (for TERRAFORM_BIN). */
  readonly bin: string;
  /** The file calls are recorded in. */
  readonly logFile: string;
  /** Environment with the stand-in first on PATH and logging on. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** Every call so far, in order. */
  calls(): TerraformCall[];
}

/**
 * Installs the stand-in terraform (terraform-stand-in.cjs) as `terraform` in a new
 * temporary folder. The returned env puts it first on PATH and drops TERRAFORM_BIN,
 * so a real terraform on the machine is never reached.
 */
export function installStandIn(): StandIn {
  const binDir = mkdtempSync(join(tmpdir(), 'tf-stand-in-'));
  const bin = join(binDir, 'terraform');
  copyFileSync(join(__dirname, 'terraform-stand-in.cjs'), bin);
  chmodSync(bin, 0o755);
  const logFile = join(binDir, 'calls.jsonl');
  return {
    binDir,
    bin,
    logFile,
    env(extra = {}) {
      const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}`, TF_STANDIN_LOG: logFile };
      delete env.TERRAFORM_BIN;
      delete env.PLATFORM_PROVIDER_ROLE_NAME;
      delete env.PLATFORM_DESTROY;
      return { ...env, ...extra };
    },
    calls() {
      if (!existsSync(logFile)) return [];
      return readFileSync(logFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as TerraformCall);
    },
  };
}
