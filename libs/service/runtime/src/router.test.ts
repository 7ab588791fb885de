import { HttpError } from './http-error';
import { Router } from './router';

const router = new Router([
  { template: '/health', methods: { GET: 'health' } },
  { template: '/things/{id}', methods: { GET: 'get', PUT: 'put' } },
]);

describe('Router', () => {
  it('matches a path with an id and names the route by its template', () => {
    expect(router.match('PUT', '/things/abc')).toEqual({ name: 'put', template: 'PUT /things/{id}', id: 'abc' });
  });

  it('answers 405 with Allow to a known path with another method', () => {
    const err = (() => {
      try {
        router.match('DELETE', '/things/abc');
      } catch (e) {
        return e as HttpError;
      }
    })();
    expect([err?.statusCode, err?.code, err?.headers.allow]).toEqual([405, 'method_not_allowed', 'GET, PUT']);
  });

  it('answers 404 naming the served paths to an unknown path', () => {
    expect(() => router.match('GET', '/nope')).toThrow('the API serves /health and /things/{id}');
  });

  it('does not treat Object.prototype names as methods', () => {
    expect(() => router.match('constructor', '/health')).toThrow(HttpError);
  });

  it('refuses a template with two ids', () => {
    expect(() => new Router([{ template: '/a/{id}/{id}', methods: {} }])).toThrow('at most one {id}');
  });
});
