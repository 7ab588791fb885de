import type { Tree } from '@nx/devkit';
import { ConfigError, DEFAULT_CONFIG_PATH, OWNER_PATTERN, parsePlatformJson, UserError } from '@platform/config';
import { CODEOWNERS_PATH, renderCodeowners } from '../../codeowners';
import { insertServiceEntry } from './config-text';
import { appFiles, serviceNames } from './templates';

/** Options of `nx g @platform/nx-plugin:service`. */
export interface ServiceGeneratorOptions {
  /** 2-24 lower-case letters, digits and hyphens, starting with a letter. */
  readonly name: string;
  /** @default "dynamodb" */
  readonly data?: string;
  /** Comma-separated `@org/team` / `@user`. @default - none */
  readonly owners?: string;
}

const KNOWN_OPTIONS = new Set(['name', 'data', 'owners']);
const DATA_LAYERS = ['dynamodb'];
const NAME = /^[a-z][a-z0-9-]*[a-z0-9]$/;
const MAX_NAME = 24;

/**
 * Creates a service: its app in `apps/<name>-api` on the service runtime, its entry in
 * the platform config (the rest of the file untouched) and its CODEOWNERS lines. Every
 * input is checked, and the config with the new service validated, before anything is
 * written; a problem is one line and leaves the tree as it was.
 */
export async function serviceGenerator(tree: Tree, options: ServiceGeneratorOptions): Promise<() => void> {
  const unknown = Object.keys(options).filter((k) => !KNOWN_OPTIONS.has(k));
  if (unknown.length > 0) fail(`unknown option ${unknown.map((k) => `--${k}`).join(', ')}; the options are --name, --data, --owners (and Nx's --dry-run)`);
  const name = String(options.name ?? '').trim();
  if (!name) fail('give the service a name: --name=<name>');
  if (name.length > MAX_NAME) fail(`service name "${name}" is ${name.length} characters; at most ${MAX_NAME} (it is part of stack, table, role and bucket names)`);
  if (!NAME.test(name)) fail(`service name "${name}" must be lower-case letters, digits and hyphens, start with a letter and not end with a hyphen (e.g. "catalog")`);
  const data = options.data ?? 'dynamodb';
  if (!DATA_LAYERS.includes(data)) fail(`unknown --data "${data}"; the generator knows: ${DATA_LAYERS.join(', ')}`);
  const owners = (options.owners ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  const badOwner = owners.find((o) => !OWNER_PATTERN.test(o));
  if (badOwner !== undefined) fail(`owner "${badOwner}" must be a GitHub team "@org/team" or user "@user"`);

  const names = serviceNames(name);
  const configText = tree.read(DEFAULT_CONFIG_PATH, 'utf-8');
  if (configText === null) fail(`${DEFAULT_CONFIG_PATH} not found; run the generator from the workspace root`);
  const current = JSON.parse(configText) as { services?: Record<string, { app?: string }> };
  const configured = current.services && Object.prototype.hasOwnProperty.call(current.services, name) ? current.services[name] : undefined;
  if (configured && tree.exists(`apps/${configured.app ?? names.app}`)) fail(`service "${name}" already exists (${DEFAULT_CONFIG_PATH} and apps/${configured.app ?? names.app})`);
  if (tree.exists(`apps/${names.app}`)) fail(`apps/${names.app} already exists; pick another name or remove it first`);
  // A service already in the config without its app: create the app only.
  if (configured && (configured.app ?? names.app) !== names.app) fail(`services.${name}.app is "${configured.app}"; the generator creates apps/${names.app}: remove the app field or rename it`);
  if (configured && owners.length > 0) fail(`service "${name}" is already in ${DEFAULT_CONFIG_PATH}: set services.${name}.owners there instead of --owners`);

  const entry = { app: names.app, ...(owners.length > 0 ? { owners } : {}) };
  const nextText = configured ? configText : insertServiceEntry(configText, name, entry);
  let platform;
  try {
    platform = parsePlatformJson(nextText, DEFAULT_CONFIG_PATH);
  } catch (err) {
    if (err instanceof ConfigError) fail(`service "${name}" would make the config invalid: ${err.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    throw err;
  }

  for (const [file, content] of Object.entries(appFiles(names))) tree.write(`apps/${names.app}/${file}`, content);
  if (nextText !== configText) tree.write(DEFAULT_CONFIG_PATH, nextText);
  tree.write(CODEOWNERS_PATH, renderCodeowners(platform));
  const stacks = platform.stacks.filter((s) => s.service === name).length;
  return () => {
    console.log(`service ${name}: apps/${names.app}, ${stacks} stacks in ${DEFAULT_CONFIG_PATH}, ${CODEOWNERS_PATH} updated`);
    console.log(`next: npm run build -- ${names.app} && npm run synth && npx nx run ${names.app}:test`);
  };
}

function fail(message: string): never {
  throw new UserError(`service generator: ${message}`);
}

export default serviceGenerator;
