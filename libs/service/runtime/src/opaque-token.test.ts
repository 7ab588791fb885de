import { decodeOpaqueToken, encodeOpaqueToken } from './opaque-token';

describe('opaque tokens', () => {
  it('given an object, when encoded and decoded, then it comes back, in URL-safe characters only', () => {
    const token = encodeOpaqueToken({ v: 1, id: 'é/+?' });
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeOpaqueToken(token, 100)).toEqual({ v: 1, id: 'é/+?' });
  });

  it('given anything but such a token, when decoded, then it is undefined', () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    for (const token of ['', 'a'.repeat(101), 'not a token', '!!!', b64('not json'), b64('[1]'), b64('5'), b64('null')]) {
      expect(decodeOpaqueToken(token, 100)).toBeUndefined();
    }
  });
});
