import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_CONFIG_PATH, type Platform, parsePlatformJson } from '@platform/config';
import { diffStackConfigs } from './config-diff';

/** Options of {@link affectedStacks}. */
export interface AffectedStacksOptions {
  /** Root of the Nx workspace (a git work tree). */
  readonly workspaceRoot: string;
  /** Commit (or ref) the change is compared with; its merge base with head is used. */
  readonly base: string;
  /**
   * Commit (or ref) of the change.
   * @default - the work tree, uncommitted and untracked files included
   */
  readonly head?: string;
  /** @default "config/platform.json" */
  readonly configFile?: string;
  /**
   * Runs `nx show projects --affected --stdin --json` with the given changed files.
   * @default - the workspace's own nx
   */
  readonly nxAffected?: (files: readonly string[]) => string[];
}

/** Why a stack is in the affected set. */
export type AffectedReason = 'code' | 'config' | 'config (new stack)' | 'depends on an affected stack' | 'all';

/** The stacks to plan (or deploy) for a change. */
export interface AffectedStacks {
  /** Affected stacks, in the platform's order (global before its regional stacks). */
  readonly stacks: string[];
  /** The same, per environment (every environment of the platform is a key). */
  readonly byEnvironment: Record<string, string[]>;
  /** Stacks the change removes from the config: orphans (see orphans.ts). */
  readonly removed: string[];
  /** The same, per environment of the base config (only environments with some). */
  readonly removedByEnvironment: Record<string, string[]>;
  readonly reasons: Record<string, AffectedReason>;
  /** Files changed between base and head. */
  readonly files: string[];
  /** Per environment, what a pipeline needs to reach its account. */
  readonly environments: Record<string, EnvironmentInfo>;
}

/** What a pipeline job needs to know about an environment. */
export interface EnvironmentInfo {
  readonly accountId: string;
  readonly deployRoleName: string;
  /** Regions, primary first. */
  readonly regions: readonly string[];
}

/** Every environment of the platform with its account and deploy role. */
export function environmentInfo(platform: Platform): Record<string, EnvironmentInfo> {
  return Object.fromEntries(
    Object.entries(platform.config.environments).map(([name, env]) => [
      name,
      { accountId: env.accountId, deployRoleName: env.deployRoleName, regions: env.regions },
    ]),
  );
}

/** Every stack of the platform, as an {@link AffectedStacks} (for drift detection or a full deploy). */
export function allStacks(platform: Platform): AffectedStacks {
  const byEnvironment: Record<string, string[]> = Object.fromEntries(Object.keys(platform.config.environments).map((e) => [e, []]));
  const reasons: Record<string, AffectedReason> = {};
  for (const s of platform.stacks) {
    byEnvironment[s.environment].push(s.name);
    reasons[s.name] = 'all';
  }
  return {
    stacks: platform.stacks.map((s) => s.name),
    byEnvironment,
    removed: [],
    removedByEnvironment: {},
    reasons,
    files: [],
    environments: environmentInfo(platform),
  };
}

/**
 * The stacks a change affects: what `nx show projects --affected` says for every
 * changed file except the platform config, plus, for the config, only the stacks
 * whose part of it changed. (Nx itself sees the config as one file that every
 * stack depends on, so `nx affected` alone plans every stack on any config edit.)
 */
export function affectedStacks(options: AffectedStacksOptions): AffectedStacks {
  const root = options.workspaceRoot;
  const configFile = options.configFile ?? DEFAULT_CONFIG_PATH;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  const mergeBase = git('merge-base', options.base, options.head ?? 'HEAD').trim();

  const files = new Set(lines(git('diff', '--name-only', '--no-renames', mergeBase, ...(options.head ? [options.head] : []))));
  if (!options.head) for (const f of lines(git('ls-files', '--others', '--exclude-standard'))) files.add(f);

  const headText = options.head ? gitShow(git, options.head, configFile) : readIfExists(join(root, configFile));
  if (headText === undefined) throw new Error(`${configFile} not found at ${options.head ?? 'the work tree'}`);
  const after = parsePlatformJson(headText, configFile);
  const names = new Set(after.stacks.map((s) => s.name));

  const reasons: Record<string, AffectedReason> = {};
  let removed: string[] = [];
  const removedByEnvironment: Record<string, string[]> = {};
  if (files.has(configFile)) {
    const before = parseOrUndefined(gitShow(git, mergeBase, configFile), `${configFile}@${mergeBase.slice(0, 7)}`);
    const diff = diffStackConfigs(before, after);
    for (const name of diff.changed) reasons[name] = 'config';
    for (const name of diff.added) reasons[name] = 'config (new stack)';
    removed = diff.removed;
    for (const stack of before?.stacks ?? []) if (removed.includes(stack.name)) (removedByEnvironment[stack.environment] ??= []).push(stack.name);
  }

  const otherFiles = [...files].filter((f) => f !== configFile);
  if (otherFiles.length > 0) {
    const nxAffected = options.nxAffected ?? ((changed) => runNxAffected(root, changed));
    for (const project of nxAffected(otherFiles)) {
      if (names.has(project) && !reasons[project]) reasons[project] = 'code';
    }
  }

  // As in the Nx graph: a regional stack depends on its global stack.
  for (const stack of after.stacks) {
    if (stack.globalStack && reasons[stack.globalStack] && !reasons[stack.name]) {
      reasons[stack.name] = 'depends on an affected stack';
    }
  }

  const stacks = after.stacks.filter((s) => reasons[s.name]);
  const byEnvironment: Record<string, string[]> = Object.fromEntries(Object.keys(after.config.environments).map((e) => [e, []]));
  for (const s of stacks) byEnvironment[s.environment].push(s.name);
  return {
    stacks: stacks.map((s) => s.name),
    byEnvironment,
    removed,
    removedByEnvironment,
    reasons,
    files: [...files].sort(),
    environments: environmentInfo(after),
  };
}

/** `nx show projects --affected` for an explicit list of changed files. */
export function runNxAffected(workspaceRoot: string, files: readonly string[]): string[] {
  const nx = nxBin(workspaceRoot);
  const out = execFileSync(process.execPath, [nx, 'show', 'projects', '--affected', '--stdin', '--json'], {
    cwd: workspaceRoot,
    input: files.join('\n'),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { NX_DAEMON: 'false', ...process.env },
  });
  return JSON.parse(out.slice(out.indexOf('['))) as string[];
}

/** The workspace's nx CLI script (package.json `bin`), run with this node. */
export function nxBin(workspaceRoot: string): string {
  const pkgJson = require.resolve('nx/package.json', { paths: [workspaceRoot] });
  const bin = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { bin: Record<string, string> }).bin.nx;
  return join(dirname(pkgJson), bin);
}

function gitShow(git: (...args: string[]) => string, rev: string, file: string): string | undefined {
  try {
    return git('show', `${rev}:${file}`);
  } catch {
    return undefined;
  }
}

function parseOrUndefined(text: string | undefined, source: string): Platform | undefined {
  if (text === undefined) return undefined;
  try {
    return parsePlatformJson(text, source);
  } catch {
    // An invalid old config cannot be compared with: every stack counts as changed.
    return undefined;
  }
}

function readIfExists(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}
