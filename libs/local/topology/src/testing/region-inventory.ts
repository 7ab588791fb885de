import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Image } from '../write-stamp';

/** An item as the API returns it. */
export interface ApiItem {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  readonly updatedAt: string;
  readonly updatedRegion: string;
  readonly attributes?: Record<string, string | number | boolean>;
}

/** Every item of a region, read through its own API (GET /items, page by page). */
export async function listItems(apiUrl: string, headers: Readonly<Record<string, string>> = {}): Promise<ApiItem[]> {
  const items: ApiItem[] = [];
  let cursor: string | undefined;
  do {
    const url = new URL('/items', apiUrl);
    url.searchParams.set('limit', '100');
    if (cursor) url.searchParams.set('cursor', cursor);
    const res = await fetch(url, { headers });
    if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
    const page = (await res.json()) as { items: ApiItem[]; nextCursor?: string };
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** Every record of a table (items and idempotency records), sorted by key: for comparing regions. */
export async function scanRecords(client: DynamoDBClient, tableName: string): Promise<Image[]> {
  const records: Image[] = [];
  let start: Image | undefined;
  do {
    const res = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }));
    records.push(...((res.Items ?? []) as Image[]));
    start = res.LastEvaluatedKey as Image | undefined;
  } while (start);
  const key = (r: Image) => `${r.pk?.S}\u0000${r.sk?.S}`;
  return records.sort((a, b) => key(a).localeCompare(key(b)));
}
