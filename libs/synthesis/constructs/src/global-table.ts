import { Construct } from 'constructs';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { TableDefinition } from '@platform/table-definition';
import { ConstructPropsError, requireDistinctRegions } from './validation';

/** ARN of a global table's replica in `region` (every replica has the table's name). */
export function globalTableArn(region: string, accountId: string, tableName: string): string {
  return `arn:aws:dynamodb:${region}:${accountId}:table/${tableName}`;
}

/** Props of {@link GlobalTable}. */
export interface GlobalTableProps {
  readonly tableName: string;
  /** Key schema and TTL attribute, shared with the code that uses the table. */
  readonly definition: TableDefinition;
  /** Provider of the region that owns the table resource (the environment's primary). */
  readonly provider: AwsProvider;
  /** Region of `provider`. */
  readonly region: string;
  /** Other regions holding a replica. @default - none: a single-region table */
  readonly replicaRegions?: readonly string[];
  /** Account of the table, used to build replica ARNs. */
  readonly accountId: string;
  /** @default true */
  readonly deletionProtection?: boolean;
  /** @default true */
  readonly pointInTimeRecovery?: boolean;
  /**
   * Customer managed KMS key for server-side encryption.
   * @default - encryption at rest with the AWS managed key (alias/aws/dynamodb)
   */
  readonly kmsKeyArn?: string;
}

/**
 * A DynamoDB global table (version 2019.11.21): one table resource with a
 * `replica` block per other region. Writes in any region replicate to all others
 * and concurrent writes resolve last-writer-wins; transactions are regional.
 * On-demand billing, streams (NEW_AND_OLD_IMAGES, required by replication), PITR,
 * deletion protection and encryption are on. Never mix with
 * `aws_dynamodb_table_replica` for the same table.
 */
export class GlobalTable extends Construct {
  readonly table: DynamodbTable;
  readonly tableName: string;
  private readonly arns = new Map<string, string>();

  constructor(scope: Construct, id: string, props: GlobalTableProps) {
    super(scope, id);
    const replicaRegions = props.replicaRegions ?? [];
    requireDistinctRegions(this, 'regions', [props.region, ...replicaRegions]);
    if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(props.tableName)) {
      throw new ConstructPropsError(this, `tableName "${props.tableName}" must be 3-255 characters of letters, digits, _ . -`);
    }
    const { partitionKey, sortKey, ttlAttribute } = props.definition;
    const deletionProtection = props.deletionProtection ?? true;
    const pitr = props.pointInTimeRecovery ?? true;

    this.tableName = props.tableName;
    this.table = new DynamodbTable(this, 'table', {
      provider: props.provider,
      name: props.tableName,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: partitionKey,
      rangeKey: sortKey,
      attribute: [
        { name: partitionKey, type: 'S' },
        { name: sortKey, type: 'S' },
      ],
      ttl: { attributeName: ttlAttribute, enabled: true },
      streamEnabled: true,
      streamViewType: 'NEW_AND_OLD_IMAGES',
      pointInTimeRecovery: { enabled: pitr },
      deletionProtectionEnabled: deletionProtection,
      serverSideEncryption: { enabled: true, ...(props.kmsKeyArn ? { kmsKeyArn: props.kmsKeyArn } : {}) },
      replica: replicaRegions.map((regionName) => ({
        regionName,
        pointInTimeRecovery: pitr,
        deletionProtectionEnabled: deletionProtection,
        propagateTags: true,
      })),
    });

    for (const region of [props.region, ...replicaRegions]) {
      this.arns.set(region, globalTableArn(region, props.accountId, props.tableName));
    }
  }

  /** ARN of the table (or its replica) in `region`. */
  arnIn(region: string): string {
    const arn = this.arns.get(region);
    if (!arn) throw new ConstructPropsError(this, `the table has no replica in "${region}"`);
    return arn;
  }
}
