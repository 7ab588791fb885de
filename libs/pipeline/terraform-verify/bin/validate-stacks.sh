#!/usr/bin/env bash
# terraform validate of each synthesized stack named in $1 (comma-separated), with the
# provider version the stacks pin, installed from the registry: the real provider and
# real versions, no credentials. The pipelines run it before any plan.
#   libs/pipeline/terraform-verify/bin/validate-stacks.sh items-dev-global,items-dev-eu-west-1
set -euo pipefail
outdir="${CDKTF_OUTDIR:-cdktf.out}"
IFS=',' read -ra stacks <<< "${1:?usage: validate-stacks.sh <stack>[,<stack>...]}"
failed=0
for stack in "${stacks[@]}"; do
  dir="$outdir/stacks/$stack"
  echo "::group::terraform validate $stack"
  if terraform -chdir="$dir" init -backend=false -input=false -no-color >/dev/null &&
    terraform -chdir="$dir" validate -no-color; then
    echo "::endgroup::"
  else
    echo "::endgroup::"
    echo "::error::terraform validate failed for $stack"
    failed=1
  fi
done
exit "$failed"
