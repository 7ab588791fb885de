// The shell every command-line program of the workspace runs in: options parsed with
// node:util parseArgs, --help, and one line (never a stack trace) for what the user
// can fix: an unknown option, a missing value, an option npm took for itself, a
// UserError, AWS credentials that are missing, expired or refused. Anything else is a bug and keeps its stack trace.
import { parseArgs } from 'node:util';
import { isUserError } from './user-error';
import { awsCredentialsProblem } from './aws-credentials-problem';
import { UsageError } from './usage-error';

/** One option of a CLI. */
export interface CliOption {
  readonly type: 'string' | 'boolean';
  /** One-letter alias, e.g. `j` for `-j`. */
  readonly short?: string;
  /** Whether the option may be given more than once (its value is then an array). @default false */
  readonly multiple?: boolean;
  /** Value when the option is not given. @default - undefined */
  readonly default?: string | boolean;
  /** Name of the value in the help, e.g. `<dir>`. @default "<value>" */
  readonly valueName?: string;
  /** One line for the help: what it does and its default. */
  readonly description: string;
}

/** What a CLI is called and takes. */
export interface CliSpec<O extends Record<string, CliOption> = Record<string, CliOption>> {
  /** Short name that starts every message, e.g. `synth`. */
  readonly name: string;
  /**
   * The command as a user types it, up to where options begin, e.g. `npm run synth --`
   * or `node tools/run-ts.mjs libs/pipeline/plan-review/src/cli.ts`.
   */
  readonly command: string;
  /** What the command does, in one or two sentences. */
  readonly summary: string;
  readonly options: O;
  /** Positional arguments as the usage line shows them, e.g. `<plan|deploy|destroy|drift>`. @default - none are accepted */
  readonly positionals?: string;
  /** Lines printed after the options in the help. */
  readonly notes?: string;
}

type OptionValue<T extends CliOption> = T['type'] extends 'boolean'
  ? T['multiple'] extends true
    ? boolean[]
    : boolean
  : T['multiple'] extends true
    ? string[]
    : string;

/** Parsed options: an option with a default always has a value. */
export type CliValues<O extends Record<string, CliOption>> = {
  -readonly [K in keyof O]: O[K] extends { default: string | boolean } ? OptionValue<O[K]> : OptionValue<O[K]> | undefined;
};

/** What a CLI's main function receives. */
export interface CliArgs<O extends Record<string, CliOption>> {
  readonly values: CliValues<O>;
  readonly positionals: string[];
}

/** Exit code, or nothing for 0. A long-running CLI resolves once it is ready and keeps the process alive itself. */
export type CliMain<O extends Record<string, CliOption>> = (args: CliArgs<O>) => number | void | Promise<number | void>;

/** Where a CLI's output goes and what it runs in; tests replace it. */
export interface CliIo {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
}

const processIo = (): CliIo => ({
  argv: process.argv.slice(2),
  env: process.env,
  out: (text) => console.log(text),
  err: (text) => console.error(text),
});

const HELP: CliOption = { type: 'boolean', short: 'h', description: 'print this help' };

