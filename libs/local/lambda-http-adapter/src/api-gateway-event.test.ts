import { request } from 'node:http';
import { readJsonObject, HttpError } from '@platform/service-runtime';
import { toApiGatewayEvent } from './api-gateway-event';
import { LocalHttpAdapter } from './local-http-adapter';

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

describe('LocalHttpAdapter', () => {
  it('lets a handler answer 400 malformed_json to a body that is not valid UTF-8', async () => {
    const adapter = await LocalHttpAdapter.start(async (event) => {
      try {
        readJsonObject(event);
        return { statusCode: 200, body: '{}' };
      } catch (err) {
        const e = err as HttpError;
        return { statusCode: e.statusCode, body: JSON.stringify({ error: { code: e.code } }) };
      }
    });
    try {
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${adapter.url}/x`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on('error', reject);
        req.end(NOT_UTF8);
      });
      expect([status, JSON.parse(body).error.code]).toEqual([400, 'malformed_json']);
    } finally {
      await adapter.close();
    }
  });
});
