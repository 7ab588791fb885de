// A deliberately bad bundle of items-api for the rollout fault test: the real handler,
// except that 3 requests in 10 (not the health check, which stays green: the alarm,
// not the health check, must catch this) answer 500. Every answer it gives carries
// `x-bundle: faulty`, so a client can count what the bad bundle served, and where.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { handler as real } from '../../../../../apps/items-api/src/main';

export const FAULTY_BUNDLE_HEADER = 'x-bundle';
let requests = 0;

export async function handler(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> {
  const mark = { [FAULTY_BUNDLE_HEADER]: 'faulty' };
  if (event.rawPath !== '/health' && requests++ % 10 < 3) {
    return { statusCode: 500, headers: { 'content-type': 'application/json', ...mark }, body: JSON.stringify({ error: { code: 'faulty_bundle', message: 'a deliberately bad bundle' } }) };
  }
  const result = await real(event, context);
  return { ...result, headers: { ...result.headers, ...mark } };
}
