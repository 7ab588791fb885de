// The floor of the load benchmark: GET and PUT /items/{id} done directly with the
// DynamoDB document client, with no routing, validation, logging or error mapping.
// Bundled with the same esbuild settings as the real handler, so the two differ only
// in the handler's own code.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

const table = process.env.TABLE_NAME;
// Same client settings as src/main.ts; the endpoint comes from AWS_ENDPOINT_URL_DYNAMODB.
const doc = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region: process.env.AWS_REGION, maxAttempts: 3, requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 } }),
  { marshallOptions: { removeUndefinedValues: true } },
);

// The item key layout of @items/data-access (ITEM#<id> / ITEM).
function key(event: APIGatewayProxyEventV2): Record<string, string> {
  return { pk: `ITEM#${event.rawPath.slice('/items/'.length)}`, sk: 'ITEM' };
}

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  if (event.requestContext.http.method === 'GET') {
    const res = await doc.send(new GetCommand({ TableName: table, Key: key(event), ConsistentRead: true }));
    return { statusCode: res.Item ? 200 : 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify(res.Item ?? {}) };
  }
  const body = JSON.parse(event.body ?? '{}');
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
        ':now': new Date().toISOString(),
        ':region': process.env.AWS_REGION,
      },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(res.Attributes) };
}
