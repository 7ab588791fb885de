import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { JSON_SCHEMA_COMMAND, JSON_SCHEMA_PATH, platformJsonSchemaText } from './json-schema';
import { loadPlatform } from './load';

const ROOT = path.join(__dirname, '..', '..', '..', '..');

describe('the JSON Schema of the config', () => {
  const committed = readFileSync(path.join(ROOT, JSON_SCHEMA_PATH), 'utf8');

  it('is up to date with the zod schema', () => {
    if (committed !== platformJsonSchemaText()) {
      throw new Error(`${JSON_SCHEMA_PATH} is stale (the zod schema changed); regenerate it with: ${JSON_SCHEMA_COMMAND}`);
    }
  });

  it('is what the example config names in "$schema", and allows that key', () => {
    const example = JSON.parse(readFileSync(path.join(ROOT, 'config/platform.json'), 'utf8'));
    expect(path.join(ROOT, 'config', example.$schema)).toBe(path.join(ROOT, JSON_SCHEMA_PATH));
    expect(JSON.parse(committed).properties.$schema).toMatchObject({ type: 'string' });
    expect(loadPlatform(path.join(ROOT, 'config/platform.json')).config.$schema).toBe('./platform.schema.json');
  });

  it('describes the file as written: defaults optional, unknown keys refused, region codes listed', () => {
    const schema = JSON.parse(committed);
    expect(schema.required).toEqual(['organization', 'stateBackend', 'environments', 'services']);
    expect(schema.additionalProperties).toBe(false);
    const environment = schema.properties.environments.additionalProperties;
    expect(environment.required).toEqual(['accountId', 'domain', 'regions']);
    expect(environment.properties.regions.items.enum).toContain('eu-west-1');
  });

  it('carries a description for every top-level section', () => {
    const schema = JSON.parse(committed);
    for (const key of Object.keys(schema.properties)) expect({ key, description: typeof schema.properties[key].description }).toEqual({ key, description: 'string' });
  });
});
