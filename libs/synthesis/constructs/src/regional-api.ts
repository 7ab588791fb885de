import { AssetType, Lazy, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { Apigatewayv2Api } from '@cdktf/provider-aws/lib/apigatewayv2-api';
import { Apigatewayv2Integration } from '@cdktf/provider-aws/lib/apigatewayv2-integration';
import { Apigatewayv2Route } from '@cdktf/provider-aws/lib/apigatewayv2-route';
import { Apigatewayv2Stage } from '@cdktf/provider-aws/lib/apigatewayv2-stage';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogSubscriptionFilter } from '@cdktf/provider-aws/lib/cloudwatch-log-subscription-filter';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LAMBDA_RUNTIME, UNRESERVED_CONCURRENCY_TAG, parseArn } from '@platform/config';
import type { IGrantable, PolicyStatement } from './grants';
import { JwtAuthorizer } from './jwt-authorizer';
import type { LambdaArtifact } from './lambda-artifact';
import { ConstructPropsError } from './validation';

/**
 * The stage's access log line: JSON with the request id, route, status, latencies and
 * the integration's error, if any. `requestId` is API Gateway's, which the handler logs
 * as `apiRequestId` beside the request id it propagates (`x-request-id`, or CloudFront's
 * `x-amz-cf-id`, which CloudFront logs as `x-edge-request-id`), so one request can be
 * followed from the edge through the API to the function.
 */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  routeKey: '$context.routeKey',
  method: '$context.httpMethod',
  path: '$context.path',
  status: '$context.status',
  responseLatencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  sourceIp: '$context.identity.sourceIp',
  requestTime: '$context.requestTimeEpoch',
});

/** Props of {@link RegionalApi}. */
export interface RegionalApiProps {
  /** Provider of the region the API runs in. */
  readonly provider: AwsProvider;
  readonly region: string;
  /** Name of the function and of the HTTP API; unique per account and region. */
  readonly functionName: string;
  /**
   * Name of the function's IAM role. IAM is global to the account, so include the
   * region in it.
   */
  readonly roleName: string;
  /** The built deployment package. */
  readonly artifact: LambdaArtifact;
  /** @default "index.handler" */
  readonly handler?: string;
  /** @default "arm64" */
  readonly architecture?: 'arm64' | 'x86_64';
  /** @default 512 */
  readonly memorySizeMb?: number;
  /** Must stay under API Gateway's 29 s integration timeout. @default 10 */
  readonly timeoutSeconds?: number;
  /** Days the function's and the stage's log groups keep their events. @default 365 */
  readonly logRetentionDays?: number;
  /**
   * Customer-managed KMS key of the region encrypting both log groups (its policy must
   * let CloudWatch Logs use it: `RegionalKmsKey` with `logs`).
   * @default - CloudWatch Logs' own encryption
   */
  readonly logKmsKeyArn?: string;
  /**
   * Concurrent executions reserved for (and capping) the function, so one service
   * cannot starve the others of the region's account-wide concurrency.
   * @default - unreserved: the function shares the account's pool, and carries the tag
   * `UNRESERVED_CONCURRENCY_TAG` that says so (the policy rule CKV_AWS_115 reads it)
   */
  readonly reservedConcurrency?: number;
  /** X-Ray active tracing of the function. @default true */
  readonly tracing?: boolean;
  /** @default - none */
  readonly environment?: Readonly<Record<string, string>>;
  /** Stage throttling. @default 1000 requests per second, burst 2000 */
  readonly throttlingRateLimit?: number;
  /** @default 2000 */
  readonly throttlingBurstLimit?: number;
  /**
   * The API's routes, each to the function, with or without the JWT authorizer and
   * the scopes a token needs (one of them). The function still does its own routing.
   * @default - one open `$default` route
   */
  readonly routes?: readonly RegionalApiRoute[];
  /** The JWT authorizer of the authorized routes. @default - none (then no route may be authorized) */
  readonly jwtAuthorizer?: { readonly name: string; readonly issuer: string; readonly audiences: readonly string[] };
  /**
   * Turn off the `execute-api` endpoint, so the API answers only on its custom domain
   * (which only CloudFront and the health checks use).
   * @default true
   */
  readonly disableExecuteApiEndpoint?: boolean;
}