/** The help text of `spec`. */
export function formatHelp(spec: CliSpec): string {
  const options = { ...spec.options, help: HELP };
  const labels = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}`;
    return o.type === 'string' ? `${flag} ${o.valueName ?? '<value>'}` : flag;
  });
  const width = Math.max(...labels.map((l) => l.length));
  const lines = Object.values(options).map((o, i) => `  ${labels[i].padEnd(width)}  ${o.description}${o.multiple ? ' (repeatable)' : ''}`);
  return [
    `usage: ${spec.command}${spec.positionals ? ` ${spec.positionals}` : ''} [options]`,
    '',
    spec.summary,
    '',
    'options:',
    ...lines,
    ...(spec.notes ? ['', spec.notes] : []),
  ].join('\n');
}

const quote = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/**
 * The line to print when the CLI runs under `npm run <script>` and npm took some of
 * its options (`npm run synth --outdir x` without `--`): npm keeps them as
 * `npm_config_<name>` and passes on only their values, as positionals.
 */
export function npmTookOptions(spec: CliSpec, argv: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const script = env.npm_lifecycle_event;
  if (!script) return undefined;
  const leftover = [...argv];
  const taken: string[] = [];
  const words: string[] = [];
  for (const [name, option] of Object.entries(spec.options)) {
    const negated = option.type === 'boolean' && name.startsWith('no-');
    const raw = env[`npm_config_${(negated ? name.slice(3) : name).replace(/-/g, '_')}`];
    if (raw === undefined) continue;
    if (option.type === 'boolean') {
      // `--no-table` reaches the environment as table="", `--json` as json="true".
      if (raw !== (negated ? '' : 'true')) continue;
      words.push(`--${name}`);
    } else {
      // `--outdir x` reaches it as outdir="true" and x as an argument; `--outdir=x` as outdir="x".
      const positional = raw === 'true' ? leftover.findIndex((a) => !a.startsWith('-')) : -1;
      const value = positional >= 0 ? leftover.splice(positional, 1)[0] : raw;
      words.push(`--${name}`, quote(value));
    }
    taken.push(`--${name}`);
  }
  if (taken.length === 0) return undefined;
  return `npm took ${taken.join(', ')} for itself: write npm run ${script} -- ${[...words, ...leftover.map(quote)].join(' ')}`;
}

/** One line for what node:util parseArgs rejected. */
function parseProblem(err: { code?: string; message: string }): string {
  const option = /'(-[^' ]*)/.exec(err.message)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(err.message)?.[1] ?? ''}`.trim();
    default:
      if (/does not take an argument/.test(err.message)) return `${option} takes no value`;
      return `${option} needs a value`;
  }
}

// By name, like isUserError: a CLI bundle and a library bundle may each carry a copy of the class.
const isUsageError = (err: unknown): boolean => err instanceof UsageError || (err as Error)?.name === 'UsageError';

/** Exit code of a user error: its own `exitCode` when it carries one (Terraform's), else 1. */
function userErrorExitCode(err: unknown): number {
  if (isUsageError(err)) return 2;
  const code = (err as { exitCode?: unknown }).exitCode;
  return typeof code === 'number' && code > 0 ? code : 1;
}

/**
 * Runs a CLI: parses the command line against `spec`, answers `--help`, then calls
 * `main`. Problems the user can fix print one line and exit non-zero (2 for the
 * command line, 1 for a UserError); anything else is a bug and prints its stack.
 * Resolves with the exit code, which is also set as `process.exitCode`.
 */
export async function runCli<const O extends Record<string, CliOption>>(spec: CliSpec<O>, main: CliMain<O>, io: CliIo = processIo()): Promise<number> {
  const code = await run(spec, main, io);
  process.exitCode = code;
  return code;
}

async function run<O extends Record<string, CliOption>>(spec: CliSpec<O>, main: CliMain<O>, io: CliIo): Promise<number> {
  const helpHint = `see ${spec.command} --help`;
  const npmTook = npmTookOptions(spec, io.argv, io.env);
  if (npmTook) {
    io.err(`${spec.name}: ${npmTook}`);
    return 2;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...io.argv],
      allowPositionals: spec.positionals !== undefined,
      strict: true,
      options: { ...(spec.options as Record<string, CliOption>), help: HELP },
    });
  } catch (err) {
    io.err(`${spec.name}: ${parseProblem(err as { code?: string; message: string })}; ${helpHint}`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(formatHelp(spec));
    return 0;
  }
  const { help: _help, ...values } = parsed.values;
  try {
    return (await main({ values: values as CliValues<O>, positionals: parsed.positionals })) ?? 0;
  } catch (err) {
    const credentials = awsCredentialsProblem(err);
    if (credentials) {
      io.err(`${spec.name}: ${credentials}`);
      return 1;
    }
    if (!isUserError(err)) {
      io.err(`${spec.name}: unexpected error (a bug, please report it):`);
      io.err(String((err as Error)?.stack ?? err));
      return 1;
    }
    io.err(isUsageError(err) ? `${spec.name}: ${err.message}; ${helpHint}` : err.message);
    return userErrorExitCode(err);
  }
}
