import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { SERVICE_TABLE } from '@platform/table-definition';
import { createServiceTable, DynamoDbLocal, DynamoDbLocalError, localClientConfig } from './index';

jest.setTimeout(60_000);

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe('DynamoDbLocal', () => {
  describe('a started server', () => {
    let server: DynamoDbLocal;
    let client: DynamoDBClient;

    beforeAll(async () => {
      server = await DynamoDbLocal.start();
      client = new DynamoDBClient(localClientConfig({ endpoint: server.endpoint, region: 'eu-west-1' }));
    });
    afterAll(async () => {
      client?.destroy();
      await server?.stop();
    });

    it('listens on a loopback endpoint and answers the SDK', async () => {
      expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await client.send(new ListTablesCommand({}));
      expect(res.TableNames).toEqual([]);
    });

    it('creates the service table from the shared definition', async () => {
      await createServiceTable(client, 'items-test');
      const { Table } = await client.send(new DescribeTableCommand({ TableName: 'items-test' }));
      expect(Table?.KeySchema).toEqual([
        { AttributeName: SERVICE_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: SERVICE_TABLE.sortKey, KeyType: 'RANGE' },
      ]);
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: 'items-test' }));
      expect(ttl.TimeToLiveDescription?.AttributeName).toBe(SERVICE_TABLE.ttlAttribute);
    });

    it('shares one database across regions by default', async () => {
      const other = new DynamoDBClient(localClientConfig({ endpoint: server.endpoint, region: 'us-east-1' }));
      try {
        const res = await other.send(new ListTablesCommand({}));
        expect(res.TableNames).toContain('items-test');
      } finally {
        other.destroy();
      }
    });
  });

  it('stops the JVM and frees the port', async () => {
    const server = await DynamoDbLocal.start();
    const pgid = server.pid!;
    expect(groupAlive(pgid)).toBe(true);
    await server.stop();
    expect(server.isRunning).toBe(false);
    expect(groupAlive(pgid)).toBe(false);
    await expect(DynamoDbLocal.start({ port: server.port }).then((s) => s.stop())).resolves.toBeUndefined();
  });

  it('leaves no JVM behind when the process that started it is killed', async () => {
    // tools/run-ts.mjs runs the script in its own process (no grandchild), so killing
    // the child kills the process that owns the server.
    const child = spawn(process.execPath, ['tools/run-ts.mjs', join(__dirname, 'testing', 'start-and-wait.ts')], {
      cwd: join(__dirname, '../../../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]);
      });
      child.once('exit', (code) => reject(new Error(`fixture exited with ${code}: ${stderr}`)));
    });
    const { pgid } = JSON.parse(line) as { pgid: number };
    try {
      expect(groupAlive(pgid)).toBe(true);
      child.kill('SIGKILL');
      expect(await waitUntil(() => !groupAlive(pgid), 15_000)).toBe(true);
    } finally {
      if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
      child.stdout.destroy();
      child.stderr.destroy();
    }
  });

  it('says how to install Java when there is none', async () => {
    const emptyDir = mkdtempSync(join(tmpdir(), 'no-java-'));
    try {
      const err = await DynamoDbLocal.start({ env: { PATH: emptyDir } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DynamoDbLocalError);
      expect((err as DynamoDbLocalError).code).toBe('java_not_found');
      expect((err as Error).message).toContain('apt-get install -y default-jre-headless');
    } finally {
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });

  it('refuses a port that is in use, naming it', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, r));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(DynamoDbLocal.start({ port })).rejects.toThrow(new RegExp(`port ${port}: the port is in use`));
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});
