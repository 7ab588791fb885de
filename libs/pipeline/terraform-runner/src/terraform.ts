import { spawn } from 'node:child_process';
import { UserError } from '@platform/config';

/** How to call Terraform (or OpenTofu). */
export interface TerraformInvocation {
  /** Working directory: the stack's synthesized folder. */
  readonly cwd: string;
  /** Arguments after the binary. */
  readonly args: readonly string[];
  /**
   * The binary: `$TERRAFORM_BIN`, else `terraform` from PATH.
   * @default - see {@link terraformBin}
   */
  readonly bin?: string;
  /** Keep stdout in the result instead of streaming it (for `show -json`). @default false */
  readonly captureStdout?: boolean;
  /** Also copy streamed stdout here (the human-readable plan). */
  readonly onStdout?: (chunk: string) => void;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

export interface TerraformResult {
  readonly exitCode: number;
  /** Captured stdout (only with captureStdout). */
  readonly stdout: string;
}

/** Thrown when the terraform binary cannot be started or exits with an unexpected code. */
export class TerraformError extends UserError {
  constructor(message: string, readonly exitCode?: number) {
    super(message);
  }
}

/** The binary to run: `$TERRAFORM_BIN` (e.g. `tofu`), else `terraform` from PATH. */
export function terraformBin(env: NodeJS.ProcessEnv = process.env): string {
  return env.TERRAFORM_BIN?.trim() || 'terraform';
}

/**
 * Runs Terraform once. Resolves with the exit code whatever it is (callers decide
 * which codes are failures: `-detailed-exitcode` uses 2 for "changes").
 */
export function runTerraform(inv: TerraformInvocation): Promise<TerraformResult> {
  const env = inv.env ?? process.env;
  const bin = inv.bin ?? terraformBin(env);
  // TF_IN_AUTOMATION trims "what next" hints meant for people at a terminal.
  const childEnv = { ...env, TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
  return new Promise((resolve, reject) => {
    const child = spawn(bin, inv.args as string[], { cwd: inv.cwd, env: childEnv, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (inv.captureStdout) {
        stdout += chunk;
      } else {
        process.stdout.write(chunk);
        inv.onStdout?.(chunk);
      }
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      const hint =
        err.code === 'ENOENT' ? `"${bin}" was not found; install Terraform (or OpenTofu) or point TERRAFORM_BIN at it` : err.message;
      reject(new TerraformError(`cannot run ${bin} ${inv.args.join(' ')}: ${hint}`));
    });
    child.on('close', (code, signal) => {
      resolve({ exitCode: code ?? (signal ? 128 : 1), stdout });
    });
  });
}
