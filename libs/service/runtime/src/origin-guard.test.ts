import { toApiGatewayEvent } from '@platform/lambda-http-adapter';
import { OriginGuard } from './origin-guard';

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => toApiGatewayEvent({ method, path, headers });

describe('OriginGuard', () => {
  const guard = new OriginGuard(['current-value', 'next-value']);

  it('answers 403 JSON to a request without the origin secret header', () => {
    const res = guard.check(get('/items'));
    expect(res?.statusCode).toBe(403);
    expect(JSON.parse(res!.body!)).toEqual({ error: { code: 'forbidden', message: expect.stringContaining('CloudFront') } });
  });

  it('answers 403 to a wrong value', () => {
    expect(guard.check(get('/items', { 'x-origin-verify': 'guess' }))?.statusCode).toBe(403);
  });

  it('lets both values through while the secret rotates, whatever the header case', () => {
    expect(guard.check(get('/items', { 'x-origin-verify': 'current-value' }))).toBeUndefined();
    expect(guard.check(get('/items', { 'X-Origin-Verify': 'next-value' }))).toBeUndefined();
  });

  it('keeps GET /health open for Route53, and only GET', () => {
    expect(guard.check(get('/health'))).toBeUndefined();
    expect(guard.check(get('/health', {}, 'DELETE'))?.statusCode).toBe(403);
  });

  it('checks nothing when the service has no edge in front', () => {
    expect(new OriginGuard(undefined).check(get('/items'))).toBeUndefined();
  });

  it('refuses everything before the global stack gave it a value', () => {
    expect(new OriginGuard(['NOT-YET-APPLIED']).check(get('/items', { 'x-origin-verify': 'anything' }))?.statusCode).toBe(403);
  });
});
