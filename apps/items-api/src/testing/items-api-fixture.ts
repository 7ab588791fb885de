import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { ItemsRepository, type ItemsRepositoryProps } from '@items/data-access';
import { createServiceTable, DynamoDbLocal, localClientConfig } from '@platform/dynamodb-local';
import { localLambdaContext, toApiGatewayEvent, type PlainHttpRequest } from '@platform/lambda-http-adapter';
import { CachePolicy } from '../cache-policy';
import type { PathInvalidator } from '../cloudfront-invalidator';
import { ItemsApi, type ItemsApiProps } from '../items-api';
import type { EdgeCacheMode } from '../service-config';

export const REGION = 'eu-central-1';

/** A response as a test sees it. */
export interface TestResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Parsed JSON body, or undefined when there is none. */
  readonly body: any;
}

/** Options of {@link ItemsApiFixture.api}. */
export interface TestApiOptions {
  readonly tableName: string;
  readonly cacheMode?: EdgeCacheMode;
  readonly ttlSeconds?: number;
  readonly invalidator?: PathInvalidator;
  readonly logger?: Logger;
  /** @default - the fixture's client to DynamoDB Local */
  readonly client?: DynamoDBClient;
  readonly healthTimeoutMs?: number;
  readonly repository?: Partial<ItemsRepositoryProps>;
  readonly requestLog?: ItemsApiProps['requestLog'];
}

/**
 * DynamoDB Local plus helpers to build an {@link ItemsApi} on a fresh service table
 * and to call it with real API Gateway v2 events. One per test file.
 */
export class ItemsApiFixture {
  static async start(): Promise<ItemsApiFixture> {
    const server = await DynamoDbLocal.start();
    return new ItemsApiFixture(server, new DynamoDBClient(localClientConfig({ endpoint: server.endpoint, region: REGION })));
  }

  private tables = 0;
  readonly doc: DynamoDBDocumentClient;

  private constructor(
    readonly server: DynamoDbLocal,
    readonly client: DynamoDBClient,
  ) {
    this.doc = DynamoDBDocumentClient.from(client);
  }

  /** A new, empty table created from the shared table definition. */
  async newTable(): Promise<string> {
    const name = `items-${++this.tables}`;
    await createServiceTable(this.client, name);
    return name;
  }

  api(options: TestApiOptions): ItemsApi {
    const props: ItemsApiProps = {
      repository: new ItemsRepository({ client: options.client ?? this.client, tableName: options.tableName, region: REGION, ...options.repository }),
      region: REGION,
      cachePolicy: new CachePolicy(options.cacheMode ?? 'ttl', options.ttlSeconds ?? 60),
      invalidator: options.invalidator,
      logger: options.logger ?? new Logger({ serviceName: 'items', logLevel: 'SILENT' }),
      healthTimeoutMs: options.healthTimeoutMs,
      requestLog: options.requestLog,
    };
    return new ItemsApi(props);
  }

  /** Every record in the table, to prove a request wrote nothing. */
  async records(tableName: string): Promise<Record<string, unknown>[]> {
    const res = await this.doc.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
    return (res.Items ?? []).sort((a, b) => String(a.pk).localeCompare(String(b.pk)));
  }

  async stop(): Promise<void> {
    this.client.destroy();
    await this.server.stop();
  }
}

/** Sends one request through the handler as API Gateway would. */
export async function call(api: ItemsApi, method: string, path: string, options: Omit<PlainHttpRequest, 'method' | 'path'> & { json?: unknown } = {}): Promise<TestResponse> {
  const headers: Record<string, string> = { ...(options.json !== undefined ? { 'content-type': 'application/json' } : {}), ...(options.headers as Record<string, string>) };
  const [rawPath, query = options.query ?? ''] = path.split('?');
  const event = toApiGatewayEvent({ method, path: rawPath, query, headers, body: options.json !== undefined ? JSON.stringify(options.json) : options.body });
  return invoke(api, event);
}

/** Sends a hand-made event through the handler. */
export async function invoke(api: ItemsApi, event: APIGatewayProxyEventV2, context: Context = localLambdaContext()): Promise<TestResponse> {
  const result = await api.handle(event, context);
  const outHeaders: Record<string, string> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) outHeaders[k.toLowerCase()] = String(v);
  return { status: result.statusCode ?? 200, headers: outHeaders, body: result.body ? JSON.parse(result.body) : undefined };
}
