import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CognitoIssuer } from './cognito-issuer';
import { EdgeWebAcl } from './edge-web-acl';
import { JwtAuthorizer } from './jwt-authorizer';
import { OriginSecret } from './origin-secret';
import { RegionalApi, type RegionalApiProps } from './regional-api';
import { SecurityHeadersPolicy } from './security-headers-policy';
import { only, resources, synth, testStack } from './test-helpers';

const zipDir = mkdtempSync(path.join(tmpdir(), 'auth-constructs-'));
const zipPath = path.join(zipDir, 'lambda.zip');
writeFileSync(zipPath, 'not really a zip');

function apiIn(overrides: Partial<RegionalApiProps> = {}) {
  const stack = testStack(['us-east-1']);
  const api = new RegionalApi(stack, 'api', {
    provider: stack.provider('us-east-1'),
    region: 'us-east-1',
    functionName: 'svc-test',
    roleName: 'svc-test-us-east-1-api',
    artifact: { zipPath, sha256: 'c2hhMjU2LW9mLXRoZS16aXA=' },
    ...overrides,
  });
  return { stack, api, tf: () => synth(stack) };
}

const jwt = { name: 'svc-test-jwt', issuer: 'https://login.example.com/', audiences: ['svc'] };

describe('RegionalApi with routes and a JWT authorizer', () => {
  it('keeps one open $default route and the execute-api endpoint off by default', () => {
    const tf = apiIn().tf();
    expect(only(tf, 'aws_apigatewayv2_route')).toMatchObject({ route_key: '$default', authorization_type: 'NONE' });
    expect(only(tf, 'aws_apigatewayv2_api').disable_execute_api_endpoint).toBe(true);
    expect(resources(tf, 'aws_apigatewayv2_authorizer')).toHaveLength(0);
  });

  it('puts the authorizer and scopes on authorized routes only', () => {
    const tf = apiIn({
      jwtAuthorizer: jwt,
      routes: [
        { routeKey: 'GET /health', authorized: false },
        { routeKey: 'POST /{proxy+}', authorized: true, scopes: ['svc:write'] },
        { routeKey: '$default', authorized: true },
      ],
    }).tf();
    const byKey = Object.fromEntries(resources(tf, 'aws_apigatewayv2_route').map((r) => [r.route_key, r]));
    expect(byKey['GET /health']).toMatchObject({ authorization_type: 'NONE' });
    expect(byKey['POST /{proxy+}']).toMatchObject({ authorization_type: 'JWT', authorization_scopes: ['svc:write'] });
    expect(byKey.$default).toMatchObject({ authorization_type: 'JWT' });
    expect(only(tf, 'aws_apigatewayv2_authorizer').jwt_configuration).toEqual({ issuer: 'https://login.example.com/', audience: ['svc'] });
  });

  it('refuses an authorized route without an authorizer', () => {
    expect(() => apiIn({ routes: [{ routeKey: '$default', authorized: true }] })).toThrow('test-stack/api: a route is authorized but no jwtAuthorizer is given');
  });

  it('refuses a route given twice, and scopes on an open route', () => {
    expect(() => apiIn({ routes: [{ routeKey: '$default', authorized: false }, { routeKey: '$default', authorized: false }] })).toThrow('route "$default" is given twice');
    expect(() => apiIn({ routes: [{ routeKey: 'GET /health', authorized: false, scopes: ['x'] }] })).toThrow('route "GET /health" has scopes but is not authorized');
  });
});

describe('validation of the auth and edge constructs', () => {
  it('JwtAuthorizer refuses an issuer that is not https, and no audience', () => {
    const stack = testStack(['us-east-1']);
    const props = { provider: stack.provider('us-east-1'), apiId: 'abc', name: 'n' };
    expect(() => new JwtAuthorizer(stack, 'a', { ...props, issuer: 'http://login.example.com/', audiences: ['x'] })).toThrow('test-stack/a: issuer must be an https URL, got "http://login.example.com/"');
    expect(() => new JwtAuthorizer(stack, 'b', { ...props, issuer: 'https://login.example.com/', audiences: [] })).toThrow('test-stack/b: audiences must list at least one audience');
  });

  it('EdgeWebAcl refuses a rate limit WAF does not take', () => {
    const stack = testStack(['us-east-1']);
    expect(() => new EdgeWebAcl(stack, 'w', { provider: stack.provider('us-east-1'), name: 'n', rateLimitPer5Minutes: 5 })).toThrow('rateLimitPer5Minutes must be a whole number from 10 to 2000000000, got 5');
  });

  it('OriginSecret refuses a name Secrets Manager would refuse', () => {
    const stack = testStack(['us-east-1']);
    expect(() => new OriginSecret(stack, 's', { provider: stack.provider('us-east-1'), secretName: 'has space' })).toThrow('secretName must be 1-512 of letters, digits and /_+=.@-, got "has space"');
  });

  it('OriginSecret makes its first value in Terraform, with no AWS call at plan time', () => {
    const stack = testStack(['us-east-1']);
    new OriginSecret(stack, 's', { provider: stack.provider('us-east-1'), secretName: 'platform/svc/origin-secret' });
    const tf = synth(stack);
    expect(tf.data.aws_secretsmanager_random_password).toBeUndefined();
    expect(tf.ephemeral).toBeUndefined();
  });

  // Every uuid() call is a new value (https://developer.hashicorp.com/terraform/language/functions/uuid):
  // an expression with uuid() written twice into the secret made CloudFront send a value no region accepts.
  it('OriginSecret generates its first value once (terraform_data, input ignored after creation) and sends and accepts that same value', () => {
    const stack = testStack(['us-east-1']);
    new OriginSecret(stack, 's', { provider: stack.provider('us-east-1'), secretName: 'platform/svc/origin-secret' });
    const tf = synth(stack);
    const generators = Object.entries(tf.resource.terraform_data ?? {}) as [string, any][];
    expect(generators).toHaveLength(1);
    const [[name, data]] = generators;
    expect(data.input.value.match(/uuid\(\)/g)).toHaveLength(2);
    expect(data.lifecycle.ignore_changes).toEqual(['input']);
    const secretString = only(tf, 'aws_secretsmanager_secret_version').secret_string as string;
    expect(secretString).not.toContain('uuid()');
    const ref = `\${terraform_data.${name}.output.value}`;
    expect(secretString).toBe(`\${jsonencode({"send" = ${ref.slice(2, -1)}, "accept" = [${ref.slice(2, -1)}]})}`);
  });

  it('CognitoIssuer refuses a scope Cognito would refuse', () => {
    const stack = testStack(['us-east-1']);
    const props = { provider: stack.provider('us-east-1'), region: 'us-east-1', userPoolName: 'p', clientName: 'c', domainPrefix: 'acme-svc-test', resourceServerIdentifier: 'svc' };
    expect(() => new CognitoIssuer(stack, 'c', { ...props, scopes: ['svc/read'] })).toThrow('scope "svc/read" has a character Cognito refuses');
    expect(() => new CognitoIssuer(stack, 'd', { ...props, domainPrefix: 'my-cognito-pool' })).toThrow('domainPrefix must be 1-63 lower-case letters');
  });

  it('SecurityHeadersPolicy refuses a negative HSTS max-age', () => {
    const stack = testStack(['us-east-1']);
    expect(() => new SecurityHeadersPolicy(stack, 'h', { provider: stack.provider('us-east-1'), name: 'n', hstsMaxAgeSeconds: -1 })).toThrow('hstsMaxAgeSeconds must be a whole number of seconds, got -1');
  });
});
