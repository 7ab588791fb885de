import { toApiGatewayEvent } from './api-gateway-event';

const NOT_UTF8 = Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]); // {"n":"\xff\xfe"}

describe('toApiGatewayEvent', () => {
  it('sends a JSON body that is valid UTF-8 as text', () => {
    const event = toApiGatewayEvent({ method: 'POST', path: '/x', headers: { 'content-type': 'application/json' }, body: Buffer.from('{"n":"ü"}') });
    expect([event.body, event.isBase64Encoded]).toEqual(['{"n":"ü"}', false]);
  });

  it('keeps a body that is not valid UTF-8 as bytes (base64), never replacing them with U+FFFD', () => {
    const event = toApiGatewayEvent({ method: 'POST', path: '/x', headers: { 'content-type': 'application/json' }, body: NOT_UTF8 });
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64')).toEqual(NOT_UTF8);
  });
});
