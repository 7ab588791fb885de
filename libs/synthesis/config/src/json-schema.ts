// The JSON Schema of the platform config, generated from the zod schema so editors
// (VS Code, JetBrains) autocomplete and validate config/platform.json through its
// "$schema" key. It describes the file as written (defaults optional); the rules zod
// checks in code (refinements, the cross-checks) are not in it, so synth stays the judge.
import { z } from 'zod';
import { platformConfigSchema } from './schema';

/** The generated schema, relative to the workspace root. */
export const JSON_SCHEMA_PATH = 'config/platform.schema.json';

/** The command that regenerates {@link JSON_SCHEMA_PATH}. */
export const JSON_SCHEMA_COMMAND = 'npm run config:schema';

/** The JSON Schema of the platform config file, as the text committed at {@link JSON_SCHEMA_PATH}. */
export function platformJsonSchemaText(): string {
  const schema = z.toJSONSchema(platformConfigSchema, {
    io: 'input',
    // Draft 7 is the draft editors' JSON language services support best.
    target: 'draft-7',
    // A refinement or transform has no JSON Schema form; the value's type still does.
    unrepresentable: 'any',
  });
  const { $schema, ...rest } = schema;
  const generated = `Generated from libs/synthesis/config/src/schema.ts by \`${JSON_SCHEMA_COMMAND}\`; do not edit.`;
  return `${JSON.stringify({ $schema, $comment: generated, title: 'Platform config', ...rest }, null, 2)}\n`;
}
