import type { Tree } from '@nx/devkit';
import { ConfigError, DEFAULT_CONFIG_PATH, OWNER_PATTERN, parsePlatformJson, UserError } from '@platform/config';
import { CODEOWNERS_PATH, renderCodeowners } from '../../codeowners';
import { insertServiceEntry } from './config-text';
import { noDataAppFiles } from './none-templates';
import { relationalFiles } from './relational-templates';
import { appFiles, serviceNames, type ServiceNames } from './templates';

/** Where a service keeps its records. */
export type DataLayer = 'dynamodb' | 'aurora' | 'none';

/** Options of `nx g @platform/nx-plugin:service`. */
export interface ServiceGeneratorOptions {
  /** 2-24 lower-case letters, digits and hyphens, starting with a letter. */
  readonly name: string;
  /** @default "dynamodb" */
  readonly data?: string;
  /** The cache layer beside Aurora (only with `data: "aurora"`). @default false */
  readonly cache?: boolean;
  /** Comma-separated `@org/team` / `@user`. @default - none */
  readonly owners?: string;
}

const KNOWN_OPTIONS = new Set(['name', 'data', 'cache', 'owners']);
const DATA_LAYERS: readonly DataLayer[] = ['dynamodb', 'aurora', 'none'];
const NAME = /^[a-z][a-z0-9-]*[a-z0-9]$/;
const MAX_NAME = 24;
/** The Aurora PostgreSQL version a generated service starts on (one that can start a global database). */
export const GENERATED_AURORA = { engine: 'aurora-postgresql', engineVersion: '16.4' } as const;
const TSCONFIG_BASE = 'tsconfig.base.json';

type ConfigText = { services?: Record<string, ServiceEntry>; environments?: Record<string, { regions?: string[]; network?: Record<string, unknown> }> };
interface ServiceEntry {
  readonly app?: string;
  readonly environments?: string[];
  readonly table?: { readonly enabled?: boolean };
  readonly aurora?: unknown;
  readonly cache?: unknown;
}

/**
 * Creates a service: its app in `apps/<name>-api` on the service runtime (and, on
 * Aurora, its data-access library with the first migration and the app's `migrate`
 * target), its entry in the platform config (the rest of the file untouched) and its
 * CODEOWNERS lines. Every input is checked, and the config with the new service
 * validated, before anything is written; a problem is one line and leaves the tree as it was.
 */
