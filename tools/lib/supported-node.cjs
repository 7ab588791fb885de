// The Node versions the workspace supports are package.json's `engines.node` (caret
// ranges, e.g. "^22.13.0 || ^24.0.0"). Jest and the TypeScript launcher refuse an older
// Node (an end-of-life one) with one line saying how to get Node 24; newer majors pass.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const HOW_TO = 'put Node 24 first on PATH: export PATH="$(tools/use-node.sh):$PATH" (README, "Node")';

/** [major, minor, patch] of "24.1.0" or "v24.1.0". */
function parts(version) {
  return version.replace(/^v/, '').split('.').map((n) => Number.parseInt(n, 10) || 0);
}

function compare(a, b) {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** The lowest version an `engines.node` range of caret alternatives allows, e.g. "22.13.0". */
function lowestSupported(range) {
  const floors = range.split('||').map((alt) => /^\s*\^?(\d+\.\d+\.\d+)\s*$/.exec(alt)?.[1]);
  if (floors.length === 0 || floors.some((f) => !f)) {
    throw new Error(`package.json engines.node is "${range}"; expected caret ranges joined by ||, e.g. "^22.13.0 || ^24.0.0"`);
  }
  return floors.sort((a, b) => compare(parts(a), parts(b)))[0];
}

/** One line when `version` is older than every range in `range`, else undefined. */
function unsupportedNode(version, range) {
  const floor = lowestSupported(range);
  if (compare(parts(version), parts(floor)) >= 0) return undefined;
  return `Node ${version.replace(/^v/, '')} is running, but this workspace needs Node ${floor} or newer (package.json engines: "${range}"; 24 recommended): ${HOW_TO}`;
}

/** Throws the one-line error when the running Node is older than package.json allows. */
function assertSupportedNode(root = join(__dirname, '..', '..')) {
  const { engines } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const problem = unsupportedNode(process.versions.node, engines.node);
  if (problem) throw new Error(problem);
}

module.exports = { assertSupportedNode, lowestSupported, unsupportedNode };
