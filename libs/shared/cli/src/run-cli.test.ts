import { UserError } from './user-error';
import { type CliIo, type CliSpec, formatHelp, npmTookOptions, runCli } from './run-cli';
import { AWS_CREDENTIALS_HINT, awsCredentialsProblem } from './aws-credentials-problem';
import { integerOption } from './integer-option';
import { UsageError } from './usage-error';

const SPEC = {
  name: 'synth',
  command: 'npm run synth --',
  summary: 'Synthesizes every stack.',
  options: {
    outdir: { type: 'string', valueName: '<dir>', description: 'output folder (default: cdktf.out)' },
    'no-table': { type: 'boolean', description: 'print no table' },
    after: { type: 'string', multiple: true, description: 'a plan folder this stack reads' },
    runs: { type: 'string', default: '3', description: 'runs (default: 3)' },
  },
} satisfies CliSpec;

function io(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIo = { argv, env, out: (t) => out.push(t), err: (t) => err.push(t) };
  return { io: value, out, err };
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('runCli', () => {
  it('passes the parsed options and defaults to main and exits with its code', async () => {
    const t = io(['--outdir', 'x', '--after', 'a', '--after', 'b']);
    let seen: unknown;
    const code = await runCli(SPEC, ({ values }) => {
      seen = values;
      return 3;
    }, t.io);
    expect(seen).toEqual({ outdir: 'x', after: ['a', 'b'], runs: '3' });
    expect(code).toBe(3);
    expect(process.exitCode).toBe(3);
  });

  it('answers --help and -h with the usage on stdout, exit 0, without running main', async () => {
    for (const flag of ['--help', '-h']) {
      const t = io([flag]);
      const main = jest.fn();
      expect(await runCli(SPEC, main, t.io)).toBe(0);
      expect(main).not.toHaveBeenCalled();
      expect(t.out.join('\n')).toBe(formatHelp(SPEC));
      expect(t.err).toEqual([]);
    }
  });

  it('lists every option with its value name in the help', () => {
    const help = formatHelp(SPEC);
    expect(help).toMatch(/^usage: npm run synth -- \[options\]/);
    expect(help).toContain('--outdir <dir>');
    expect(help).toContain('--no-table');
    expect(help).toMatch(/--after <value> +a plan folder this stack reads \(repeatable\)/);
    expect(help).toMatch(/-h, --help +print this help/);
  });

  it('names an unknown option in one line that points at --help, exit 2', async () => {
    const t = io(['--outdr', 'x']);
    expect(await runCli(SPEC, jest.fn(), t.io)).toBe(2);
    expect(t.err).toEqual(['synth: unknown option --outdr; see npm run synth -- --help']);
  });

  it('names an option whose value is missing, and one that takes none', async () => {
    const missing = io(['--outdir']);
    expect(await runCli(SPEC, jest.fn(), missing.io)).toBe(2);
    expect(missing.err).toEqual(['synth: --outdir needs a value; see npm run synth -- --help']);
    const extra = io(['--no-table=1']);
    expect(await runCli(SPEC, jest.fn(), extra.io)).toBe(2);
    expect(extra.err).toEqual(['synth: --no-table takes no value; see npm run synth -- --help']);
  });

  it('rejects positional arguments when the spec takes none', async () => {
    const t = io(['stray']);
    expect(await runCli(SPEC, jest.fn(), t.io)).toBe(2);
    expect(t.err).toEqual(['synth: unexpected argument stray; see npm run synth -- --help']);
  });

  it('prints a UserError as its message only, exit 1', async () => {
    const t = io([]);
    const code = await runCli(SPEC, () => {
      throw new UserError('config/platform.json: environments.prod.accountId: must be 12 digits');
    }, t.io);
    expect(code).toBe(1);
    expect(t.err).toEqual(['config/platform.json: environments.prod.accountId: must be 12 digits']);
  });

  it('keeps the exit code a UserError carries', async () => {
    class TerraformFailed extends UserError {
      readonly exitCode = 3;
    }
    const t = io([]);
    expect(await runCli(SPEC, async () => Promise.reject(new TerraformFailed('terraform exited with 3')), t.io)).toBe(3);
    expect(t.err).toEqual(['terraform exited with 3']);
  });

  it('prints a UsageError with the --help hint, exit 2', async () => {
    const t = io([]);
    expect(await runCli(SPEC, () => {
      throw new UsageError('--outdir and --config cannot both be empty');
    }, t.io)).toBe(2);
    expect(t.err).toEqual(['synth: --outdir and --config cannot both be empty; see npm run synth -- --help']);
  });

  it('keeps the stack trace of anything else: it is a bug', async () => {
    const t = io([]);
    expect(await runCli(SPEC, () => {
      throw new TypeError('undefined is not a function');
    }, t.io)).toBe(1);
    expect(t.err.join('\n')).toMatch(/TypeError: undefined is not a function\n\s+at /);
  });
});

describe('an option npm took for itself (npm run without --)', () => {
  const npm = (env: NodeJS.ProcessEnv) => ({ npm_lifecycle_event: 'synth', npm_config_cache: '/root/.npm', ...env });

  it('says how to write `npm run synth --outdir x`', async () => {
    // npm keeps outdir=true and passes x on as an argument.
    const t = io(['x'], npm({ npm_config_outdir: 'true' }));
    expect(await runCli(SPEC, jest.fn(), t.io)).toBe(2);
    expect(t.err).toEqual(['synth: npm took --outdir for itself: write npm run synth -- --outdir x']);
  });

  it('says how to write `npm run synth --outdir=x --no-table`', () => {
    expect(npmTookOptions(SPEC, [], npm({ npm_config_outdir: 'x', npm_config_table: '' }))).toBe(
      'npm took --outdir, --no-table for itself: write npm run synth -- --outdir x --no-table',
    );
  });

  it('is silent outside npm run and for npm settings the CLI does not have', () => {
    expect(npmTookOptions(SPEC, ['x'], { npm_config_outdir: 'true' })).toBeUndefined();
    expect(npmTookOptions(SPEC, [], npm({ npm_config_yes: '' }))).toBeUndefined();
  });
});

describe('integerOption', () => {
  it('reads a whole number in range and leaves an absent option undefined', () => {
    expect(integerOption('runs', '5', { min: 1 })).toBe(5);
    expect(integerOption('runs', undefined)).toBeUndefined();
  });

  it('names the option, the range and the value it rejects', () => {
    expect(() => integerOption('runs', 'five', { min: 1, max: 9 })).toThrow(new UsageError('--runs must be a whole number from 1 to 9, got "five"'));
    expect(() => integerOption('runs', '0', { min: 1, max: 9 })).toThrow(UsageError);
    expect(() => integerOption('runs', '', { min: 0 })).toThrow(UsageError);
  });
});

describe('an AWS call without usable credentials', () => {
  const sdkError = (name: string, message: string) => Object.assign(new Error(message), { name });

  it("prints one line for the SDK's CredentialsProviderError naming what to set, exit 1", async () => {
    const t = io([]);
    expect(await runCli(SPEC, () => Promise.reject(sdkError('CredentialsProviderError', 'Could not load credentials from any providers')), t.io)).toBe(1);
    expect(t.err).toEqual([`synth: no AWS credentials (Could not load credentials from any providers): ${AWS_CREDENTIALS_HINT}`]);
  });

  it('says expired for ExpiredToken / ExpiredTokenException and refused for InvalidClientTokenId, found through error causes too', async () => {
    const expired = io([]);
    const wrapped = new Error('reading the alarms failed', { cause: sdkError('ExpiredTokenException', 'The security token included in the request is expired') });
    expect(await runCli(SPEC, () => Promise.reject(wrapped), expired.io)).toBe(1);
    expect(expired.err).toHaveLength(1);
    expect(expired.err[0]).toMatch(/^synth: the AWS credentials have expired \(ExpiredTokenException: The security token included in the request is expired\): get new ones/);
    const refused = io([]);
    expect(await runCli(SPEC, () => Promise.reject(sdkError('InvalidClientTokenId', 'The security token included in the request is invalid.')), refused.io)).toBe(1);
    expect(refused.err[0]).toMatch(/^synth: AWS refused the credentials \(InvalidClientTokenId: /);
  });

  it('leaves other AWS errors to the bug path', () => {
    expect(awsCredentialsProblem(sdkError('AccessDenied', 'not allowed'))).toBeUndefined();
    expect(awsCredentialsProblem(undefined)).toBeUndefined();
  });
});
