import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { createServiceTable, DynamoDbLocal, DynamoDbLocalError, findJava } from '@platform/dynamodb-local';

/** Props of {@link RegionTable.start}. */
export interface RegionTableProps {
  readonly region: string;
  readonly tableName: string;
  /** Directory for the region's database file; created if missing. */
  readonly dataDir: string;
  /** @default - a free port */
  readonly port?: number;
  /** Where `java` is looked up and the JVM runs. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * JVM options. Small heap and the serial collector: several of these run on one
   * (possibly 2-core) machine next to the tests.
   * @default ['-Xmx384m', '-XX:+UseSerialGC']
   */
  readonly jvmOptions?: readonly string[];
  /** @default 60000 */
  readonly startTimeoutMs?: number;
}

/** SDK client settings for the replication and the health of one region's table. */
const CLIENT_TIMEOUTS = { connectionTimeout: 1000, requestTimeout: 3000 };

/**
 * One region's table replica: its own DynamoDB Local, holding the service table
 * (created from the shared table definition, stream NEW_AND_OLD_IMAGES on) in a
 * database file on disk rather than in memory, so that the region can be failed
 * ({@link kill}) and come back with its items and its stream, which is what a region
 * that recovers in AWS still has.
 */
export class RegionTable {
  /** Starts DynamoDB Local for the region and creates the service table in it. */
  static async start(props: RegionTableProps): Promise<RegionTable> {
    const dbPath = join(props.dataDir, 'db');
    mkdirSync(dbPath, { recursive: true });
    const server = await launch(props, dbPath, props.port);
    const table = new RegionTable(props, dbPath, server);
    try {
      await createServiceTable(table.client, props.tableName);
      const { Table } = await table.client.send(new DescribeTableCommand({ TableName: props.tableName }));
      if (!Table?.LatestStreamArn) throw new Error(`the table ${props.tableName} in ${props.region} has no stream`);
      table.streamArn = Table.LatestStreamArn;
      return table;
    } catch (err) {
      await table.stop();
      throw err;
    }
  }

  readonly region: string;
  readonly tableName: string;
  /** Directory of the region's database file. */
  readonly dataDir: string;
  /** Base URL of the region's DynamoDB (and DynamoDB Streams) endpoint. */
  readonly endpoint: string;
  readonly port: number;
  /** Client for the replication: one attempt, short timeouts (a dead region must fail fast). */
  readonly client: DynamoDBClient;
  readonly streamsClient: DynamoDBStreamsClient;
  /** ARN of the table's stream; the same after a restart. */
  streamArn = '';
  private killed = false;

  private constructor(
    private readonly props: RegionTableProps,
    private readonly dbPath: string,
    private server: DynamoDbLocal,
  ) {
    this.region = props.region;
    this.tableName = props.tableName;
    this.dataDir = props.dataDir;
    this.port = server.port;
    this.endpoint = server.endpoint;
    const config = {
      endpoint: this.endpoint,
      region: props.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
      requestHandler: CLIENT_TIMEOUTS,
    };
    this.client = new DynamoDBClient(config);
    this.streamsClient = new DynamoDBStreamsClient(config);
  }

  /** True while the JVM runs. */
  get isRunning(): boolean {
    return !this.killed && this.server.isRunning;
  }

  /** Process id of the JVM's watchdog (leader of the JVM's process group). */
  get pid(): number | undefined {
    return this.server.pid;
  }

  /**
   * Fails the table as a region outage does: it stops answering at once and comes back
   * ({@link restart}) with every write it acknowledged, as a global table's replica does.
   *
   * The JVM gets SIGTERM, not SIGKILL: DynamoDB Local answers a write a moment before
   * the write is in its database file, so a SIGKILL right after an answer loses that
   * acknowledged write (measured: the last acknowledged write was gone after the
   * restart in 7 of 12 and 3 of 10 rounds of SIGKILL during continuous writes, two
   * runs; 0 of 12 with SIGTERM; `region-table.test.ts` keeps checking it). An AWS region never loses a
   * write it acknowledged, so a SIGKILL here would fail the region in a way AWS does
   * not. The region's API process, which holds the requests in flight, still gets
   * SIGKILL.
   */
  async kill(): Promise<void> {
    this.killed = true;
    await this.server.stop();
  }

  /** Starts the JVM again on the same port and database file: items and stream come back. */
  async restart(): Promise<void> {
    if (this.server.isRunning) return;
    this.server = await launch(this.props, this.dbPath, this.port);
    this.killed = false;
  }

  /** Stops the JVM and the clients. Safe to call more than once. */
  async stop(): Promise<void> {
    this.client.destroy();
    this.streamsClient.destroy();
    await this.server.stop();
  }
}

async function launch(props: RegionTableProps, dbPath: string, port: number | undefined): Promise<DynamoDbLocal> {
  const env = props.env ?? process.env;
  return DynamoDbLocal.start({
    port,
    javaPath: requireJava(env),
    env,
    // On disk, so a killed region comes back with its items and its stream.
    dbPath,
    jvmOptions: props.jvmOptions ?? ['-Xmx384m', '-XX:+UseSerialGC'],
    startTimeoutMs: props.startTimeoutMs ?? 60_000,
  });
}

/**
 * The `java` executable ($JAVA_HOME/bin/java, else the PATH), or a
 * {@link DynamoDbLocalError} `java_not_found` that says how to install one.
 */
export function requireJava(env: NodeJS.ProcessEnv = process.env): string {
  const found = findJava(env);
  if (found) return found;
  throw new DynamoDbLocalError(
    'java_not_found',
    'The local topology runs one DynamoDB Local per region, which needs a Java runtime (11 or later), but no `java` was found ' +
      'on the PATH or in $JAVA_HOME/bin. Install one (Debian/Ubuntu: `apt-get install -y default-jre-headless`; macOS: `brew install openjdk`) ' +
      'or point JAVA_HOME at an existing JDK/JRE, then run it again.',
  );
}