export async function serviceGenerator(tree: Tree, options: ServiceGeneratorOptions): Promise<() => void> {
  const unknown = Object.keys(options).filter((k) => !KNOWN_OPTIONS.has(k));
  if (unknown.length > 0) fail(`unknown option ${unknown.map((k) => `--${k}`).join(', ')}; the options are --name, --data, --cache, --owners (and Nx's --dry-run)`);
  const name = String(options.name ?? '').trim();
  if (!name) fail('give the service a name: --name=<name>');
  if (name.length > MAX_NAME) fail(`service name "${name}" is ${name.length} characters; at most ${MAX_NAME} (it is part of stack, table, role and bucket names)`);
  if (!NAME.test(name)) fail(`service name "${name}" must be lower-case letters, digits and hyphens, start with a letter and not end with a hyphen (e.g. "catalog")`);
  const data = (options.data ?? 'dynamodb') as DataLayer;
  if (!DATA_LAYERS.includes(data)) fail(`unknown --data "${options.data}"; the generator knows: ${DATA_LAYERS.join(', ')}`);
  const cache = options.cache === true || String(options.cache) === 'true';
  if (cache && data !== 'aurora') fail(`--cache is the cache beside an Aurora database (cache-aside reads); use it with --data=aurora, not --data=${data}`);
  const owners = (options.owners ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  const badOwner = owners.find((o) => !OWNER_PATTERN.test(o));
  if (badOwner !== undefined) fail(`owner "${badOwner}" must be a GitHub team "@org/team" or user "@user"`);

  const names = serviceNames(name);
  const configText = tree.read(DEFAULT_CONFIG_PATH, 'utf-8');
  if (configText === null) fail(`${DEFAULT_CONFIG_PATH} not found; run the generator from the workspace root`);
  const current = JSON.parse(configText) as ConfigText;
  const configured = current.services && Object.prototype.hasOwnProperty.call(current.services, name) ? current.services[name] : undefined;
  if (configured && tree.exists(`apps/${configured.app ?? names.app}`)) fail(`service "${name}" already exists (${DEFAULT_CONFIG_PATH} and apps/${configured.app ?? names.app})`);
  if (tree.exists(`apps/${names.app}`)) fail(`apps/${names.app} already exists; pick another name or remove it first`);
  if (data === 'aurora' && tree.exists(names.libDir)) fail(`${names.libDir} already exists; pick another name or remove it first`);
  // A service already in the config without its app: create the app only, of the kind its entry is.
  if (configured && (configured.app ?? names.app) !== names.app) fail(`services.${name}.app is "${configured.app}"; the generator creates apps/${names.app}: remove the app field or rename it`);
  if (configured && owners.length > 0) fail(`service "${name}" is already in ${DEFAULT_CONFIG_PATH}: set services.${name}.owners there instead of --owners`);
  if (configured && kindOf(configured) !== kindName(data, cache)) {
    fail(`services.${name} in ${DEFAULT_CONFIG_PATH} is a service on ${kindOf(configured)}; run the generator with the options that make one (${optionsFor(kindOf(configured))})`);
  }

  const placement = data === 'aurora' ? environmentsWithNetwork(current) : undefined;
  if (placement && placement.with.length === 0) {
    fail(
      `--data=aurora runs the database${cache ? ', the cache' : ''} and the Lambda in a VPC's private subnets, which the platform looks up and never creates, and no environment names one in every region ` +
        `(${placement.without.map((w) => `${w.environment}: ${w.missing.join(', ')}`).join('; ')}); add environments.<env>.network.<region> = { "vpc": {...}, "privateSubnets": {...} } (docs/data-layers.md) and run the generator again`,
    );
  }
  const entry = configEntry(names, data, cache, owners, placement && placement.without.length > 0 ? placement.with : undefined);
  const nextText = configured ? configText : insertServiceEntry(configText, name, entry);
  let platform;
  try {
    platform = parsePlatformJson(nextText, DEFAULT_CONFIG_PATH);
  } catch (err) {
    if (err instanceof ConfigError) fail(`service "${name}" would make the config invalid: ${err.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    throw err;
  }

  const written: string[] = [`apps/${names.app}`];
  if (data === 'aurora') {
    for (const [file, content] of Object.entries(relationalFiles(names, { cache, migrationTimestamp: Date.now() }))) tree.write(file, content);
    addPathAlias(tree, names);
    written.push(names.libDir);
  } else {
    const files = data === 'none' ? noDataAppFiles(names) : appFiles(names);
    for (const [file, content] of Object.entries(files)) tree.write(`apps/${names.app}/${file}`, content);
  }
  if (nextText !== configText) tree.write(DEFAULT_CONFIG_PATH, nextText);
  tree.write(CODEOWNERS_PATH, renderCodeowners(platform));
  const stacks = platform.stacks.filter((s) => s.service === name).length;
  return () => {
    console.log(`service ${name} (${kindName(data, cache)}): ${written.join(', ')}, ${stacks} stacks in ${DEFAULT_CONFIG_PATH}, ${CODEOWNERS_PATH} updated`);
    for (const w of placement?.without ?? []) {
      console.log(
        `not in ${w.environment}: it has no network for ${w.missing.join(', ')}; add environments.${w.environment}.network.<region> (docs/data-layers.md), then add "${w.environment}" to services.${name}.environments`,
      );
    }
    console.log(`next: npm run build -- ${names.app} && npm run synth && npx nx run ${names.app}:test${data === 'aurora' ? ` && npx nx run ${names.libProject}:test` : ''}`);
  };
}

/**
 * The config entry: the app and owners; with Aurora, the database (and the cache) and
 * no DynamoDB table; with no data, no table either; so synth builds exactly what the
 * app uses. `environments` limits an Aurora service to those with a network.
 */
function configEntry(n: ServiceNames, data: DataLayer, cache: boolean, owners: readonly string[], environments: readonly string[] | undefined): ServiceEntry & Record<string, unknown> {
  return {
    app: n.app,
    ...(owners.length > 0 ? { owners } : {}),
    ...(environments ? { environments: [...environments] } : {}),
    ...(data === 'dynamodb' ? {} : { table: { enabled: false } }),
    ...(data === 'aurora' ? { aurora: { ...GENERATED_AURORA } } : {}),
    ...(cache ? { cache: { engine: 'valkey' } } : {}),
  };
}

/** The environments whose every region names a network, and the others with the regions they lack. */
function environmentsWithNetwork(config: ConfigText): { with: string[]; without: { environment: string; missing: string[] }[] } {
  const result = { with: [] as string[], without: [] as { environment: string; missing: string[] }[] };
  for (const [environment, env] of Object.entries(config.environments ?? {})) {
    const missing = (env.regions ?? []).filter((r) => !env.network?.[r]);
    if (missing.length === 0) result.with.push(environment);
    else result.without.push({ environment, missing });
  }
  return result;
}

/** `@<name>/data-access` in tsconfig.base.json, where every library's alias is (Jest reads it too). */
function addPathAlias(tree: Tree, n: ServiceNames): void {
  const text = tree.read(TSCONFIG_BASE, 'utf-8');
  if (text === null) fail(`${TSCONFIG_BASE} not found; run the generator from the workspace root`);
  const tsconfig = JSON.parse(text) as { compilerOptions: { paths?: Record<string, string[]> } };
  const paths = (tsconfig.compilerOptions.paths ??= {});
  if (paths[n.libAlias]) fail(`${TSCONFIG_BASE} already has the path alias ${n.libAlias}; remove it or pick another name`);
  paths[n.libAlias] = [`./${n.libDir}/src/index.ts`];
  tree.write(TSCONFIG_BASE, `${JSON.stringify(tsconfig, null, 2)}\n`);
}

function kindName(data: DataLayer, cache: boolean): string {
  return data === 'aurora' ? (cache ? 'Aurora with a cache' : 'Aurora') : data === 'none' ? 'no data' : 'DynamoDB';
}

function kindOf(entry: ServiceEntry): string {
  if (entry.aurora) return kindName('aurora', Boolean(entry.cache));
  return entry.table?.enabled === false ? kindName('none', false) : kindName('dynamodb', false);
}

function optionsFor(kind: string): string {
  return { 'Aurora with a cache': '--data=aurora --cache', Aurora: '--data=aurora', 'no data': '--data=none', DynamoDB: '--data=dynamodb' }[kind] ?? '--data=dynamodb';
}

function fail(message: string): never {
  throw new UserError(`service generator: ${message}`);
}

export default serviceGenerator;
