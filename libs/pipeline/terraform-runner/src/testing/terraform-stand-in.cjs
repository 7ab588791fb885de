#!/usr/bin/env node
// A stand-in for the terraform binary, for tests: records every call (working
// directory and arguments) as one JSON line in $TF_STANDIN_LOG and behaves just
// enough like Terraform for the runner. Never talks to AWS.
//   TF_STANDIN_FAIL   comma list of <command>:<text>; a call of <command> ("*" for any)
//                     whose working directory contains <text> exits 1
//   TF_STANDIN_NO_CHANGES  comma list of <text>; `show -json` in a matching directory
//                     prints a plan without changes
//   TF_STANDIN_DRIFT  comma list of <text>; `plan -detailed-exitcode` there exits 2
//   TF_STANDIN_PLAN_JSON   a file whose content `show -json` prints instead of the default
'use strict';
const fs = require('node:fs');

const args = process.argv.slice(2);
const cwd = process.cwd();
const command = args[0] ?? '';
const list = (name) => (process.env[name] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const matches = (name) => list(name).some((text) => cwd.includes(text));

if (process.env.TF_STANDIN_LOG) {
  fs.appendFileSync(process.env.TF_STANDIN_LOG, `${JSON.stringify({ cwd, args, at: Date.now() })}\n`);
}
for (const rule of list('TF_STANDIN_FAIL')) {
  const [cmd, text] = rule.split(':');
  if ((cmd === '*' || cmd === command) && cwd.includes(text)) {
    process.stderr.write(`stand-in terraform: failing ${command} in ${cwd} as asked\n`);
    process.exit(1);
  }
}

const planFileArg = () => args.slice(1).find((a) => !a.startsWith('-'));
const outArg = () => args.find((a) => a.startsWith('-out='))?.slice('-out='.length);

switch (command) {
  case 'version':
    process.stdout.write('Terraform v0.0.0-stand-in\n');
    break;
  case 'init':
    process.stdout.write('Terraform has been successfully initialized!\n');
    break;
  case 'plan': {
    const out = outArg();
    if (out) fs.writeFileSync(out, `stand-in plan of ${cwd} ${Date.now()} ${Math.random()}\n`);
    process.stdout.write('Plan: 1 to add, 0 to change, 0 to destroy.\n');
    if (args.includes('-detailed-exitcode') && matches('TF_STANDIN_DRIFT')) process.exit(2);
    break;
  }
  case 'show': {
    const file = planFileArg();
    if (!file || !fs.existsSync(file)) {
      process.stderr.write(`stand-in terraform: plan file ${file} not found\n`);
      process.exit(1);
    }
    if (process.env.TF_STANDIN_PLAN_JSON) {
      process.stdout.write(fs.readFileSync(process.env.TF_STANDIN_PLAN_JSON, 'utf8'));
      break;
    }
    const changes = matches('TF_STANDIN_NO_CHANGES')
      ? []
      : [
          {
            address: 'aws_s3_bucket.example',
            mode: 'managed',
            type: 'aws_s3_bucket',
            name: 'example',
            provider_name: 'registry.terraform.io/hashicorp/aws',
            change: { actions: ['create'], before: null, after: { bucket: 'example' }, after_unknown: { arn: true } },
          },
        ];
    process.stdout.write(JSON.stringify({ format_version: '1.2', terraform_version: '1.9.8', resource_changes: changes }));
    break;
  }
  case 'apply': {
    const file = planFileArg();
    if (file && !fs.existsSync(file)) {
      process.stderr.write(`stand-in terraform: plan file ${file} not found\n`);
      process.exit(1);
    }
    process.stdout.write('Apply complete!\n');
    break;
  }
  default:
    process.stdout.write(`stand-in terraform: ${args.join(' ')}\n`);
}
