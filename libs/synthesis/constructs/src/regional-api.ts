import { AssetType, Lazy, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { Apigatewayv2Api } from '@cdktf/provider-aws/lib/apigatewayv2-api';
import { Apigatewayv2Integration } from '@cdktf/provider-aws/lib/apigatewayv2-integration';
import { Apigatewayv2Route } from '@cdktf/provider-aws/lib/apigatewayv2-route';
import { Apigatewayv2Stage } from '@cdktf/provider-aws/lib/apigatewayv2-stage';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { IGrantable, PolicyStatement } from './grants';
import type { LambdaArtifact } from './lambda-artifact';
import { ConstructPropsError } from './validation';

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
  /** @default "nodejs22.x" */
  readonly runtime?: string;
  /** @default "arm64" */
  readonly architecture?: 'arm64' | 'x86_64';
  /** @default 512 */
  readonly memorySizeMb?: number;
  /** Must stay under API Gateway's 29 s integration timeout. @default 10 */
  readonly timeoutSeconds?: number;
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** @default - none */
  readonly environment?: Readonly<Record<string, string>>;
  /** Stage throttling. @default 1000 requests per second, burst 2000 */
  readonly throttlingRateLimit?: number;
  /** @default 2000 */
  readonly throttlingBurstLimit?: number;
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
  /** This region's own API host (`<api-id>.execute-api.<region>.amazonaws.com`), for health checks. */
  readonly endpointHost: string;
  private readonly statements: PolicyStatement[] = [];

  constructor(scope: Construct, id: string, props: RegionalApiProps) {
    super(scope, id);
    const memory = props.memorySizeMb ?? 512;
    const timeout = props.timeoutSeconds ?? 10;
    if (memory < 128 || memory > 10240) throw new ConstructPropsError(this, `memorySizeMb must be 128-10240, got ${memory}`);
    if (timeout < 1 || timeout > 29) {
      throw new ConstructPropsError(this, `timeoutSeconds must be 1-29 (API Gateway gives up after 29 s), got ${timeout}`);
    }
    this.region = props.region;
    const provider = props.provider;

    this.logGroup = new CloudwatchLogGroup(this, 'log-group', {
      provider,
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: props.logRetentionDays ?? 30,
    });

    this.role = new IamRole(this, 'role', {
      provider,
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
    new IamRolePolicy(this, 'role-policy', {
      provider,
      role: this.role.id,
      name: 'service-table-and-logs',
      // Rendered at synth, so grants made after construction land in the same policy.
      policy: Lazy.stringValue({ produce: () => JSON.stringify({ Version: '2012-10-17', Statement: this.statements }) }),
    });

    // FILE asset: the zip is built once by npm run build (tools/build-lambda.ts) and only copied per stack.
    const asset = new TerraformAsset(this, 'code', {
      path: props.artifact.zipPath,
      type: AssetType.FILE,
      assetHash: Buffer.from(props.artifact.sha256, 'base64').toString('hex').slice(0, 32),
    });
    this.function = new LambdaFunction(this, 'function', {
      provider,
      functionName: props.functionName,
      role: this.role.arn,
      runtime: props.runtime ?? 'nodejs22.x',
      handler: props.handler ?? 'index.handler',
      architectures: [props.architecture ?? 'arm64'],
      memorySize: memory,
      timeout,
      filename: asset.path,
      sourceCodeHash: props.artifact.sha256,
      environment: props.environment ? { variables: { ...props.environment } } : undefined,
      loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name },
      dependsOn: [this.logGroup],
    });

    this.api = new Apigatewayv2Api(this, 'http-api', {
      provider,
      name: props.functionName,
      protocolType: 'HTTP',
    });
    this.endpointHost = `${this.api.id}.execute-api.${props.region}.amazonaws.com`;
    const integration = new Apigatewayv2Integration(this, 'integration', {
      provider,
      apiId: this.api.id,
      integrationType: 'AWS_PROXY',
      integrationUri: this.function.invokeArn,
      payloadFormatVersion: '2.0',
    });
    new Apigatewayv2Route(this, 'default-route', {
      provider,
      apiId: this.api.id,
      routeKey: '$default',
      target: `integrations/${integration.id}`,
    });
    this.stage = new Apigatewayv2Stage(this, 'stage', {
      provider,
      apiId: this.api.id,
      name: '$default',
      autoDeploy: true,
      defaultRouteSettings: {
        throttlingRateLimit: props.throttlingRateLimit ?? 1000,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 2000,
      },
    });
    new LambdaPermission(this, 'invoke-permission', {
      provider,
      statementId: 'AllowApiGatewayInvoke',
      action: 'lambda:InvokeFunction',
      functionName: this.function.functionName,
      principal: 'apigateway.amazonaws.com',
      sourceArn: `${this.api.executionArn}/*/*`,
    });
  }

  /** Adds a statement to the function role's policy. */
  addToRolePolicy(statement: PolicyStatement): void {
    if (this.statements.some((s) => s.Sid === statement.Sid)) {
      throw new ConstructPropsError(this, `the role's policy already has a statement "${statement.Sid}"`);
    }
    this.statements.push(statement);
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
