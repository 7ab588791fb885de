import { CreateTableCommand, UpdateTimeToLiveCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SERVICE_TABLE, type TableDefinition } from '@platform/table-definition';

/** Options of {@link createServiceTable}. */
export interface CreateServiceTableOptions {
  /** @default SERVICE_TABLE, the definition the global stack creates the real table from */
  readonly definition?: TableDefinition;
}

/**
 * Creates a table with the service table's key schema and TTL attribute, taken from
 * the same {@link SERVICE_TABLE} object the global stack uses, so tests cannot
 * drift from production. On-demand billing, like the real table. Resolves once the
 * table is ACTIVE (immediately on DynamoDB Local).
 */
export async function createServiceTable(client: DynamoDBClient, tableName: string, options: CreateServiceTableOptions = {}): Promise<void> {
  const def = options.definition ?? SERVICE_TABLE;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: def.partitionKey, AttributeType: 'S' },
        { AttributeName: def.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: def.partitionKey, KeyType: 'HASH' },
        { AttributeName: def.sortKey, KeyType: 'RANGE' },
      ],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: def.ttlAttribute, Enabled: true },
    }),
  );
}