/** One route of a {@link RegionalApi}. */
export interface RegionalApiRoute {
  /** e.g. `$default`, `GET /health`, `POST /{proxy+}`. */
  readonly routeKey: string;
  /** Behind the JWT authorizer. */
  readonly authorized: boolean;
  /** Scopes a token needs, one of them. @default - any valid token */
  readonly scopes?: readonly string[];
}


/**
 * The regional entry point of a service: an API Gateway HTTP API whose `$default`
 * route sends every request (payload format 2.0) to one Lambda function, which
 * does its own routing. The function's role may write its own log group and nothing
 * else until resources grant it more (`table.grantReadWrite(api, region)`, ...).
 */
export class RegionalApi extends Construct implements IGrantable {
  readonly region: string;
  readonly function: LambdaFunction;
  readonly api: Apigatewayv2Api;
  readonly stage: Apigatewayv2Stage;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  /** The stage's access log group (JSON lines, one per request). */
  readonly accessLogGroup: CloudwatchLogGroup;
  /** This region's own API host (`<api-id>.execute-api.<region>.amazonaws.com`); off unless `disableExecuteApiEndpoint` is false. */
  readonly endpointHost: string;
  readonly authorizer?: JwtAuthorizer;
  private readonly statements: PolicyStatement[] = [];
  private readonly provider: AwsProvider;

  constructor(scope: Construct, id: string, props: RegionalApiProps) {
    super(scope, id);
    const settings = validatedSettings(this, props);
    this.region = props.region;
    this.provider = props.provider;
    const logs = this.createLogGroups(props);
    this.logGroup = logs.logGroup;
    this.accessLogGroup = logs.accessLogGroup;
    this.role = this.createRole(props);
    this.function = this.createFunction(props, settings);
    this.api = new Apigatewayv2Api(this, 'http-api', {
      provider: props.provider,
      name: props.functionName,
      protocolType: 'HTTP',
      disableExecuteApiEndpoint: props.disableExecuteApiEndpoint ?? true,
    });
    this.endpointHost = `${this.api.id}.execute-api.${props.region}.amazonaws.com`;
    this.authorizer = this.createRoutes(props, settings.routes);
    this.stage = this.createStage(props);
  }

  /** The function's log group and the stage's access log group, both with the retention and key asked. */
  private createLogGroups(props: RegionalApiProps) {
    const retentionInDays = props.logRetentionDays ?? 365;
    const kmsKeyId = props.logKmsKeyArn;
    const group = (id: string, name: string) =>
      new CloudwatchLogGroup(this, id, { provider: props.provider, name, retentionInDays, ...(kmsKeyId ? { kmsKeyId } : {}) });
    return { logGroup: group('log-group', `/aws/lambda/${props.functionName}`), accessLogGroup: group('access-log-group', `/aws/apigateway/${props.functionName}`) };
  }

  /** The function's role: its own log group and traces, then whatever grants add (rendered at synth). */
  private createRole(props: RegionalApiProps): IamRole {
    const role = new IamRole(this, 'role', {
      provider: props.provider,
      name: props.roleName,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    });
    this.statements.push({
      Sid: 'WriteOwnLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [`${this.logGroup.arn}:*`],
    });
    if (props.tracing !== false) {
      this.statements.push({
        // X-Ray's trace APIs take no resource ARN.
        Sid: 'WriteTraces',
        Effect: 'Allow',
        Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        Resource: ['*'],
      });
    }
    new IamRolePolicy(this, 'role-policy', {
      provider: props.provider,
      role: role.id,
      name: 'service-table-and-logs',
      // Rendered at synth, so grants made after construction land in the same policy.
      policy: Lazy.stringValue({ produce: () => JSON.stringify({ Version: '2012-10-17', Statement: this.statements }) }),
    });
    return role;
  }

