import { ConfigError } from './config-error';
import { parsePlatform, serviceContract } from '.';
import { platformFixture, type ServiceInput } from './testing/platform-fixture';

function withItems(items: ServiceInput) {
  return platformFixture({ services: { items } });
}

function problems(service: ServiceInput): string[] {
  try {
    parsePlatform(withItems(service), 'test.json');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  throw new Error('config was accepted');
}

const external = { issuer: 'https://login.example.com/', audiences: ['https://items.example.com'] };
const identity = (output: string) => `<${output}>`;

describe('auth config: bad input fails with one line naming the path', () => {
  it('rejects an issuer that is not an https URL', () => {
    expect(problems({ auth: { ...external, issuer: 'http://login.example.com/' } })).toEqual([
      expect.stringMatching(/^services\.items\.auth\.issuer: issuer must be an https URL .*got "http:\/\/login\.example\.com\/"/),
    ]);
  });

  it('rejects an empty audience list', () => {
    expect(problems({ auth: { ...external, audiences: [] } })).toEqual([expect.stringMatching(/^services\.items\.auth\.audiences: audiences must list at least one audience/)]);
  });

  it('rejects scopes for a route the service does not declare', () => {
    expect(problems({ auth: { ...external, routes: ['GET /items'], scopes: { 'DELETE /things/{id}': ['items:write'] } } })).toEqual([
      expect.stringMatching(/^services\.items\.auth\.scopes\.DELETE \/things\/\{id\}: scopes for unknown route "DELETE \/things\/\{id\}"/),
    ]);
  });

  it('rejects the old string form with how to migrate', () => {
    expect(problems({ auth: 'authorization-header' as never })).toEqual([expect.stringMatching(/^services\.items\.auth: auth is an object now: .*"authorization-header" is the old form/)]);
  });

  it('rejects turning auth off without a reason', () => {
    expect(problems({ auth: { required: false } })).toEqual([expect.stringMatching(/^services\.items\.auth\.reason: auth\.required is false but no reason is given/)]);
  });

  it('rejects an issuer without audiences', () => {
    expect(problems({ auth: { issuer: external.issuer } })).toEqual([expect.stringMatching(/^services\.items\.auth\.audiences: auth\.issuer is https:\/\/login\.example\.com\/ but auth\.audiences is missing/)]);
  });

  it('rejects the health check path among the authorized routes', () => {
    expect(problems({ auth: { ...external, routes: ['GET /health'] } })).toEqual([expect.stringMatching(/^services\.items\.auth\.routes\[0\]: "GET \/health" is the health check path/)]);
  });

  it('rejects a service name Cognito would refuse in its domain prefix', () => {
    expect(() => parsePlatform(platformFixture({ services: { 'aws-bridge': {} } }), 'test.json')).toThrow(
      /services\.aws-bridge: Cognito domain prefix "acme-aws-bridge-\w+" must not contain "aws", "amazon" or "cognito" \(reserved words\), which AWS refuses \(https:\/\/docs\.aws\.amazon\.com\/[^)]+\); change the service name "aws-bridge"/,
    );
  });

  it('rejects a web ACL opt-out without a reason', () => {
    expect(problems({ waf: { enabled: false } })).toEqual([expect.stringMatching(/^services\.items\.waf\.reason: /)]);
  });
});

describe('auth in the service contract', () => {
  it('requires auth for a new service, with a Cognito pool of the primary region as issuer', () => {
    const contract = serviceContract(parsePlatform(withItems({})).config, 'items', 'dev');
    const auth = contract.authorization(identity);
    expect(auth).toMatchObject({ required: true, cognito: true, issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/<user_pool_id>', audiences: ['<user_pool_client_id>'] });
    expect(auth.routes).toEqual([
      { routeKey: 'GET /health', authorized: false, scopes: [] },
      { routeKey: '$default', authorized: true, scopes: [] },
    ]);
  });

  it('gives each declared route its own scopes, else its method\'s, and health stays open', () => {
    const config = parsePlatform(
      withItems({ auth: { ...external, routes: ['GET /items/{id}', 'DELETE /items/{id}'], scopes: { GET: ['items:read'], POST: ['items:write'], 'DELETE /items/{id}': ['items:admin'] } } }),
    ).config;
    const auth = serviceContract(config, 'items', 'dev').authorization(identity);
    expect(auth.issuer).toBe('https://login.example.com/');
    expect(auth.routes).toEqual([
      { routeKey: 'GET /health', authorized: false, scopes: [] },
      { routeKey: 'GET /items/{id}', authorized: true, scopes: ['items:read'] },
      { routeKey: 'DELETE /items/{id}', authorized: true, scopes: ['items:admin'] },
      { routeKey: 'GET /{proxy+}', authorized: true, scopes: ['items:read'] },
      { routeKey: 'POST /{proxy+}', authorized: true, scopes: ['items:write'] },
      { routeKey: '$default', authorized: true, scopes: [] },
    ]);
  });

  it('prefixes scopes with the resource server for Cognito tokens', () => {
    const config = parsePlatform(withItems({ auth: { cognito: {}, scopes: { POST: ['items:write'] } } })).config;
    const route = serviceContract(config, 'items', 'dev').authorization(identity).routes.find((r) => r.routeKey === 'POST /{proxy+}');
    expect(route?.scopes).toEqual(['items/items:write']);
  });

  it('opens every route of a service that turned auth off (with a reason)', () => {
    const config = parsePlatform(withItems({ auth: { required: false, reason: 'public catalogue' } })).config;
    expect(serviceContract(config, 'items', 'dev').authorization(identity).routes.every((r) => !r.authorized)).toBe(true);
  });

  it('hands the accepted origin secret values to the function', () => {
    const env = serviceContract(parsePlatform(withItems({})).config, 'items', 'dev').lambdaEnvironment('eu-west-1', identity);
    expect(env.ORIGIN_SECRETS).toBe('<origin_secret_accepted>');
  });
});
