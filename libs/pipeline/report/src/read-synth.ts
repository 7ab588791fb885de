import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** One synthesized stack: its name, the tags its providers carry, its Terraform JSON. */
export interface SynthesizedStack {
  readonly name: string;
  readonly service: string;
  readonly environment: string;
  readonly layer: string;
  readonly tf: TerraformJson;
}

/** The parts of a cdk.tf.json the report reads. */
export interface TerraformJson {
  readonly provider?: { readonly aws?: readonly any[] };
  readonly resource?: Record<string, Record<string, any>>;
  readonly data?: Record<string, Record<string, any>>;
}

/** Reads every stack of a cdktf output directory (`cdktf.out`). */
export function readSynthesized(outdir: string): SynthesizedStack[] {
  let manifest: any;
  try {
    manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
  } catch {
    throw new Error(`no synthesized stacks in ${outdir}/ (manifest.json missing); run: npm run synth`);
  }
  return Object.values<any>(manifest.stacks).map((entry) => {
    const tf: TerraformJson = JSON.parse(readFileSync(path.join(outdir, entry.synthesizedStackPath), 'utf8'));
    const tags = tf.provider?.aws?.[0]?.default_tags?.[0]?.tags ?? {};
    return { name: entry.name, service: tags.service, environment: tags.environment, layer: tags.layer, tf };
  });
}

/** Every resource of `type` in a stack. */
export function resourcesOf(tf: TerraformJson, type: string): any[] {
  return Object.values(tf.resource?.[type] ?? {});
}

/** The region a resource runs in, from the provider alias it uses. */
export function regionOf(tf: TerraformJson, resource: { provider?: string }): string | undefined {
  const alias = resource.provider?.replace(/^aws\./, '');
  return tf.provider?.aws?.find((p) => p.alias === alias)?.region;
}
