import { Construct } from 'constructs';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { accountRootArn, formatArn } from '@platform/config';
import { ConstructPropsError } from './validation';

/** Props of {@link RegionalKmsKey}. */
export interface RegionalKmsKeyProps {
  /** Provider of the key's region (keys are regional). */
  readonly provider: AwsProvider;
  readonly region: string;
  readonly accountId: string;
  readonly description: string;
  /** Alias, `alias/...`; aliases are per region, so one name serves every region. @default - none */
  readonly aliasName?: string;
  /** Let CloudWatch Logs of this region encrypt this account's log groups with it. @default false */
  readonly logs?: boolean;
  /**
   * Services (e.g. `dynamodb`, `elasticache`, `rds`) through which any principal of the
   * account may use the key, as with an AWS managed key (`kms:ViaService`,
   * `kms:CallerAccount`): grants on the data then decide who reads it.
   * @default []
   */
  readonly viaServices?: readonly string[];
  /** @default 30 */
  readonly deletionWindowDays?: number;
}

/**
 * A customer-managed KMS key of one region, rotated yearly, whose policy lets the
 * account's IAM decide (the root statement) and lets the named services use it: the
 * log key of a region (CloudWatch Logs), or the data key of a service (DynamoDB,
 * ElastiCache, RDS through `kms:ViaService`).
 */
export class RegionalKmsKey extends Construct {
  readonly key: KmsKey;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: RegionalKmsKeyProps) {
    super(scope, id);
    const days = props.deletionWindowDays ?? 30;
    if (!Number.isInteger(days) || days < 7 || days > 30) throw new ConstructPropsError(this, `deletionWindowDays must be 7-30, got ${days}`);
    if (props.aliasName !== undefined && !/^alias\/[\w/-]+$/.test(props.aliasName)) {
      throw new ConstructPropsError(this, `aliasName must look like alias/name, got "${props.aliasName}"`);
    }
    const { region, accountId } = props;
    const statements: object[] = [
      {
        Sid: 'AccountIamDecides',
        Effect: 'Allow',
        Principal: { AWS: accountRootArn(accountId) },
        Action: 'kms:*',
        Resource: '*',
      },
    ];
    if (props.logs) {
      statements.push({
        Sid: 'CloudWatchLogsOfThisAccount',
        Effect: 'Allow',
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        Resource: '*',
        Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': formatArn({ service: 'logs', region, account: accountId, resource: 'log-group:*' }) } },
      });
    }
    if (props.viaServices?.length) {
      statements.push({
        Sid: 'ThroughTheDataServices',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:DescribeKey'],
        Resource: '*',
        Condition: {
          StringEquals: {
            'kms:CallerAccount': accountId,
            'kms:ViaService': props.viaServices.map((s) => `${s}.${region}.amazonaws.com`),
          },
        },
      });
    }
    this.key = new KmsKey(this, 'key', {
      provider: props.provider,
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: days,
      policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
    });
    this.arn = this.key.arn;
    if (props.aliasName) new KmsAlias(this, 'alias', { provider: props.provider, name: props.aliasName, targetKeyId: this.key.keyId });
  }
}
