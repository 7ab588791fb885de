import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ItemsRepository } from '@items/data-access';
import { OriginGuard, RequestLogSampler } from '@platform/service-runtime';
import { CachePolicy } from './cache-policy';
import { CloudFrontInvalidator } from './cloudfront-invalidator';
import { ItemsApi } from './items-api';
import { readServiceConfig } from './service-config';

// Everything here runs once per cold start, so it holds only what every request
// needs: the DynamoDB client, the logger and the validation schema. The CloudFront
// client is loaded by CloudFrontInvalidator on the first write in invalidate mode.

const config = readServiceConfig(process.env);

const client = new DynamoDBClient({
  region: config.region,
  // Bounded per attempt so a stuck connection becomes a 503, not a Lambda timeout.
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 },
});

const api = new ItemsApi({
  repository: new ItemsRepository({ client, tableName: config.tableName, region: config.region }),
  region: config.region,
  cachePolicy: new CachePolicy(config.edgeCacheMode, config.edgeCacheTtlSeconds),
  invalidator: config.distributionId && config.edgeCacheMode === 'invalidate' ? new CloudFrontInvalidator({ distributionId: config.distributionId }) : undefined,
  logger: new Logger({ serviceName: config.serviceName }),
  requestLog: new RequestLogSampler(config.requestLog),
  healthTimeoutMs: config.healthTimeoutMs,
});

const originGuard = new OriginGuard(config.originSecrets);

/** The Lambda entry point (`index.handler` in the bundle). */
export async function handler(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> {
  return originGuard.check(event) ?? api.handle(event, context);
}
