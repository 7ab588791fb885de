import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { readServiceEnvironment } from '@platform/service-runtime';
import { createCatalogApi } from './catalog-api';

// Runs once per cold start: only what every request needs.
const env = readServiceEnvironment(process.env, 'catalog');

const api = createCatalogApi({
  // Bounded per attempt so a stuck connection becomes a 503, not a Lambda timeout.
  client: new DynamoDBClient({ region: env.region, maxAttempts: 3, requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 } }),
  tableName: env.tableName,
  region: env.region,
  logger: new Logger({ serviceName: env.serviceName }),
  healthTimeoutMs: env.healthTimeoutMs,
});

/** The Lambda entry point (`index.handler` in the bundle). */
export function handler(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> {
  return api.handle(event, context);
}
