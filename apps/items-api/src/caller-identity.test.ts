import { toApiGatewayEvent } from '@platform/lambda-http-adapter';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ItemsApiFixture, invoke } from './testing/items-api-fixture';
import { callerSubject } from './caller-identity';

jest.setTimeout(60_000);

/** An event as API Gateway sends it after the JWT authorizer allowed it. */
function authorized(sub: string, method: string, path: string, json?: unknown, headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  const event = toApiGatewayEvent({ method, path, headers: { 'content-type': 'application/json', ...headers }, body: json === undefined ? undefined : JSON.stringify(json) });
  return { ...event, requestContext: { ...event.requestContext, authorizer: { jwt: { claims: { sub, iss: 'https://login.example.com/' }, scopes: ['items:write'] } } } } as APIGatewayProxyEventV2;
}

describe('callerSubject', () => {
  it('reads sub from the authorizer context only, never from a header', () => {
    expect(callerSubject(authorized('alice', 'GET', '/items', undefined, { 'x-user': 'mallory' }))).toBe('alice');
    expect(callerSubject(toApiGatewayEvent({ method: 'GET', path: '/items', headers: { 'x-user': 'mallory', 'x-amzn-oidc-identity': 'mallory' } }))).toBeUndefined();
  });
});

describe('createdBy / updatedBy over DynamoDB Local', () => {
  let fixture: ItemsApiFixture;
  beforeAll(async () => {
    fixture = await ItemsApiFixture.start();
  });
  afterAll(async () => {
    await fixture?.stop();
  });

  it('records the token subject as createdBy and updatedBy, ignoring a forged x-user header', async () => {
    const api = fixture.api({ tableName: await fixture.newTable() });
    const created = await invoke(api, authorized('alice', 'POST', '/items', { name: 'lamp' }, { 'x-user': 'mallory' }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ createdBy: 'alice', updatedBy: 'alice' });

    const replaced = await invoke(api, authorized('bob', 'PUT', `/items/${created.body.id}`, { name: 'lamp 2' }, { 'if-match': '"1"' }));
    expect(replaced.body).toMatchObject({ createdBy: 'alice', updatedBy: 'bob', version: 2 });

    const patched = await invoke(api, authorized('carol', 'PATCH', `/items/${created.body.id}`, { description: 'desk' }, { 'if-match': '"2"' }));
    expect(patched.body).toMatchObject({ createdBy: 'alice', updatedBy: 'carol', version: 3 });
  });
});
