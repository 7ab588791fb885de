import type { Logger } from '@aws-lambda-powertools/logger';
import { ItemsApiFixture, REGION, call } from './testing/items-api-fixture';
import { RequestLogSampler, requestIds, samplerOptionsFromEnv } from '@platform/service-runtime';

describe('requestIds', () => {
  it('keeps a valid x-request-id the caller sent', () => {
    expect(requestIds({ 'x-request-id': 'abc-123', 'x-amz-cf-id': 'cf1' }, 'lambda-id')).toEqual({ requestId: 'abc-123', edgeRequestId: 'cf1' });
  });

  it('uses CloudFront’s id when the caller sent none, so the edge log and the function log share it', () => {
    expect(requestIds({ 'x-amz-cf-id': 'Zx9_Abc==' }, 'lambda-id')).toEqual({ requestId: 'Zx9_Abc==', edgeRequestId: 'Zx9_Abc==' });
  });

  it('falls back to the Lambda request id without either header', () => {
    expect(requestIds({}, 'lambda-id')).toEqual({ requestId: 'lambda-id' });
  });

  it('ignores an x-request-id that is too long or not inert', () => {
    expect(requestIds({ 'x-request-id': 'a'.repeat(129) }, 'lambda-id').requestId).toBe('lambda-id');
    expect(requestIds({ 'x-request-id': 'a b\nc' }, 'lambda-id').requestId).toBe('lambda-id');
  });
});

describe('RequestLogSampler', () => {
  const never = () => 0.99;

  it('always logs errors and slow requests', () => {
    const sampler = new RequestLogSampler({ sampleRate: 0, slowRequestMs: 500, random: never });

    expect(sampler.reason(500, 3)).toBe('error');
    expect(sampler.reason(404, 3)).toBe('error');
    expect(sampler.reason(200, 500)).toBe('slow');
  });

  it('logs an ordinary request when the draw falls under the rate', () => {
    const draws = [0.01, 0.5];
    const sampler = new RequestLogSampler({ sampleRate: 0.1, random: () => draws.shift()! });

    expect([sampler.reason(200, 1), sampler.reason(200, 1)]).toEqual(['sampled', undefined]);
  });

  it('logs about the configured fraction of ordinary requests', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const sampler = new RequestLogSampler({ sampleRate: 0.05, random });
    const logged = Array.from({ length: 20_000 }, () => sampler.reason(200, 1)).filter(Boolean).length;

    expect(logged / 20_000).toBeGreaterThan(0.04);
    expect(logged / 20_000).toBeLessThan(0.06);
  });

  it('rejects a rate outside 0-1', () => {
    expect(() => new RequestLogSampler({ sampleRate: 5 })).toThrow('sampleRate must be from 0 to 1, got 5');
  });

  it('reads its options from the Lambda environment, reporting bad values', () => {
    const names = { sampleRate: 'LOG_SAMPLE_RATE', slowRequestMs: 'SLOW_REQUEST_MS' };

    expect(samplerOptionsFromEnv({ LOG_SAMPLE_RATE: '0.2', SLOW_REQUEST_MS: '250' }, names)).toEqual({ options: { sampleRate: 0.2, slowRequestMs: 250 }, problems: [] });
    expect(samplerOptionsFromEnv({ LOG_SAMPLE_RATE: '20' }, names).problems).toEqual(['LOG_SAMPLE_RATE must be a number from 0 to 1, got "20"']);
  });
});

describe('the handler’s request id and log line', () => {
  jest.setTimeout(60_000);
  let fixture: ItemsApiFixture;
  beforeAll(async () => {
    fixture = await ItemsApiFixture.start();
  });
  afterAll(async () => {
    await fixture?.stop();
  });

  function recordingLogger() {
    const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
    const at = (level: string) => (message: string, fields: Record<string, unknown>) => lines.push({ level, message, fields });
    return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } as unknown as Logger };
  }

  it('returns the caller’s x-request-id and logs it with the region and the route', async () => {
    const { lines, logger } = recordingLogger();
    const api = fixture.api({ tableName: await fixture.newTable(), logger });

    const res = await call(api, 'GET', '/items', { headers: { 'x-request-id': 'trace-1' } });

    expect(res.headers['x-request-id']).toBe('trace-1');
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', fields: expect.objectContaining({ requestId: 'trace-1', region: REGION, route: 'GET /items', status: 200 }) }),
    ]);
  });

  it('creates a request id when the caller sent none', async () => {
    const api = fixture.api({ tableName: await fixture.newTable() });

    const res = await call(api, 'GET', '/items');

    expect(res.headers['x-request-id']).toMatch(/\S+/);
  });

  it('leaves ordinary requests out at a zero sample rate but logs errors', async () => {
    const { lines, logger } = recordingLogger();
    const api = fixture.api({ tableName: await fixture.newTable(), logger, requestLog: new RequestLogSampler({ sampleRate: 0 }) });

    await call(api, 'GET', '/items');
    await call(api, 'GET', '/items/not-an-id!');

    expect(lines.map((l) => [l.fields.status, l.fields.logReason])).toEqual([[400, 'error']]);
  });
});
