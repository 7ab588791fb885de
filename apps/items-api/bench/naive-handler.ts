// The naive baseline of the cold-start benchmark: what a first version of the
// handler typically looks like. Both SDK clients are imported and created at init,
// whether or not a request will need them. Not deployed anywhere.
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: process.env.AWS_REGION }));
const cloudFront = new CloudFrontClient({ region: 'us-east-1' });

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const id = event.rawPath.split('/')[2];
  const res = await doc.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { pk: `ITEM#${id}`, sk: 'ITEM' } }));
  if (event.requestContext.http.method !== 'GET') {
    await cloudFront.send(new CreateInvalidationCommand({ DistributionId: 'X', InvalidationBatch: { CallerReference: id, Paths: { Quantity: 1, Items: [event.rawPath] } } }));
  }
  return res.Item ? { statusCode: 200, body: JSON.stringify(res.Item) } : { statusCode: 404, body: '{"error":{"code":"not_found"}}' };
}
