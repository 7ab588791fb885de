import { Construct } from 'constructs';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { formatArn } from '@platform/config';
import type { TableDefinition } from '@platform/table-definition';
import { type IGrantable, type PolicyStatement, grant } from './grants';
import { ConstructPropsError, requireDistinctRegions } from './validation';

/** ARN of a global table's replica in `region` (every replica has the table's name). */
export function globalTableArn(region: string, accountId: string, tableName: string): string {
  return formatArn({ service: 'dynamodb', region, account: accountId, resource: `table/${tableName}` });
}

/** What a table's users need: its name, its replicas' ARNs, and grants on them. */
export interface IGlobalTable {
  readonly tableName: string;
  /** ARN of the table's replica in `region`. */
  replicaArn(region: string): string;
  /** Lets `grantee` read and write items of the replica in `region` (and its indexes), nothing else; returns the statement granted. */
  grantReadWrite(grantee: IGrantable, region: string): PolicyStatement;
}

/** The item-level actions a service's API needs on its table. */
const READ_WRITE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];

/** A global table known by name (e.g. read from another stack's outputs). */
class GlobalTableReference implements IGlobalTable {
  constructor(
    readonly tableName: string,
    private readonly accountId: string,
    private readonly regions?: readonly string[],
  ) {}

  replicaArn(region: string): string {
    if (this.regions && !this.regions.includes(region)) {
      throw new Error(`table ${this.tableName} has no replica in "${region}" (replicas: ${this.regions.join(', ')})`);
    }
    return globalTableArn(region, this.accountId, this.tableName);
  }

  grantReadWrite(grantee: IGrantable, region: string): PolicyStatement {
    if (grantee.region !== undefined && grantee.region !== region) {
      throw new Error(`a grant on the table's replica in ${region} was asked for a grantee in ${grantee.region}; grant the replica of the grantee's own region`);
    }
    const arn = this.replicaArn(region);
    return grant(grantee, {
      Sid: 'ServiceTableInThisRegion',
      Effect: 'Allow',
      Action: READ_WRITE_ACTIONS,
      Resource: [arn, `${arn}/index/*`],
    });
  }
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
  /**
   * Customer managed KMS key of each replica's region (KMS keys are regional); needed
   * for every replica region when `kmsKeyArn` is given.
   * @default - the AWS managed key in each replica's region
   */
  readonly replicaKmsKeyArns?: Readonly<Record<string, string>>;
}

/**
 * A DynamoDB global table (version 2019.11.21): one table resource with a
 * `replica` block per other region. Writes in any region replicate to all others
 * and concurrent writes resolve last-writer-wins; transactions are regional.
 * On-demand billing, streams (NEW_AND_OLD_IMAGES, required by replication), PITR,
 * deletion protection and encryption are on. Never mix with
 * `aws_dynamodb_table_replica` for the same table.
 */
export class GlobalTable extends Construct implements IGlobalTable {
  /**
   * A table another stack created, known by its name (a token is fine): offers the
   * replica ARNs and grants without declaring anything.
   * @param regions - the regions with a replica; @default - not checked
   */
  static fromTableName(tableName: string, accountId: string, regions?: readonly string[]): IGlobalTable {
    return new GlobalTableReference(tableName, accountId, regions);
  }

  readonly table: DynamodbTable;
  readonly tableName: string;
  /** ARN of the table resource (its primary region). */
  readonly tableArn: string;
  /** ARN of the table's stream in the primary region. */
  readonly streamArn: string;
  private readonly reference: GlobalTableReference;

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
    const missingKeys = props.kmsKeyArn ? replicaRegions.filter((r) => !props.replicaKmsKeyArns?.[r]) : [];
    if (missingKeys.length > 0) {
      throw new ConstructPropsError(this, `kmsKeyArn is set but replicaKmsKeyArns has no key for ${missingKeys.join(', ')}; every replica needs a key of its region`);
    }

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
        ...(props.replicaKmsKeyArns?.[regionName] ? { kmsKeyArn: props.replicaKmsKeyArns[regionName] } : {}),
      })),
    });

    this.tableArn = this.table.arn;
    this.streamArn = this.table.streamArn;
    this.reference = new GlobalTableReference(props.tableName, props.accountId, [props.region, ...replicaRegions]);
  }

  /** ARN of the table (or its replica) in `region`. */
  replicaArn(region: string): string {
    try {
      return this.reference.replicaArn(region);
    } catch {
      throw new ConstructPropsError(this, `the table has no replica in "${region}"`);
    }
  }

  grantReadWrite(grantee: IGrantable, region: string): PolicyStatement {
    this.replicaArn(region);
    return this.reference.grantReadWrite(grantee, region);
  }
}
