/**
 * Stateful parts that live as nested blocks of a resource, so that removing one is an
 * in-place `update` of the resource and not a delete: a DynamoDB global table's
 * replica in a region (the region's copy of the data goes with it) is the platform's.
 * Per resource type: the block, and the attribute that names one element.
 */
export const NESTED_STATEFUL_BLOCKS: Readonly<Record<string, readonly { readonly block: string; readonly key: string }[]>> = Object.freeze({
  aws_dynamodb_table: [{ block: 'replica', key: 'region_name' }],
  aws_rds_global_cluster: [{ block: 'global_cluster_members', key: 'db_cluster_arn' }],
});

function elements(value: unknown, block: string, key: string): Set<string> {
  const list = value && typeof value === 'object' ? (value as Record<string, unknown>)[block] : undefined;
  const names = new Set<string>();
  for (const item of Array.isArray(list) ? list : []) {
    const name = item && typeof item === 'object' ? (item as Record<string, unknown>)[key] : undefined;
    if (typeof name === 'string') names.add(name);
  }
  return names;
}

/**
 * The nested stateful parts an update removes, as `<block>[<name>]`, e.g.
 * `replica[eu-west-1]`. Empty for types without such parts.
 */
export function removedNestedParts(type: string, before: unknown, after: unknown): string[] {
  const removed: string[] = [];
  for (const { block, key } of NESTED_STATEFUL_BLOCKS[type] ?? []) {
    const kept = elements(after, block, key);
    for (const name of elements(before, block, key)) if (!kept.has(name)) removed.push(`${block}[${name}]`);
  }
  return removed;
}