  /** The function, from the zip `npm run build` made. */
  private createFunction(props: RegionalApiProps, { memory, timeout, reserved }: ApiSettings): LambdaFunction {
    // FILE asset: the zip is built once by npm run build (tools/build-lambda.ts) and only copied per stack.
    const asset = new TerraformAsset(this, 'code', {
      path: props.artifact.zipPath,
      type: AssetType.FILE,
      assetHash: Buffer.from(props.artifact.sha256, 'base64').toString('hex').slice(0, 32),
    });
    return new LambdaFunction(this, 'function', {
      provider: props.provider,
      functionName: props.functionName,
      role: this.role.arn,
      runtime: LAMBDA_RUNTIME,
      handler: props.handler ?? 'index.handler',
      architectures: [props.architecture ?? 'arm64'],
      memorySize: memory,
      timeout,
      filename: asset.path,
      sourceCodeHash: props.artifact.sha256,
      environment: props.environment ? { variables: { ...props.environment } } : undefined,
      loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name },
      tracingConfig: { mode: props.tracing === false ? 'PassThrough' : 'Active' },
      ...(reserved !== undefined
        ? { reservedConcurrentExecutions: reserved }
        : { tags: { [UNRESERVED_CONCURRENCY_TAG.key]: UNRESERVED_CONCURRENCY_TAG.value } }),
      dependsOn: [this.logGroup],
    });
  }

  /** The Lambda integration, the JWT authorizer when asked, and one route per route key; returns the authorizer. */
  private createRoutes(props: RegionalApiProps, routes: readonly RegionalApiRoute[]): JwtAuthorizer | undefined {
    const provider = props.provider;
    const integration = new Apigatewayv2Integration(this, 'integration', {
      provider,
      apiId: this.api.id,
      integrationType: 'AWS_PROXY',
      integrationUri: this.function.invokeArn,
      payloadFormatVersion: '2.0',
    });
    const authorizer = props.jwtAuthorizer ? new JwtAuthorizer(this, 'jwt-authorizer', { provider, apiId: this.api.id, ...props.jwtAuthorizer }) : undefined;
    for (const route of routes) {
      // `$default` keeps its original id, so adding auth does not replace the route.
      const id = route.routeKey === '$default' ? 'default-route' : `route-${route.routeKey.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/-+$/, '')}`;
      new Apigatewayv2Route(this, id, {
        provider,
        apiId: this.api.id,
        routeKey: route.routeKey,
        target: `integrations/${integration.id}`,
        ...(route.authorized
          ? {
              authorizationType: 'JWT',
              authorizerId: authorizer!.authorizerId,
              ...(route.scopes?.length ? { authorizationScopes: [...route.scopes] } : {}),
            }
          : { authorizationType: 'NONE' }),
      });
    }
    return authorizer;
  }

  /** The auto-deployed `$default` stage with throttling and access logs, and API Gateway's permission to invoke. */
  private createStage(props: RegionalApiProps): Apigatewayv2Stage {
    const stage = new Apigatewayv2Stage(this, 'stage', {
      provider: props.provider,
      apiId: this.api.id,
      name: '$default',
      autoDeploy: true,
      defaultRouteSettings: {
        throttlingRateLimit: props.throttlingRateLimit ?? 1000,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 2000,
      },
      accessLogSettings: { destinationArn: this.accessLogGroup.arn, format: ACCESS_LOG_FORMAT },
    });
    new LambdaPermission(this, 'invoke-permission', {
      provider: props.provider,
      statementId: 'AllowApiGatewayInvoke',
      action: 'lambda:InvokeFunction',
      functionName: this.function.functionName,
      principal: 'apigateway.amazonaws.com',
      sourceArn: `${this.api.executionArn}/*/*`,
    });
    return stage;
  }

  /** Adds a statement to the function role's policy. */
  addToRolePolicy(statement: PolicyStatement): void {
    if (this.statements.some((s) => s.Sid === statement.Sid)) {
      throw new ConstructPropsError(this, `the role's policy already has a statement "${statement.Sid}"`);
    }
    this.statements.push(statement);
  }

  /**
   * Copies the events of the function's and the API's log groups to a CloudWatch Logs
   * destination (another account's, in this region): one subscription filter on each.
   * A cross-account destination carries its own role, so the filter has none.
   */
  forwardLogsTo(destination: { readonly destinationArn: string; readonly filterPattern?: string }): void {
    const arn = parseArn(destination.destinationArn);
    if (arn?.service !== 'logs' || arn.region !== this.region) {
      // CloudWatch Logs delivers only to a destination in the log group's own region.
      throw new ConstructPropsError(this, `a log destination must be in ${this.region}, got ${destination.destinationArn}`);
    }
    for (const [id, group] of [
      ['function-logs-forwarded', this.logGroup],
      ['access-logs-forwarded', this.accessLogGroup],
    ] as const) {
      new CloudwatchLogSubscriptionFilter(this, id, {
        provider: this.provider,
        name: 'platform-central-account',
        logGroupName: group.name,
        filterPattern: destination.filterPattern ?? '',
        destinationArn: destination.destinationArn,
      });
    }
  }

  /**
   * Runs the function in a VPC (needed to reach Aurora or ElastiCache) and lets it
   * manage its network interfaces there.
   */
  placeInVpc(vpc: { readonly subnetIds: string[]; readonly securityGroupIds: string[] }): void {
    this.function.putVpcConfig({ subnetIds: vpc.subnetIds, securityGroupIds: vpc.securityGroupIds });
    this.addToRolePolicy({
      // Lambda creates and removes its network interfaces; these actions take no resource ARN.
      Sid: 'ManageVpcNetworkInterfaces',
      Effect: 'Allow',
      Action: [
        'ec2:CreateNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ],
      Resource: ['*'],
    });
  }
}

