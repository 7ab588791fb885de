// Issue 23 #3: a workflow may use only the action pins in .github/approved-actions.json,
// and that list may hold only releases that still run on GitHub-hosted runners. Node 20
// was removed from them on 2026-09-16
// (https://github.blog/changelog/2025-09-19-deprecation-of-node-20-on-github-actions-runners/),
// so an action whose action.yml says `using: node20` (or older) no longer runs as
// written. Pins are read from the workflow text, not the parsed YAML, so the tag comment
// beside each SHA is checked too.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** One approved release of an action: its tag, the commit the tag points at, and runs.using of its action.yml there. */
interface ApprovedAction {
  readonly action: string;
  readonly tag: string;
  readonly sha: string;
  readonly runtime: string;
}

const LIST = '.github/approved-actions.json';
const DIR = join(__dirname, 'workflows');
const approved = (JSON.parse(readFileSync(join(__dirname, 'approved-actions.json'), 'utf8')) as { actions: ApprovedAction[] }).actions;
const workflows = Object.fromEntries(
  readdirSync(DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => [`.github/workflows/${f}`, readFileSync(join(DIR, f), 'utf8')]),
);

const USES = /^\s*(?:-\s+)?uses:\s*['"]?([^'"\s#]+)['"]?\s*(?:#\s*(\S+))?/;

/** Every `uses:` of an action (reusable workflows in this repository excepted) that is not an approved pin, as one line each. */
function unapprovedPins(files: Record<string, string>, list: readonly ApprovedAction[]): string[] {
  const findings: string[] = [];
  for (const [file, text] of Object.entries(files)) {
    text.split('\n').forEach((line, i) => {
      const m = USES.exec(line);
      if (!m || m[1].startsWith('./')) return;
      const [ref, comment] = [m[1], m[2]];
      const [action, sha] = ref.split('@');
      const entry = list.find((a) => a.action === action && a.sha === sha);
      const where = `${file}:${i + 1}`;
      if (!entry) {
        const known = list.filter((a) => a.action === action).map((a) => `${a.sha} # ${a.tag}`);
        findings.push(
          `${where}: ${ref}${comment ? ` (# ${comment})` : ''} is not in ${LIST}; ` +
            (known.length
              ? `pin an approved release: ${action}@${known.join(' or ')}`
              : `add the release to the list (tag, commit SHA, runs.using of its action.yml) after reading its release notes`),
        );
      } else if (comment !== entry.tag) {
        findings.push(`${where}: ${ref} is ${entry.tag} in ${LIST} but its comment says "${comment ?? '(none)'}"; write "# ${entry.tag}"`);
      }
    });
  }
  return findings;
}

/** Entries whose runtime no longer runs on hosted runners (node20 or older) or is not a runtime at all. */
function retiredRuntimes(list: readonly ApprovedAction[]): string[] {
  return list.flatMap((a) => {
    const node = /^node(\d+)$/.exec(a.runtime);
    if (node ? Number(node[1]) > 20 : a.runtime === 'docker' || a.runtime === 'composite') return [];
    return [
      `${LIST}: ${a.action} ${a.tag} runs on "${a.runtime}", which GitHub-hosted runners no longer run (node20 and older were removed 2026-09-16); approve a release whose action.yml says using: node24, docker or composite`,
    ];
  });
}

describe('approved action pins', () => {
  it('every action a workflow uses is an approved pin with its tag in the comment', () => {
    expect(unapprovedPins(workflows, approved)).toEqual([]);
  });

  it('the list approves no action that runs on node20 or older', () => {
    expect(retiredRuntimes(approved)).toEqual([]);
  });

  it('the list holds no entry the workflows do not use', () => {
    const used = Object.values(workflows).join('\n');
    expect(approved.filter((a) => !used.includes(`${a.action}@${a.sha}`)).map((a) => `${a.action} ${a.tag}`)).toEqual([]);
  });

  it('given a workflow still on actions/checkout v4.2.2, when checked, then the old pin is reported with the approved one', () => {
    const old = { 'old.yml': 'jobs:\n  a:\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n' };

    expect(unapprovedPins(old, approved)).toEqual([
      'old.yml:4: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 (# v4.2.2) is not in .github/approved-actions.json; pin an approved release: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1',
    ]);
  });

  it('given an approved SHA whose comment names another tag, when checked, then the comment is reported', () => {
    const wrong = { 'w.yml': '      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v4\n' };

    expect(unapprovedPins(wrong, approved)).toEqual([
      'w.yml:1: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 is v7.0.1 in .github/approved-actions.json but its comment says "v4"; write "# v7.0.1"',
    ]);
  });

  it('given an action the list does not know and a reusable workflow of this repository, then only the action is reported', () => {
    const text = { 'x.yml': '    uses: ./.github/workflows/deploy-wave.yml\n      - uses: someone/thing@v1\n' };

    expect(unapprovedPins(text, approved)).toEqual([
      'x.yml:2: someone/thing@v1 is not in .github/approved-actions.json; add the release to the list (tag, commit SHA, runs.using of its action.yml) after reading its release notes',
    ]);
  });

  it('given an entry on node20, when checked, then it is refused', () => {
    const node20: ApprovedAction = { action: 'actions/checkout', tag: 'v4.2.2', sha: '11bd71901bbe5b1630ceea73d27597364c9af683', runtime: 'node20' };

    expect(retiredRuntimes([...approved, node20])).toEqual([
      '.github/approved-actions.json: actions/checkout v4.2.2 runs on "node20", which GitHub-hosted runners no longer run (node20 and older were removed 2026-09-16); approve a release whose action.yml says using: node24, docker or composite',
    ]);
  });
});
