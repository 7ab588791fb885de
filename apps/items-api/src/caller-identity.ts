import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/**
 * The caller's subject (`sub`) as the region's JWT authorizer validated it, from
 * `requestContext.authorizer.jwt.claims`. Nothing a client sends as a header (an
 * `x-user` or the like) is ever read: only API Gateway writes the request context.
 * Undefined on open routes and for services without auth.
 */
export function callerSubject(event: APIGatewayProxyEventV2): string | undefined {
  const context = event?.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } } | undefined;
  const sub = context?.authorizer?.jwt?.claims?.sub;
  return typeof sub === 'string' && sub !== '' ? sub : undefined;
}
