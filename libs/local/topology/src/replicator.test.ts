import { DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, DeleteItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { createServiceTable, DynamoDbLocal, localClientConfig } from '@platform/dynamodb-local';
import { SERVICE_TABLE } from '@platform/table-definition';
import { ReplicaLedger } from './replica-ledger';
import type { ReplicaEndpoint, ReplicationEvent } from './replication-link';
import { Replicator } from './replicator';
import { VersionStamps } from './version-stamps';
import type { Image } from './write-stamp';

jest.setTimeout(60_000);

// Two "regions" as two tables of one DynamoDB Local: each table has its own stream,
// which is all the replication looks at, and the file needs only one JVM.
describe('Replicator', () => {
  let server: DynamoDbLocal;
  let client: DynamoDBClient;
  let streams: DynamoDBStreamsClient;
  let tables = 0;
  const running: Replicator[] = [];

  beforeAll(async () => {
    server = await DynamoDbLocal.start();
    client = new DynamoDBClient(localClientConfig({ endpoint: server.endpoint, region: 'eu-west-1' }));
    streams = new DynamoDBStreamsClient(localClientConfig({ endpoint: server.endpoint, region: 'eu-west-1' }));
  });
  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    client?.destroy();
    streams?.destroy();
    await server?.stop();
  });

  async function replica(region: string, versions: VersionStamps): Promise<ReplicaEndpoint> {
    const tableName = `items-${++tables}-${region}`;
    await createServiceTable(client, tableName);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return {
      region,
      tableName,
      client,
      streamsClient: streams,
      streamArn: Table!.LatestStreamArn!,
      keyAttributes: [SERVICE_TABLE.partitionKey, SERVICE_TABLE.sortKey],
      ledger: new ReplicaLedger({ region }),
      versions,
    };
  }

  async function pair(options: { delayMs?: number } = {}) {
    const versions = new VersionStamps();
    const a = await replica('eu-west-1', versions);
    const b = await replica('us-east-1', versions);
    const events: ReplicationEvent[] = [];
    const replicator = new Replicator({ replicas: [a, b], delayMs: options.delayMs, pollIntervalMs: 20, onEvent: (e) => events.push(e) });
    running.push(replicator);
    replicator.start();
    return { a, b, replicator, events };
  }

  function item(id: string, name: string, updatedAt: Date, version: number, region: string): Image {
    return {
      pk: { S: `ITEM#${id}` },
      sk: { S: 'ITEM' },
      id: { S: id },
      name: { S: name },
      version: { N: String(version) },
      createdAt: { S: '2030-01-01T00:00:00.000Z' },
      updatedAt: { S: updatedAt.toISOString() },
      updatedRegion: { S: region },
    };
  }

  const put = (r: ReplicaEndpoint, image: Image) => client.send(new PutItemCommand({ TableName: r.tableName, Item: image }));
  const get = async (r: ReplicaEndpoint, id: string) =>
    (await client.send(new GetItemCommand({ TableName: r.tableName, Key: { pk: { S: `ITEM#${id}` }, sk: { S: 'ITEM' } }, ConsistentRead: true }))).Item;
  const scan = async (r: ReplicaEndpoint) =>
    ((await client.send(new ScanCommand({ TableName: r.tableName, ConsistentRead: true }))).Items ?? []).sort((x, y) => x.pk.S!.localeCompare(y.pk.S!));

  it('copies a write to the other region and does not replicate the copy back', async () => {
    const { a, b, replicator, events } = await pair();
    const written = item('one', 'first', new Date(), 1, a.region);
    await put(a, written);
    await replicator.settle([a.region, b.region]);
    expect(await get(b, 'one')).toEqual(written);
    const [ab, ba] = replicator.stats();
    expect(ab).toMatchObject({ source: a.region, target: b.region, applied: 1, superseded: 0 });
    // The copy shows up in b's stream; b -> a recognises it as replicated and skips it.
    expect(ba).toMatchObject({ source: b.region, target: a.region, applied: 0, superseded: 0, skippedReplicated: 1 });
    expect(events.map((e) => `${e.source}>${e.target}:${e.outcome}`)).toEqual([`${a.region}>${b.region}:applied`]);
  });

  it('resolves concurrent writes to one item by last writer wins, the same in both regions', async () => {
    // A delay holds both writes back, so each region writes before it sees the other's.
    const { a, b, replicator } = await pair({ delayMs: 300 });
    const t0 = Date.now();
    await put(a, item('both', 'from a (first)', new Date(t0), 2, a.region));
    await put(b, item('both', 'from b (last)', new Date(t0 + 5), 2, b.region));
    await replicator.settle([a.region, b.region]);
    const inA = await get(a, 'both');
    const inB = await get(b, 'both');
    expect(inA).toEqual(inB);
    expect(inA?.name.S).toBe('from b (last)');
    const byLink = Object.fromEntries(replicator.stats().map((s) => [`${s.source}>${s.target}`, s]));
    expect(byLink[`${a.region}>${b.region}`]).toMatchObject({ applied: 0, superseded: 1 });
    expect(byLink[`${b.region}>${a.region}`]).toMatchObject({ applied: 1, superseded: 0 });
  });

  it('applies a change no earlier than the configured delay', async () => {
    const { a, b, replicator, events } = await pair({ delayMs: 400 });
    const started = Date.now();
    await put(a, item('late', 'x', new Date(started), 1, a.region));
    await new Promise((r) => setTimeout(r, 200));
    expect(await get(b, 'late')).toBeUndefined();
    await replicator.settle([a.region, b.region]);
    expect(await get(b, 'late')).toBeDefined();
    expect(events[0].at - started).toBeGreaterThanOrEqual(400);
    expect(events[0].lagMs).toBeGreaterThanOrEqual(400);
  });

  it('replicates deletes, and an older write arriving later does not bring the item back', async () => {
    const { a, b, replicator } = await pair({ delayMs: 300 });
    const t0 = Date.now();
    await put(a, item('gone', 'v1', new Date(t0), 1, a.region));
    await replicator.settle([a.region, b.region]);
    // b updates from its copy; a deletes after that, before b's update reaches it.
    await put(b, item('gone', 'v2 from b', new Date(Date.now()), 2, b.region));
    await new Promise((r) => setTimeout(r, 20));
    await client.send(new DeleteItemCommand({ TableName: a.tableName, Key: { pk: { S: 'ITEM#gone' }, sk: { S: 'ITEM' } } }));
    await replicator.settle([a.region, b.region]);
    expect(await get(a, 'gone')).toBeUndefined();
    expect(await get(b, 'gone')).toBeUndefined();
    expect(await scan(a)).toEqual(await scan(b));
  });

  it('keeps the commit order of one region when its writes recorded times out of order', async () => {
    // Two concurrent requests in one region: the one that read the clock first commits
    // last. Global tables stamp at commit, so every region must end with the last commit.
    const { a, b, replicator } = await pair();
    const t0 = Date.now();
    await put(a, item('race', 'committed first', new Date(t0 + 10), 5, a.region));
    await put(a, item('race', 'committed last', new Date(t0), 5, a.region));
    await replicator.settle([a.region, b.region]);
    expect((await get(b, 'race'))?.name.S).toBe('committed last');
    expect(await get(b, 'race')).toEqual(await get(a, 'race'));
  });

  it('sends nothing to or from a disconnected region, and catches it up once it is connected again', async () => {
    const { a, b, replicator } = await pair();
    await put(a, item('before', 'x', new Date(), 1, a.region));
    await replicator.settle([a.region, b.region]);
    await replicator.disconnect(b.region);
    await put(a, item('from-a', 'written while b was cut off', new Date(), 1, a.region));
    await put(b, item('from-b', 'written in b while it was cut off', new Date(), 1, b.region));
    // Many polls long: neither change crosses while b is cut off.
    await new Promise((r) => setTimeout(r, 400));
    expect(await get(b, 'from-a')).toBeUndefined();
    expect(await get(a, 'from-b')).toBeUndefined();
    replicator.reconnect(b.region);
    await replicator.settle([a.region, b.region]);
    expect(await get(b, 'from-a')).toBeDefined();
    expect(await get(a, 'from-b')).toBeDefined();
    expect(await scan(a)).toEqual(await scan(b));
  });

  it('converges under writers in both regions writing the same items', async () => {
    const { a, b, replicator } = await pair({ delayMs: 30 });
    const ids = ['k1', 'k2', 'k3'];
    const writer = async (r: ReplicaEndpoint, tag: string) => {
      for (let round = 1; round <= 15; round++) {
        for (const id of ids) await put(r, item(id, `${tag}-${round}`, new Date(), round, r.region));
        await new Promise((res) => setTimeout(res, 5 + Math.random() * 10));
      }
    };
    await Promise.all([writer(a, 'a'), writer(b, 'b')]);
    await replicator.settle([a.region, b.region]);
    const inA = await scan(a);
    expect(inA).toHaveLength(ids.length);
    expect(inA).toEqual(await scan(b));
  });
});
