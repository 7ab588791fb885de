import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';

// Placeholder until the service's real handler lands: answers /health and
// 501 for everything else, so the stacks have a deployable artifact.
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {
  const json = { 'content-type': 'application/json' };
  if (event.rawPath === '/health') {
    return { statusCode: 200, headers: json, body: JSON.stringify({ status: 'ok', region: process.env.AWS_REGION }) };
  }
  return {
    statusCode: 501,
    headers: json,
    body: JSON.stringify({ error: { code: 'not_implemented', message: 'this service has no handler yet' } }),
  };
}
