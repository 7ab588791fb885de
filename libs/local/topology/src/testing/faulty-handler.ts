// A deliberately bad bundle for the rollout fault test: /health stays green (the alarm,
// not the health check, must catch this), 3 requests in 10 answer 500 and the rest 200
// with an empty page. Every answer carries `x-bundle: faulty`, so a client can count
// what the bad bundle served, and where. It imports no app: dev tooling depends on none.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export const FAULTY_BUNDLE_HEADER = 'x-bundle';
let requests = 0;

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const headers = { 'content-type': 'application/json', [FAULTY_BUNDLE_HEADER]: 'faulty' };
  if (event.rawPath === '/health') return { statusCode: 200, headers, body: JSON.stringify({ status: 'ok' }) };
  if (requests++ % 10 < 3) {
    return { statusCode: 500, headers, body: JSON.stringify({ error: { code: 'faulty_bundle', message: 'a deliberately bad bundle' } }) };
  }
  return { statusCode: 200, headers, body: JSON.stringify({ items: [] }) };
}
