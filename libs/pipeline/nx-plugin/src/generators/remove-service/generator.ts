import { createProjectGraphAsync, type ProjectGraph, type Tree } from '@nx/devkit';
import { ConfigError, DEFAULT_CONFIG_PATH, type Platform, parsePlatformJson, UserError } from '@platform/config';
import { CODEOWNERS_PATH, renderCodeowners } from '../../codeowners';
import { findOrphans, orphanDestroyPath, STATEFUL_ORPHANS_NOTE } from '../../orphans';
import { removeServiceEntry } from '../service/config-text';
import { removeDocsReferences } from './docs-references';
import { ownLibraries } from './own-libraries';

/** Options of `nx g @platform/nx-plugin:remove-service`. */
export interface RemoveServiceOptions {
  /** The service, as named under `services` in the platform config. */
  readonly name: string;
}

/** What the generator reads besides the tree. */
export interface RemoveServiceDependencies {
  /** @default - the workspace's project graph, as Nx computes it */
  readonly projectGraph?: () => Promise<ProjectGraph>;
}

const TSCONFIG_BASE = 'tsconfig.base.json';

/**
 * Removes a service: its entry in the platform config (the rest of the file untouched),
 * its app and the libraries only it uses (by the Nx project graph), their path aliases,
 * its CODEOWNERS lines and its pages in docs/, then prints the stacks it leaves in AWS,
 * per environment in destroy order, and how they get destroyed (the orphans flow).
 * Everything is checked before anything is written; a problem is one line.
 */
export async function removeServiceGenerator(tree: Tree, options: RemoveServiceOptions, deps: RemoveServiceDependencies = {}): Promise<() => void> {
  const unknown = Object.keys(options).filter((k) => k !== 'name');
  if (unknown.length > 0) fail(`unknown option ${unknown.map((k) => `--${k}`).join(', ')}; the only option is the service name (and Nx's --dry-run)`);
  const name = String(options.name ?? '').trim();
  if (!name) fail('name the service to remove: nx g @platform/nx-plugin:remove-service <name>');
  const configText = tree.read(DEFAULT_CONFIG_PATH, 'utf-8');
  if (configText === null) fail(`${DEFAULT_CONFIG_PATH} not found; run the generator from the workspace root`);
  const before = parse(configText, DEFAULT_CONFIG_PATH);
  const service = before.services.find((s) => s.name === name);
  if (!service) fail(`no service "${name}" in ${DEFAULT_CONFIG_PATH}; the services are: ${before.services.map((s) => s.name).join(', ') || 'none'}`);
  const after = parse(removeServiceEntry(configText, name), `${DEFAULT_CONFIG_PATH} without services.${name}`);
  const graph = await (deps.projectGraph ?? (() => createProjectGraphAsync({ exitOnError: false })))();
  const libraries = graph.nodes[service.app] ? ownLibraries(graph, service.app) : { own: [], shared: [] };
  const otherUsers = Object.values(graph.nodes)
    .filter((n) => !n.data.tags?.includes('type:stack') && (graph.dependencies[n.name] ?? []).some((d) => d.target === service.app))
    .map((n) => n.name);
  if (otherUsers.length > 0) fail(`${otherUsers.join(', ')} import${otherUsers.length === 1 ? 's' : ''} the app ${service.app}; make ${otherUsers.length === 1 ? 'it' : 'them'} stop before removing ${name}`);

  const roots = [graph.nodes[service.app]?.data.root ?? `apps/${service.app}`, ...libraries.own.map((lib) => graph.nodes[lib]!.data.root)];
  for (const root of roots) if (tree.exists(root)) tree.delete(root);
  const aliases = removePathAliases(tree, roots);
  tree.write(DEFAULT_CONFIG_PATH, removeServiceEntry(configText, name));
  tree.write(CODEOWNERS_PATH, renderCodeowners(after));
  const docs = removeDocsReferences(tree, name, service.app);

  const environments = [...new Set(before.stacks.filter((s) => s.service === name).map((s) => s.environment))];
  const orphans = await Promise.all(environments.map(async (environment) => ({ environment, orphans: await findOrphans({ platform: after, base: before, environment }) })));
  return () => {
    const print = (line: string) => console.log(line);
    print(`removed service ${name}: services.${name} from ${DEFAULT_CONFIG_PATH}, ${roots.join(', ')}${aliases.length ? `, path alias ${aliases.join(', ')}` : ''}; ${CODEOWNERS_PATH} rewritten`);
    for (const lib of libraries.shared) print(`kept ${lib.name}: ${lib.usedBy.join(', ')} use${lib.usedBy.length === 1 ? 's' : ''} it too`);
    if (docs.deleted.length) print(`deleted ${docs.deleted.join(', ')}${docs.unlinked.length ? `; links to them are plain text now in ${docs.unlinked.join(', ')}` : ''}`);
    if (docs.mentions.length) print(`still mentioned (edit by hand): ${docs.mentions.slice(0, 20).join(', ')}${docs.mentions.length > 20 ? `, and ${docs.mentions.length - 20} more` : ''}`);
    print(`its stacks stay in AWS until destroyed; in destroy order:`);
    for (const { environment, orphans: list } of orphans) {
      print(`  ${environment}: ${list.map((o, i) => `${i + 1}. ${o.stack} (${o.layer})`).join(', ')}`);
      print(`    ${orphanDestroyPath(environment)}`);
    }
    print(`  ${STATEFUL_ORPHANS_NOTE}`);
    print(`next: commit this and open a pull request; its plan comment lists these stacks per environment (npm run orphans -- --env <env>), and a maintainer adds the label destroy-orphans:<env> for each environment whose stacks may go.`);
  };
}

function parse(text: string, source: string): Platform {
  try {
    return parsePlatformJson(text, source);
  } catch (err) {
    if (err instanceof ConfigError) fail(`${source} is not a valid config: ${err.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    throw err;
  }
}

/** Drops the path aliases of tsconfig.base.json that point into `roots`; returns them. */
function removePathAliases(tree: Tree, roots: readonly string[]): string[] {
  const text = tree.read(TSCONFIG_BASE, 'utf-8');
  if (text === null) return [];
  const tsconfig = JSON.parse(text) as { compilerOptions?: { paths?: Record<string, string[]> } };
  const paths = tsconfig.compilerOptions?.paths ?? {};
  const gone = Object.keys(paths).filter((alias) => paths[alias]!.some((target) => roots.some((root) => target.replace(/^\.\//, '').startsWith(`${root}/`))));
  if (gone.length === 0) return [];
  for (const alias of gone) delete paths[alias];
  tree.write(TSCONFIG_BASE, `${JSON.stringify(tsconfig, null, 2)}\n`);
  return gone;
}

function fail(message: string): never {
  throw new UserError(`remove-service: ${message}`);
}

export default removeServiceGenerator;
