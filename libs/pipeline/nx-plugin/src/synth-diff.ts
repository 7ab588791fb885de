import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Stacks whose synthesized Terraform differs between two synth outputs. */
export interface SynthDiff {
  /** In both, with different Terraform JSON (a resource, a provider, or the app's bundle hash in its asset path). */
  readonly changed: string[];
  /** Only in the head output. */
  readonly added: string[];
  /** Only in the base output: no longer in the config (see orphans). */
  readonly removed: string[];
  /** In both, byte-identical once parsed. */
  readonly unchanged: string[];
}

/**
 * The precise affected stacks: compares `stacks/<stack>/cdk.tf.json` of two synth
 * outputs (`cdktf.out`), parsed, so formatting is no change. An app change shows up
 * as a change of its Lambda asset path (named after the bundle's hash); a config edit
 * that leaves a stack's Terraform as it was (a region added elsewhere, a default
 * spelled out) does not make it affected.
 */
export function diffSynthOutputs(baseOutDir: string, headOutDir: string): SynthDiff {
  const base = stackFiles(baseOutDir);
  const head = stackFiles(headOutDir);
  const changed: string[] = [];
  const added: string[] = [];
  const unchanged: string[] = [];
  for (const [stack, file] of head) {
    const before = base.get(stack);
    if (before === undefined) added.push(stack);
    else if (canonical(before) !== canonical(file)) changed.push(stack);
    else unchanged.push(stack);
  }
  const removed = [...base.keys()].filter((s) => !head.has(s));
  return { changed: changed.sort(), added: added.sort(), removed: removed.sort(), unchanged: unchanged.sort() };
}

function stackFiles(outDir: string): Map<string, string> {
  const dir = join(outDir, 'stacks');
  if (!existsSync(dir)) throw new Error(`${dir} not found: synthesize first (npm run build && npm run synth)`);
  const files = new Map<string, string>();
  for (const stack of readdirSync(dir)) {
    const file = join(dir, stack, 'cdk.tf.json');
    if (existsSync(file)) files.set(stack, file);
  }
  return files;
}

function canonical(file: string): string {
  return JSON.stringify(JSON.parse(readFileSync(file, 'utf8')));
}
