import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { crudApi, ResourceRepository, type CrudRoute, type ServiceHandler, type StructuredLogger } from '@platform/service-runtime';
import { parseCatalogFields, type CatalogFields } from './catalog-fields';

/** Props of {@link createCatalogApi}. */
export interface CatalogApiProps {
  readonly client: DynamoDBClient;
  /** The service table (this region's replica). */
  readonly tableName: string;
  readonly region: string;
  readonly logger: StructuredLogger;
  /** @default 1000 */
  readonly healthTimeoutMs?: number;
}

/** The catalog service: CRUD of catalog records at /catalog and /catalog/{id}, and /health. */
export function createCatalogApi(props: CatalogApiProps): ServiceHandler<CrudRoute> {
  return crudApi<CatalogFields>({
    resource: 'catalog',
    repository: new ResourceRepository<CatalogFields>({ client: props.client, tableName: props.tableName, region: props.region, kind: 'CATALOG' }),
    parse: parseCatalogFields,
    region: props.region,
    logger: props.logger,
    healthTimeoutMs: props.healthTimeoutMs,
  });
}
