import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { OrderCache, OrdersDatabase, OrdersRepository } from '@orders/data-access';
import { OriginGuard } from '@platform/service-runtime';
import { elastiCacheCredentials } from '@platform/service-runtime/cache';
import { readRelationalEnvironment } from '@platform/service-runtime/relational';
import { iamAuthToken } from './iam-auth-token';
import { OrdersApi } from './orders-api';

// Runs once per cold start: the pools and cache clients live in module scope and are
// reused by every invocation of this instance. Nothing connects until the first
// request, and no migration runs here (that is the deploy-time `orders-api:migrate`).

const config = readRelationalEnvironment(process.env, 'orders');
const db = config.database;

const database = new OrdersDatabase({
  writer: db.writer,
  reader: db.reader,
  database: db.name,
  user: db.user,
  // Locally a password; in AWS an IAM token per new connection, signed for the endpoint's region.
  password: db.password ?? iamAuthToken({ user: db.user, region: config.region }),
  ssl: db.password === undefined,
  writeRouting: db.writeRouting,
  poolSize: db.password === undefined ? 2 : 8,
});
// In AWS the cache takes an IAM token (signed for the replication group the client
// connects to, reused for 10 of its 15 minutes) over TLS; locally no auth. Only the
// primary region has a writer: elsewhere the cache is read-only.
const c = config.cache;
const cache = c
  ? new OrderCache({
      readerUrl: c.readerUrl,
      ...(c.writes ? { writerUrl: c.writerUrl } : {}),
      ttlSeconds: c.ttlSeconds,
      ...(c.iam ? { credentials: elastiCacheCredentials({ ...c.iam, region: config.region, writerRegion: c.writerRegion ?? config.region }) } : {}),
    })
  : undefined;

const api = new OrdersApi({
  repository: new OrdersRepository({ database, cache, idempotencyTtlSeconds: db.idempotencyTtlSeconds }),
  database,
  cache,
  region: config.region,
  logger: new Logger({ serviceName: config.serviceName }),
});

// A request that did not come through the edge (CloudFront adds the origin secret) gets
// 403 before any database or cache call, as in every other service.
const originGuard = new OriginGuard(config.originSecrets);

/** The Lambda entry point (`index.handler` in the bundle); async, the only kind nodejs24.x runs (stacks/lambda-runtime.test.ts). */
export async function handler(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> {
  return originGuard.check(event) ?? api.handle(event, context);
}
