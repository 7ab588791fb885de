// Child process of the load benchmark: serves one handler over HTTP through the
// LocalHttpAdapter and reports its URL over IPC.
//   handler: the built Lambda bundle (dist/apps/items-api/index.js), as deployed
//   direct:  the same DynamoDB operations written directly against the SDK, no
//            routing, validation, logging or error mapping: the floor the handler is
//            compared with.
// Both go through the same adapter, so its cost cancels out of the comparison.
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { LocalHttpAdapter, type HttpApiHandler } from '../src/local-http-adapter';

const root = resolve(__dirname, '../../..');

function directHandler(): HttpApiHandler {
  const table = process.env.TABLE_NAME;
  // Same client settings as src/main.ts; the endpoint comes from AWS_ENDPOINT_URL_DYNAMODB.
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: process.env.AWS_REGION, maxAttempts: 3, requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 } }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  // The item key layout of @items/data-access (ITEM#<id> / ITEM).
  const key = (event: APIGatewayProxyEventV2) => ({ pk: `ITEM#${event.rawPath.slice('/items/'.length)}`, sk: 'ITEM' });
  return async (event): Promise<APIGatewayProxyStructuredResultV2> => {
    if (event.requestContext.http.method === 'GET') {
      const res = await doc.send(new GetCommand({ TableName: table, Key: key(event), ConsistentRead: true }));
      return { statusCode: res.Item ? 200 : 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify(res.Item ?? {}) };
    }
    const body = JSON.parse(event.body ?? '{}');
    const now = new Date().toISOString();
    const res = await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: key(event),
        UpdateExpression: 'SET #name = :name, #description = :description, #tags = :tags, #attributes = :attributes, #version = #version + :one, #updatedAt = :now, #updatedRegion = :region',
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: {
          '#pk': 'pk',
          '#name': 'name',
          '#description': 'description',
          '#tags': 'tags',
          '#attributes': 'attributes',
          '#version': 'version',
          '#updatedAt': 'updatedAt',
          '#updatedRegion': 'updatedRegion',
        },
        ExpressionAttributeValues: {
          ':name': body.name,
          ':description': body.description,
          ':tags': body.tags,
          ':attributes': body.attributes,
          ':one': 1,
          ':now': now,
          ':region': process.env.AWS_REGION,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(res.Attributes) };
  };
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  const inner: HttpApiHandler =
    mode === 'handler' ? (require(join(root, 'dist/apps/items-api/index.js')) as { handler: HttpApiHandler }).handler : directHandler();
  let served = 0;
  const handler: HttpApiHandler = (event, context) => {
    served++;
    return inner(event, context);
  };
  // The parent asks for CPU time and requests served to compute CPU per request,
  // which, unlike latency, does not grow when other processes compete for the CPU.
  process.on('message', (m: { type?: string }) => {
    if (m?.type === 'stats') process.send?.({ type: 'stats', cpu: process.cpuUsage(), served });
  });
  const adapter = await LocalHttpAdapter.start(handler);
  // Exit through process.exit so that exit hooks (e.g. --cpu-prof) run.
  process.once('SIGTERM', () => adapter.close().finally(() => process.exit(0)));
  process.send?.({ type: 'ready', url: adapter.url });
}

main().catch((err: unknown) => {
  process.stderr.write(`serve: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
