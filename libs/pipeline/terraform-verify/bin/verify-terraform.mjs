#!/usr/bin/env node
// Starts verify:terraform (src/cli.ts): bundles it with the workspace's esbuild loader
// (tools/lib/load-ts.mjs) and runs it for this workspace. See src/cli.ts for options.
import { resolve } from 'node:path';
import { loadTs } from '../../../../tools/lib/load-ts.mjs';

const root = resolve(import.meta.dirname, '..', '..', '..', '..');
const cli = await loadTs('libs/pipeline/terraform-verify/src/cli.ts', 'terraform-verify/cli.cjs');
cli.run(root);
