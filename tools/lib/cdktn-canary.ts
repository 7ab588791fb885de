// The pure half of `npm run canary:cdktn` (tools/canary-cdktn.ts): how the copy's
// package.json and imports are swapped from cdktf to CDK Terrain (cdktn), and how the
// Terraform JSON synthesized by each is compared. The CDK Terrain upgrade guide
// (https://cdktn.io/docs/release/upgrade-guide-v0-22) says the move is renames only:
// packages and imports; cdktf.json, cdktf.out, CDKTF_* variables, logical IDs and state
// stay. So any difference but the ones named in EXPECTED_DIFFERENCES is a finding.

/** The packages the canary moves to, and the constructs release both accept. */
export interface CdktnVersions {
  readonly cdktn: string;
  readonly providerAws: string;
  /** cdktn 0.24 and @cdktn/provider-aws 25 ask for constructs >=10.6.0 <10.8.0. */
  readonly constructs: string;
}

/** Package renames of the upgrade guide that this workspace needs (its only prebuilt provider is AWS). */
export const PACKAGE_RENAMES: Readonly<Record<string, string>> = {
  cdktf: 'cdktn',
  '@cdktf/provider-aws': '@cdktn/provider-aws',
};

interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * package.json with cdktf and @cdktf/provider-aws replaced by cdktn and
 * @cdktn/provider-aws, constructs set to a release both accept, and cdktf-cli
 * removed: synth never starts the CLI, and keeping it would install cdktf again, so a
 * missed import would still resolve. A team swaps it for cdktn-cli (see docs/cdktn-migration.md).
 */
export function swapPackageJson(pkg: PackageJson, versions: CdktnVersions): PackageJson {
  const deps = { ...pkg.dependencies };
  const devDeps = { ...pkg.devDependencies };
  for (const [from, to] of Object.entries(PACKAGE_RENAMES)) {
    if (!(from in deps)) throw new Error(`package.json has no dependency "${from}" to swap for "${to}"`);
    delete deps[from];
  }
  deps.cdktn = versions.cdktn;
  deps['@cdktn/provider-aws'] = versions.providerAws;
  deps.constructs = versions.constructs;
  delete devDeps['cdktf-cli'];
  const sorted = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
  return { ...pkg, dependencies: sorted(deps), devDependencies: sorted(devDeps) };
}

