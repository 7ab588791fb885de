import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GlobalTable } from './global-table';
import { RegionalApi, type RegionalApiProps } from './regional-api';
import { ACCOUNT, only, resources, synth, testStack } from './test-helpers';

const zipDir = mkdtempSync(path.join(tmpdir(), 'regional-api-'));
const zipPath = path.join(zipDir, 'lambda.zip');
writeFileSync(zipPath, 'not really a zip');
const TABLE_ARN = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/svc-test`;

function apiIn(overrides: Partial<RegionalApiProps> = {}) {
  const stack = testStack(['us-east-1']);
  const api = new RegionalApi(stack, 'api', {
    provider: stack.provider('us-east-1'),
    region: 'us-east-1',
    functionName: 'svc-test',
    roleName: 'svc-test-us-east-1-api',
    artifact: { zipPath, sha256: 'c2hhMjU2LW9mLXRoZS16aXA=' },
    environment: { TABLE_NAME: 'svc-test' },
    ...overrides,
  });
  GlobalTable.fromTableName('svc-test', ACCOUNT).grantReadWrite(api, 'us-east-1');
  return { stack, api, tf: () => synth(stack) };
}

describe('RegionalApi', () => {
  it('runs the bundle on the platform runtime (nodejs24.x) with the given hash and environment', () => {
    const fn = only(apiIn().tf(), 'aws_lambda_function');
    expect(fn).toMatchObject({
      function_name: 'svc-test',
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      source_code_hash: 'c2hhMjU2LW9mLXRoZS16aXA=',
      environment: { variables: { TABLE_NAME: 'svc-test' } },
      provider: 'aws.us-east-1',
    });
    expect(fn.filename).toMatch(/^assets\/api_code_\w+\/[0-9a-f]+\/lambda\.zip$/);
  });

  it('limits the role to this region’s table replica and its own log group', () => {
    const policy = JSON.parse(only(apiIn().tf(), 'aws_iam_role_policy').policy);
    const table = policy.Statement.find((s: any) => s.Sid === 'ServiceTableInThisRegion');
    expect(table.Resource).toEqual([TABLE_ARN, `${TABLE_ARN}/index/*`]);
    expect(table.Action).not.toContain('dynamodb:*');
    const logs = policy.Statement.find((s: any) => s.Sid === 'WriteOwnLogs');
    expect(logs.Resource).toEqual([expect.stringMatching(/aws_cloudwatch_log_group\.api_log-group_\w+\.arn}:\*$/)]);
  });

  it('lets only Lambda assume the role', () => {
    const role = only(apiIn().tf(), 'aws_iam_role');
    expect(JSON.parse(role.assume_role_policy).Statement[0].Principal).toEqual({ Service: 'lambda.amazonaws.com' });
  });

  it('keeps both log groups for the configured retention', () => {
    const groups = resources(apiIn({ logRetentionDays: 731 }).tf(), 'aws_cloudwatch_log_group');
    expect(groups.map((g) => [g.name, g.retention_in_days]).sort()).toEqual([
      ['/aws/apigateway/svc-test', 731],
      ['/aws/lambda/svc-test', 731],
    ]);
  });

  it('keeps logs a year by default', () => {
    expect(resources(apiIn().tf(), 'aws_cloudwatch_log_group').map((g) => g.retention_in_days)).toEqual([365, 365]);
  });

  it('encrypts both log groups with the given key', () => {
    const groups = resources(apiIn({ logKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/k' }).tf(), 'aws_cloudwatch_log_group');
    expect(groups.map((g) => g.kms_key_id)).toEqual(['arn:aws:kms:eu-west-1:123456789012:key/k', 'arn:aws:kms:eu-west-1:123456789012:key/k']);
  });

  it('writes JSON access logs with the request id, route, status, latency and integration error', () => {
    const stage = only(apiIn().tf(), 'aws_apigatewayv2_stage');
    const format = JSON.parse(stage.access_log_settings.format);
    expect(stage.access_log_settings.destination_arn).toMatch(/aws_cloudwatch_log_group\.api_access-log-group_\w+\.arn/);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
      integrationError: '$context.integrationErrorMessage',
    });
  });

  it('reserves the given concurrency and traces actively', () => {
    const fn = only(apiIn({ reservedConcurrency: 25 }).tf(), 'aws_lambda_function');
    expect(fn.reserved_concurrent_executions).toBe(25);
    expect(fn.tracing_config).toEqual({ mode: 'Active' });
  });

  it('rejects a reserved concurrency below 1', () => {
    expect(() => apiIn({ reservedConcurrency: 0 })).toThrow('reservedConcurrency must be a whole number of at least 1, got 0');
  });

  it('sends every request to the function through an HTTP API $default route and stage', () => {
    const tf = apiIn().tf();
    expect(only(tf, 'aws_apigatewayv2_api')).toMatchObject({ protocol_type: 'HTTP' });
    expect(only(tf, 'aws_apigatewayv2_integration')).toMatchObject({
      integration_type: 'AWS_PROXY',
      payload_format_version: '2.0',
    });
    expect(only(tf, 'aws_apigatewayv2_route').route_key).toBe('$default');
    expect(only(tf, 'aws_apigatewayv2_stage')).toMatchObject({ name: '$default', auto_deploy: true });
    const permission = only(tf, 'aws_lambda_permission');
    expect(permission.principal).toBe('apigateway.amazonaws.com');
    expect(permission.source_arn).toMatch(/execution_arn}\/\*\/\*$/);
  });

  it('rejects a grant on a table replica in another region', () => {
    const { api } = apiIn();
    expect(() => GlobalTable.fromTableName('svc-test', ACCOUNT).grantReadWrite(api, 'eu-west-1')).toThrow(
      'a grant on the table\'s replica in eu-west-1 was asked for a grantee in us-east-1',
    );
  });

  it('puts grants made after construction into the role policy, each statement once', () => {
    const { api, tf } = apiIn();
    api.addToRolePolicy({ Sid: 'Extra', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: ['arn:aws:sqs:us-east-1:123456789012:q'] });
    const sids = JSON.parse(only(tf(), 'aws_iam_role_policy').policy).Statement.map((s: any) => s.Sid);
    expect(sids).toEqual(['WriteOwnLogs', 'WriteTraces', 'ServiceTableInThisRegion', 'Extra']);
    expect(() => api.addToRolePolicy({ Sid: 'Extra', Effect: 'Allow', Action: [], Resource: [] })).toThrow('already has a statement "Extra"');
  });

  it('rejects a timeout API Gateway cannot wait for', () => {
    expect(() => apiIn({ timeoutSeconds: 60 })).toThrow('test-stack/api: timeoutSeconds must be 1-29');
  });

  it('copies both log groups to a log destination in its region, with the filter pattern', () => {
    const { api, tf } = apiIn();
    api.forwardLogsTo({ destinationArn: 'arn:aws:logs:us-east-1:555555555555:destination:platform-logs', filterPattern: '{ $.level = "ERROR" }' });

    const filters = resources(tf(), 'aws_cloudwatch_log_subscription_filter');
    expect(filters.map((f) => [f.log_group_name, f.destination_arn, f.filter_pattern, f.role_arn]).sort()).toEqual([
      [expect.stringMatching(/aws_cloudwatch_log_group\.api_access-log-group_\w+\.name/), 'arn:aws:logs:us-east-1:555555555555:destination:platform-logs', '{ $.level = "ERROR" }', undefined],
      [expect.stringMatching(/aws_cloudwatch_log_group\.api_log-group_\w+\.name/), 'arn:aws:logs:us-east-1:555555555555:destination:platform-logs', '{ $.level = "ERROR" }', undefined],
    ]);
  });

  it('refuses a log destination in another region', () => {
    const { api } = apiIn();

    expect(() => api.forwardLogsTo({ destinationArn: 'arn:aws:logs:eu-west-1:555555555555:destination:platform-logs' })).toThrow(
      /a log destination must be in us-east-1, got arn:aws:logs:eu-west-1:/,
    );
  });
});
