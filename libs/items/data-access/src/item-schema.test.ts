import { ItemsError, ITEM_LIMITS, parseItemFields, parseItemPatch } from './index';

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ItemsError);
    expect((err as ItemsError).code).toBe('validation_failed');
    return ((err as ItemsError).extra.details ?? []).map((d) => `${d.path}: ${d.message}`);
  }
  throw new Error('expected a validation error');
}

describe('parseItemFields', () => {
  it('accepts a full item and returns only its fields', () => {
    const item = { name: 'n', description: 'd', tags: ['a'], attributes: { s: 's', n: 1.5, b: false } };
    expect(parseItemFields(item)).toEqual(item);
  });

  it('counts characters as code points, so 200 emoji are a valid name', () => {
    expect(parseItemFields({ name: '😀'.repeat(ITEM_LIMITS.nameMaxChars) }).name).toHaveLength(400);
    expect(problems(() => parseItemFields({ name: '😀'.repeat(201) }))).toEqual(['name: must be 1-200 characters long']);
  });

  it('names every problem with its path', () => {
    expect(
      problems(() =>
        parseItemFields({ name: '', description: 5, tags: ['', 'x'.repeat(51)], attributes: { ok: 1, bad: { nested: true } }, colour: 'red' }),
      ),
    ).toEqual([
      'name: must be 1-200 characters long',
      'description: must be a string',
      'tags[0]: must be 1-50 characters long',
      'tags[1]: must be 1-50 characters long',
      'attributes.bad: must be a string, a number or a boolean',
      'colour: is not a field of an item (allowed: name, description, tags, attributes)',
    ]);
  });

  it('tells a client that sends server fields where they belong', () => {
    expect(problems(() => parseItemFields({ name: 'n', version: 3 }))).toEqual([
      'version: the version is maintained by the server; send the version you read in the If-Match header',
    ]);
  });

  it('enforces the count limits', () => {
    expect(problems(() => parseItemFields({ name: 'n', tags: Array(21).fill('t') }))).toEqual(['tags: must hold at most 20 tags']);
    const attributes = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));
    expect(problems(() => parseItemFields({ name: 'n', attributes }))).toEqual(['attributes: must have at most 50 keys']);
    expect(problems(() => parseItemFields({ name: 'n', description: 'x'.repeat(4001) }))).toEqual(['description: must be at most 4000 characters long']);
  });

  it('refuses numbers DynamoDB or the SDK would mangle', () => {
    for (const n of [2 ** 53, -(2 ** 53), 1e-200]) {
      expect(problems(() => parseItemFields({ name: 'n', attributes: { n } }))[0]).toMatch(/^attributes\.n: must be a number between/);
    }
  });

  it('refuses lone surrogates and a __proto__ key instead of silently changing data', () => {
    expect(problems(() => parseItemFields({ name: 'a\ud800' }))).toEqual(['name: contains an unpaired UTF-16 surrogate (invalid Unicode)']);
    expect(problems(() => parseItemFields(JSON.parse('{"name":"n","attributes":{"__proto__":"x"}}')))).toEqual([
      'attributes.__proto__: "__proto__" is not allowed as an attribute key',
    ]);
  });

  it('refuses a body that is not an object', () => {
    for (const body of [[], 'x', 1, null, true]) expect(problems(() => parseItemFields(body))).toEqual(['(root): must be a JSON object']);
  });
});

describe('parseItemPatch', () => {
  it('accepts nulls for optional fields and refuses removing the name', () => {
    expect(parseItemPatch({ description: null, attributes: { a: null } })).toEqual({ description: null, attributes: { a: null } });
    expect(problems(() => parseItemPatch({ name: null }))).toEqual(['name: must be a string']);
  });

  it('refuses an empty patch', () => {
    expect(problems(() => parseItemPatch({}))).toEqual(['(root): must contain at least one field']);
  });
});