// A quoted module name that is exactly cdktf or @cdktf/provider-aws, or a path inside
// one ('cdktf/lib/...'): never 'cdktf.out', 'cdktf.json' or 'cdktf-platform'.
const SPECIFIER = /(['"`])(cdktf|@cdktf\/provider-aws)((?:\/[^'"`\s]*)?)\1/g;

/** `source` with every cdktf / @cdktf/provider-aws module name renamed, and how many were. */
export function rewriteImports(source: string): { readonly text: string; readonly count: number } {
  let count = 0;
  const text = source.replace(SPECIFIER, (_m, quote: string, name: string, rest: string) => {
    count++;
    return `${quote}${PACKAGE_RENAMES[name]}${rest}${quote}`;
  });
  return { text, count };
}

/** Files whose module names the canary rewrites (sources, and project.json externalDependencies). */
export const rewritesFile = (file: string): boolean => /\.(?:[cm]?[jt]s|json)$/.test(file) && !file.endsWith('package-lock.json') && !file.endsWith('package.json');

/** One leaf at which two JSON documents differ; `undefined` is "absent on that side". */
export interface JsonDifference {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

const segment = (key: string, inArray: boolean) => (inArray ? `[${key}]` : /^[A-Za-z_][\w-]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);

/**
 * Every leaf at which `before` and `after` differ, by JSON path (`terraform.required_providers.aws.version`,
 * `["//"].metadata.version`, `resource.aws_s3_bucket.b[0]`). Object key order is ignored: it means
 * nothing to Terraform; array order is kept.
 */
export function diffJson(before: unknown, after: unknown, at = ''): JsonDifference[] {
  if (Object.is(before, after)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (isObj(before) && isObj(after) && Array.isArray(before) === Array.isArray(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => diffJson(before[k], after[k], `${at}${segment(k, Array.isArray(before))}`));
  }
  return [{ path: at.replace(/^\./, '') || '.', before, after }];
}

/** A difference the move to cdktn is known to make, by name. */
export interface ExpectedDifference {
  readonly name: string;
  readonly why: string;
  /** Whether a difference in a file of `kind` is this one. */
  matches(kind: OutputKind, d: JsonDifference): boolean;
}

/** Which output a file is: a platform or bootstrap stack's Terraform JSON, or the rest. */
export type OutputKind = 'stack' | 'manifest' | 'other';

const bothStrings = (d: JsonDifference) => typeof d.before === 'string' && typeof d.after === 'string';

/** The only differences the canary passes; everything else is a finding. */
export const EXPECTED_DIFFERENCES: readonly ExpectedDifference[] = [
  {
    name: 'provider version constraint',
    why: 'each prebuilt provider pins the hashicorp/aws release it was generated from (@cdktf/provider-aws 21.22.1: 6.25.0; @cdktn/provider-aws 25.7.0: 6.66.0)',
    matches: (kind, d) => kind === 'stack' && /^terraform\.required_providers\.[\w-]+\.version$/.test(d.path) && bothStrings(d),
  },
  {
    name: 'provider source address in full',
    why:
      'cdktn writes "hashicorp/aws" where cdktf wrote "aws"; Terraform reads both as registry.terraform.io/hashicorp/aws ' +
      '(https://developer.hashicorp.com/terraform/internals/provider-registry-protocol#provider-addresses), the address state records',
    matches: (kind, d) => {
      const name = /^terraform\.required_providers\.([\w-]+)\.source$/.exec(d.path)?.[1];
      return kind === 'stack' && name !== undefined && d.before === name && d.after === `hashicorp/${name}`;
    },
  },
  {
    name: 'framework metadata',
    why: 'the framework release that wrote the file, in the stacks\' "//" block (Terraform ignores "//") and in manifest.json (read by the cdktf/cdktn CLI only)',
    matches: (kind, d) => bothStrings(d) && ((kind === 'stack' && d.path === '["//"].metadata.version') || (kind === 'manifest' && d.path === 'version')),
  },
];

/** A difference, with the expected difference it is, or none (a finding). */
export interface ClassifiedDifference extends JsonDifference {
  readonly file: string;
  readonly expected?: ExpectedDifference;
}

/** Which output `file` (relative to an output folder, e.g. `platform/stacks/x/cdk.tf.json`) is. */
export function outputKind(file: string): OutputKind {
  if (/(^|\/)stacks\/[^/]+\/cdk\.tf\.json$/.test(file)) return 'stack';
  if (/(^|\/)manifest\.json$/.test(file)) return 'manifest';
  return 'other';
}

/** Names each difference of `file` as expected, or leaves it a finding. */
export function classify(file: string, differences: readonly JsonDifference[]): ClassifiedDifference[] {
  const kind = outputKind(file);
  return differences.map((d) => ({ ...d, file, expected: EXPECTED_DIFFERENCES.find((e) => e.matches(kind, d)) }));
}

/** An output file as the comparison sees it: parsed JSON, or raw bytes for the rest (zips). */
export type OutputFile = { readonly json: unknown } | { readonly bytes: Buffer };

/** Every difference between two output trees (file → content), classified. */
export function compareOutputs(before: ReadonlyMap<string, OutputFile>, after: ReadonlyMap<string, OutputFile>): ClassifiedDifference[] {
  const files = [...new Set([...before.keys(), ...after.keys()])].sort();
  return files.flatMap((file): ClassifiedDifference[] => {
    const [a, b] = [before.get(file), after.get(file)];
    if (!a || !b) return [{ file, path: '(file)', before: a ? 'present' : undefined, after: b ? 'present' : undefined }];
    if ('json' in a && 'json' in b) return classify(file, diffJson(a.json, b.json));
    if ('bytes' in a && 'bytes' in b && a.bytes.equals(b.bytes)) return [];
    return [{ file, path: '(bytes)', before: 'bytes' in a ? `${a.bytes.length} bytes` : 'JSON', after: 'bytes' in b ? `${b.bytes.length} bytes` : 'JSON' }];
  });
}

const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v).slice(0, 200));

/** The report: each expected difference once with its count and values, then every finding. */
export function formatReport(differences: readonly ClassifiedDifference[], files: number): string[] {
  const lines: string[] = [];
  for (const e of EXPECTED_DIFFERENCES) {
    const hits = differences.filter((d) => d.expected === e);
    if (hits.length === 0) continue;
    const changes = [...new Set(hits.map((d) => `${show(d.before)} -> ${show(d.after)}`))].join(', ');
    lines.push(`expected: ${e.name} in ${new Set(hits.map((d) => d.file)).size} files (${changes}): ${e.why}`);
  }
  const findings = differences.filter((d) => !d.expected);
  for (const f of findings) lines.push(`finding: ${f.file} ${f.path}: ${show(f.before)} -> ${show(f.after)}`);
  lines.push(
    findings.length === 0
      ? `canary:cdktn: pass: ${files} files compared; only the expected differences`
      : `canary:cdktn: ${findings.length} finding${findings.length === 1 ? '' : 's'} in ${files} files compared`,
  );
  return lines;
}
