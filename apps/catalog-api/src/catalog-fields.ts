import { parseFields, type FieldsSpec } from '@platform/service-runtime';

/** What a client writes to a catalog record: the body of POST and PUT. */
export interface CatalogFields {
  readonly name: string;
  readonly description?: string;
  readonly tags?: readonly string[];
}

/** The fields and their limits; edit these to shape the resource. */
export const CATALOG_FIELDS: FieldsSpec = {
  name: { type: 'string', required: true, maxChars: 200 },
  description: { type: 'string', maxChars: 4000 },
  tags: { type: 'string-list', maxCount: 20, maxChars: 50 },
};

/** Checks a request body; throws `validation_failed` listing every problem. */
export function parseCatalogFields(body: Record<string, unknown>): CatalogFields {
  return parseFields<CatalogFields>(body, CATALOG_FIELDS);
}
