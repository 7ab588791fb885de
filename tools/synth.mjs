#!/usr/bin/env node
// npm run synth, and cdktf.json's app ("node tools/synth.mjs --no-table"): runs
// stacks/synth-cli.ts through the esbuild launcher. See `npm run synth -- --help`.
import { join } from 'node:path';
import { runTs } from './run-ts.mjs';

await runTs(join(import.meta.dirname, '..', 'stacks', 'synth-cli.ts'));
