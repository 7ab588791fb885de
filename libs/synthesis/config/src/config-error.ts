import { UserError } from './user-error';

/** One problem found in the platform config: where it is and what is wrong. */
export interface ConfigProblem {
  /** Dotted path into the config, e.g. `environments.prod.regions[1]`. */
  readonly path: string;
  /** What is wrong and, where it helps, how to fix it. */
  readonly message: string;
}

/**
 * Thrown when the platform config is invalid. Carries every problem found, not
 * just the first, so one run of synth tells the user everything to fix.
 */
export class ConfigError extends UserError {
  constructor(
    /** The file (or other source) the config came from. */
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(formatProblems(source, problems));
  }
}

// One problem is one line (what Nx prints once when the project graph fails, what a CLI
// prints); several get a heading and one line each.
function formatProblems(source: string, problems: readonly ConfigProblem[]): string {
  const lines = problems.map((p) => `${source}: ${p.path || '(root)'}: ${p.message}`);
  if (lines.length === 1) return lines[0];
  return [`invalid platform config (${problems.length} problems):`, ...lines.map((l) => `  - ${l}`)].join('\n');
}

/** Renders a path array the way a person would write it: `a.b[2].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}