/** The function's sizes and routes checked against what Lambda and API Gateway accept. */
interface ApiSettings {
  readonly memory: number;
  readonly timeout: number;
  readonly reserved?: number;
  readonly routes: readonly RegionalApiRoute[];
}

function validatedSettings(scope: Construct, props: RegionalApiProps): ApiSettings {
  const memory = props.memorySizeMb ?? 512;
  const timeout = props.timeoutSeconds ?? 10;
  if (memory < 128 || memory > 10240) throw new ConstructPropsError(scope, `memorySizeMb must be 128-10240, got ${memory}`);
  if (timeout < 1 || timeout > 29) {
    throw new ConstructPropsError(scope, `timeoutSeconds must be 1-29 (API Gateway gives up after 29 s), got ${timeout}`);
  }
  const reserved = props.reservedConcurrency;
  if (reserved !== undefined && (!Number.isInteger(reserved) || reserved < 1)) {
    throw new ConstructPropsError(scope, `reservedConcurrency must be a whole number of at least 1, got ${reserved}`);
  }
  const routes = props.routes ?? [{ routeKey: '$default', authorized: false }];
  if (routes.some((r) => r.authorized) && !props.jwtAuthorizer) {
    throw new ConstructPropsError(scope, 'a route is authorized but no jwtAuthorizer is given');
  }
  const keys = new Set<string>();
  for (const route of routes) {
    if (keys.has(route.routeKey)) throw new ConstructPropsError(scope, `route "${route.routeKey}" is given twice`);
    keys.add(route.routeKey);
    if (!route.authorized && route.scopes?.length) throw new ConstructPropsError(scope, `route "${route.routeKey}" has scopes but is not authorized`);
  }
  return { memory, timeout, reserved, routes };
}
