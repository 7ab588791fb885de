import { canonicalJson, requestFingerprint } from './dynamodb';

describe('canonicalJson', () => {
  it('given the same object in two key orders, when written, then the text is the same, keys sorted, no spaces', () => {
    expect(canonicalJson({ b: [1, { d: null, c: 'x' }], a: 'q' })).toBe('{"a":"q","b":[1,{"c":"x","d":null}]}');
    expect(canonicalJson({ a: 'q', b: [1, { c: 'x', d: null }] })).toBe(canonicalJson({ b: [1, { d: null, c: 'x' }], a: 'q' }));
  });

  it('given a property whose value is undefined, when written, then it is left out as JSON does', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
  });

  it('given a normalizer, when written, then it rewrites each value with the key it stands under', () => {
    const sortSets = (value: unknown, key: string | undefined) => (key === 'SS' && Array.isArray(value) ? [...value].sort() : value);
    expect(canonicalJson({ tags: { SS: ['y', 'x'] } }, sortSets)).toBe('{"tags":{"SS":["x","y"]}}');
    expect(canonicalJson({ list: ['y', 'x'] }, sortSets)).toBe('{"list":["y","x"]}');
  });
});

describe('requestFingerprint', () => {
  it('given a body, when fingerprinted, then the value is the one stored in existing idempotency records (it must never change)', () => {
    // Computed by the implementation idempotency records were first written with.
    const body = { name: 'Lamp', tags: ['b', 'a'], attributes: { watts: 40, dimmable: true, é: 'ü' }, description: 'x' };
    expect(requestFingerprint(body)).toBe('ae39a2c24fe45ee4c631cb5259910bf72d9ac2065eea69fdf468f5488e35e248');
  });
});
