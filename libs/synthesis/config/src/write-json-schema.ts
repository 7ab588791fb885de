// Writes config/platform.schema.json from the zod schema: `npm run config:schema`.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { JSON_SCHEMA_PATH, platformJsonSchemaText } from './json-schema';

const WORKSPACE_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

writeFileSync(path.join(WORKSPACE_ROOT, JSON_SCHEMA_PATH), platformJsonSchemaText());
console.log(`wrote ${JSON_SCHEMA_PATH}`);
