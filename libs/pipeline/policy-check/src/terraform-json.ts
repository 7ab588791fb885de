import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UserError } from '@platform/config';

/** Which program made a stack: the platform (`npm run synth`) or the bootstrap. */
export type StackKind = 'platform' | 'bootstrap';

/** A suppression written where the resource is defined (see `suppressPolicyRule` in @platform/constructs). */
export interface InlineSuppression {
  readonly rule: string;
  readonly reason: string;
}

/** One resource of a synthesized stack. */
export interface TfResource {
  readonly stack: string;
  readonly kind: StackKind;
  readonly type: string;
  /** Logical name in the Terraform JSON. */
  readonly name: string;
  /** `<type>.<name>`, the Terraform address. */
  readonly address: string;
  /** Construct path (`<stack>/<construct>/...`), where the resource is defined. */
  readonly path: string;
  /** The file the stack was read from, for reports (relative to the working directory). */
  readonly file: string;
  readonly values: Readonly<Record<string, unknown>>;
  readonly suppressions: readonly InlineSuppression[];
}

/** One synthesized stack. */
export interface TfStack {
  readonly name: string;
  readonly kind: StackKind;
  readonly file: string;
  readonly resources: readonly TfResource[];
}

/** The key under a resource's `//` comment that holds its inline suppressions. */
export const SUPPRESSIONS_KEY = 'policy_suppressions';

/** Reads one stack's Terraform JSON (already parsed). */
export function stackFromJson(name: string, kind: StackKind, json: unknown, file = `${name}/cdk.tf.json`): TfStack {
  const resources: TfResource[] = [];
  const byType = ((json as { resource?: Record<string, Record<string, Record<string, unknown>>> }).resource ?? {}) as Record<
    string,
    Record<string, Record<string, unknown>>
  >;
  for (const [type, byName] of Object.entries(byType)) {
    for (const [resourceName, values] of Object.entries(byName)) {
      const comment = (values['//'] ?? {}) as { metadata?: { path?: string }; [SUPPRESSIONS_KEY]?: InlineSuppression[] };
      resources.push({
        stack: name,
        kind,
        type,
        name: resourceName,
        address: `${type}.${resourceName}`,
        path: comment.metadata?.path ?? `${name}/${resourceName}`,
        file,
        values,
        suppressions: comment[SUPPRESSIONS_KEY] ?? [],
      });
    }
  }
  return { name, kind, file, resources };
}

/** Reads every stack of a cdktf output folder (its `manifest.json`). */
export function readSynthOutput(outdir: string, kind: StackKind): TfStack[] {
  const manifestFile = join(outdir, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new UserError(`${manifestFile} not found: synthesize first (${kind === 'platform' ? 'npm run synth' : 'npx nx run bootstrap:synth'})`);
  }
  let manifest: { stacks?: Record<string, { synthesizedStackPath: string }> };
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  } catch (err) {
    throw new UserError(`${manifestFile}: not JSON (${(err as Error).message})`);
  }
  return Object.entries(manifest.stacks ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, s]) => {
      const file = join(outdir, s.synthesizedStackPath);
      return stackFromJson(name, kind, JSON.parse(readFileSync(file, 'utf8')), relative(process.cwd(), file));
    });
}

/** The names of the resources of `type` a value refers to (`${type.name.attr}`). */
export function referencedNames(value: unknown, type: string): string[] {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  const re = new RegExp(`\\$\\{${type}\\.([\\w-]+)\\.`, 'g');
  return [...text.matchAll(re)].map((m) => m[1]);
}
