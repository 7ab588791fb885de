#!/usr/bin/env node
// A stand-in for the terraform binary, for the tests of verify:terraform: behaves just
// enough like Terraform 1.11 for one run. Its `plan` reads each terraform_remote_state
// of cdk.tf.json from the S3 endpoint the config names (HeadObject) and, like
// Terraform's data source, fails with "Unable to find remote state" when the object is
// missing, unless the read has a literal `count` of 0. Never talks to AWS.
'use strict';
const fs = require('node:fs');

const args = process.argv.slice(2);
const command = args[0] ?? '';
const tf = () => JSON.parse(fs.readFileSync('cdk.tf.json', 'utf8'));
const resources = (json) =>
  Object.entries(json.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => ({ type, name })));

async function missingReads(json) {
  const missing = [];
  for (const [name, r] of Object.entries(json.data?.terraform_remote_state ?? {})) {
    if (r.count === 0) continue;
    const { bucket, key, endpoints } = r.config;
    const res = await fetch(`${endpoints.s3}/${bucket}/${key}`, {
      method: 'HEAD',
      headers: { authorization: `AWS4-HMAC-SHA256 Credential=${r.config.access_key}/20260101/${r.config.region}/s3/aws4_request, SignedHeaders=host, Signature=0` },
    });
    if (res.status === 404) missing.push(`data.terraform_remote_state.${name}`);
  }
  return missing;
}

async function main() {
  switch (command) {
    case 'version':
      process.stdout.write(JSON.stringify({ terraform_version: '1.11.4', platform: 'linux_amd64' }));
      return 0;
    case 'init':
      process.stdout.write('Terraform has been successfully initialized!\n');
      return 0;
    case 'validate':
      process.stdout.write(JSON.stringify({ valid: true, error_count: 0, warning_count: 0, diagnostics: [] }));
      return 0;
    case 'plan': {
      const json = tf();
      const missing = await missingReads(json);
      const machine = args.includes('-json');
      if (missing.length) {
        for (const address of missing) {
          const diagnostic = { severity: 'error', summary: 'Unable to find remote state', detail: 'No stored state was found for the given workspace in the given backend.', address };
          if (machine) process.stdout.write(`${JSON.stringify({ type: 'diagnostic', diagnostic })}\n`);
          else process.stderr.write(`Error: Unable to find remote state\n\n  with ${address},\n\nNo stored state was found for the given workspace in the given backend.\n`);
        }
        return 1;
      }
      const add = resources(json).length;
      // STAND_IN_CHANGES (JSON) overrides counts of the summary: a plan that is not all creates.
      const changes = { add, change: 0, import: 0, remove: 0, operation: 'plan', ...JSON.parse(process.env.STAND_IN_CHANGES ?? '{}') };
      if (machine) process.stdout.write(`${JSON.stringify({ type: 'change_summary', changes })}\n`);
      else process.stdout.write(`Plan: ${add} to add, 0 to change, 0 to destroy.\n`);
      return 0;
    }
    default:
      process.stderr.write(`stand-in terraform: no ${command}\n`);
      return 1;
  }
}

main().then((code) => process.exit(code));
