import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError } from './config-error';
import { findDuplicateKeys } from './duplicate-keys';
import { loadPlatform, parsePlatformJson } from './load';
import { platformFixture, withEnvironment, withRegion, withService } from './testing/platform-fixture';

const dir = mkdtempSync(path.join(tmpdir(), 'platform-config-'));

/** Writes `text` to a file of its own and returns its path. */
function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** The problems loading `text` reports, as `path: message` lines. */
function loadProblems(text: string): string[] {
  try {
    loadPlatform(file(`config-${Math.random().toString(36).slice(2)}.json`, text));
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  throw new Error('config was accepted');
}

/** The fixture as pretty JSON, with `line` spliced in after the first line containing `after`. */
function withLine(after: string, line: string): string {
  const lines = JSON.stringify(platformFixture(), null, 2).split('\n');
  const at = lines.findIndex((l) => l.includes(after));
  lines.splice(at + 1, 0, line);
  return lines.join('\n');
}

describe('loading a config file', () => {
  it('names the file and the line of a JSON syntax error', () => {
    const broken = file('broken.json', '{\n  "organization": "acme",\n  "environments": {,}\n}\n');
    expect(() => loadPlatform(broken)).toThrow(/broken\.json: \(root\): not valid JSON: .* at line 3, column 20/);
  });

  it('says so when the file does not exist', () => {
    expect(() => loadPlatform(path.join(dir, 'nope.json'))).toThrow(/nope\.json: \(root\): cannot read the config: file not found/);
  });

  it('loads a valid file', () => {
    expect(loadPlatform(file('valid.json', JSON.stringify(platformFixture()))).services.map((s) => s.name)).toEqual(['items', 'orders']);
  });
});

describe('duplicate keys', () => {
  it('rejects a top-level key written twice, naming the line of each', () => {
    const text = withLine('"organization"', '  "organization": "other",');
    expect(loadProblems(text)).toEqual([
      'organization: duplicate key "organization" at line 3, column 3 (first at line 2); JSON keeps only the last one, so merge or rename them',
    ]);
  });

  it('rejects a service written twice, which would drop the first', () => {
    const text = withLine('"services"', '    "items": { "app": "other-api" },');
    const services = text.split('\n').findIndex((l) => l.includes('"services"')) + 1;
    expect(loadProblems(text)).toEqual([
      `services.items: duplicate key "items" at line ${services + 2}, column 5 (first at line ${services + 1}); JSON keeps only the last one, so merge or rename them`,
    ]);
  });

  it('rejects an environment written twice with a different account id', () => {
    const text = withLine('"environments"', '    "prod": { "accountId": "999999999999", "domain": "example.com", "regions": ["eu-west-1"] },');
    const lines = text.split('\n');
    const second = lines.findIndex((l, i) => l.startsWith('    "prod"') && !l.includes('999999999999') && i > 0) + 1;
    const first = lines.findIndex((l) => l.includes('999999999999')) + 1;
    expect(loadProblems(text)).toEqual([
      `environments.prod: duplicate key "prod" at line ${second}, column 5 (first at line ${first}); JSON keeps only the last one, so merge or rename them`,
    ]);
  });

  it('rejects a key repeated deep inside, and one inside an array element, each on a line of its own', () => {
    const text = '{\n  "a": { "b": { "c": 1, "c": 2 } },\n  "list": [\n    {},\n    { "x": 1,\n      "x": 2 }\n  ]\n}\n';
    expect(findDuplicateKeys(text)).toEqual([
      { path: ['a', 'b', 'c'], line: 2, column: 25, firstLine: 2 },
      { path: ['list', 1, 'x'], line: 6, column: 7, firstLine: 5 },
    ]);
    const problems = () => loadPlatform(file('deep.json', text));
    expect(problems).toThrow(/deep\.json: a\.b\.c: duplicate key "c" at line 2, column 25 \(first at line 2\)/);
    expect(problems).toThrow(/deep\.json: list\[1\]\.x: duplicate key "x" at line 6, column 7 \(first at line 5\)/);
  });

  it('reads keys as JSON does: escapes, and the same name in different objects is no duplicate', () => {
    expect(findDuplicateKeys('{"a\\u0062": 1, "ab": 2, "s": "}\\"{", "n": [1, -2.5e3, true, null]}')).toEqual([
      { path: ['ab'], line: 1, column: 16, firstLine: 1 },
    ]);
    expect(findDuplicateKeys('{"a": {"k": 1}, "b": {"k": 1}, "c": [{"k": 1}, {"k": 1}]}')).toEqual([]);
  });
});

describe('parsing config text (e.g. a version from git)', () => {
  it('checks duplicate keys too, naming the source given', () => {
    expect(() => parsePlatformJson('{"organization": "acme", "organization": "acme"}', 'config/platform.json@abc1234')).toThrow(
      /config\/platform\.json@abc1234: organization: duplicate key "organization" at line 1, column 26/,
    );
  });
});

describe('the test fixture', () => {
  it('is a valid config, and stays one with a service, a region and an environment added', () => {
    const grown = withEnvironment(withRegion(withService(platformFixture(), 'payments'), 'staging', 'eu-central-1'), 'qa', {
      accountId: '555555555555',
      domain: 'qa.example.com',
      regions: ['us-west-2'],
    });
    const stacks = parsePlatformJson(JSON.stringify(grown), 'fixture').stacks.map((s) => s.name);
    expect(stacks).toEqual(expect.arrayContaining(['payments-qa-us-west-2', 'items-staging-eu-central-1', 'items-qa-global']));
    expect(parsePlatformJson(JSON.stringify(platformFixture()), 'fixture').stacks).toHaveLength(18);
  });
});

describe('config input a user gets wrong once', () => {
  it('refuses a config with no services in one line saying how to add one', () => {
    expect(loadProblems(JSON.stringify({ ...platformFixture(), services: {} }))).toEqual([
      'services: no services, so there is nothing to synthesize; add one with: npx nx g @platform/nx-plugin:service <name> (got {})',
    ]);
  });

  // Windows editors (Notepad's "UTF-8 with BOM") write EF BB BF first; it carries no content.
  it('accepts a file that starts with a UTF-8 byte-order mark', () => {
    const p = path.join(dir, 'bom.json');
    writeFileSync(p, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(platformFixture(), null, 2))]));
    expect(loadPlatform(p).services.map((s) => s.name)).toEqual(['items', 'orders']);
  });

  it.each([
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
  ])('says region %s is in the %s partition, which the platform does not support, instead of suggesting a look-alike', (region, partition) => {
    const config = platformFixture();
    config.environments.dev.regions = ['eu-west-1', region];
    expect(loadProblems(JSON.stringify(config))).toEqual([
      `environments.dev.regions[1]: a region of the ${partition} partition; the platform supports the aws partition (commercial regions) only (got "${region}")`,
    ]);
  });
});
