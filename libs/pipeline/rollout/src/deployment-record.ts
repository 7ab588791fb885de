// The last commit each stack of an environment was deployed from successfully: what a
// failed wave rolls back to. The pipeline keeps the file between runs (see
// .github/workflows/deploy-environment.yml); a stack without an entry has never
// deployed through the rollout and cannot be rolled back.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { UserError } from '@platform/config';

/** One stack's last good deploy. */
export interface DeployedStack {
  readonly commit: string;
  /** ISO time the apply finished. */
  readonly at: string;
}

/** Where the last good commit of each stack is kept. */
export interface DeploymentRecord {
  lastGood(stack: string): DeployedStack | undefined;
  recordSuccess(stacks: readonly string[], commit: string, at: Date): void;
}

/** A {@link DeploymentRecord} in one JSON file per environment (`{ "<stack>": { commit, at } }`). */
export class FileDeploymentRecord implements DeploymentRecord {
  private readonly entries: Record<string, DeployedStack>;

  constructor(private readonly file: string) {
    this.entries = {};
    if (!existsSync(file)) return;
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      for (const [stack, entry] of Object.entries(parsed as Record<string, DeployedStack>)) {
        if (typeof entry?.commit !== 'string' || !/^[0-9a-f]{7,40}$/.test(entry.commit)) throw new Error(`entry "${stack}" has no commit`);
        this.entries[stack] = { commit: entry.commit, at: String(entry.at) };
      }
    } catch (err) {
      throw new UserError(`${file}: not a deployment record (${(err as Error).message}); restore it from the last deploy run's artifact or delete it`);
    }
  }

  lastGood(stack: string): DeployedStack | undefined {
    return this.entries[stack];
  }

  /** Every stack's entry (a copy), e.g. to merge records. */
  all(): Record<string, DeployedStack> {
    return { ...this.entries };
  }

  recordSuccess(stacks: readonly string[], commit: string, at: Date): void {
    for (const s of stacks) this.entries[s] = { commit, at: at.toISOString() };
    mkdirSync(path.dirname(this.file), { recursive: true });
    // Written whole to a temporary file and renamed: a killed job never leaves half a record.
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.entries, null, 2)}\n`);
    renameSync(tmp, this.file);
  }
}

/** A {@link DeploymentRecord} in memory (tests, the local rollout). */
export class MemoryDeploymentRecord implements DeploymentRecord {
  readonly entries = new Map<string, DeployedStack>();

  constructor(initial: Record<string, string> = {}) {
    for (const [stack, commit] of Object.entries(initial)) this.entries.set(stack, { commit, at: new Date(0).toISOString() });
  }

  lastGood(stack: string): DeployedStack | undefined {
    return this.entries.get(stack);
  }

  recordSuccess(stacks: readonly string[], commit: string, at: Date): void {
    for (const s of stacks) this.entries.set(s, { commit, at: at.toISOString() });
  }
}
