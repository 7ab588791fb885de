import { HttpError } from './http-error';

/** The operations of the API. */
export type RouteName = 'health' | 'listItems' | 'createItem' | 'getItem' | 'replaceItem' | 'patchItem' | 'deleteItem';

/** A request matched to an operation. */
export interface RouteMatch {
  readonly name: RouteName;
  /** Route template for logs and metrics, e.g. `PUT /items/{id}`: never the raw path. */
  readonly template: string;
  /** The `{id}` path segment, still unvalidated. */
  readonly id?: string;
}

interface Resource {
  readonly template: string;
  readonly pattern: RegExp;
  readonly methods: Readonly<Record<string, RouteName>>;
}

const RESOURCES: readonly Resource[] = [
  { template: '/health', pattern: /^\/health$/, methods: { GET: 'health' } },
  { template: '/items', pattern: /^\/items$/, methods: { GET: 'listItems', POST: 'createItem' } },
  { template: '/items/{id}', pattern: /^\/items\/([^/]+)$/, methods: { GET: 'getItem', PUT: 'replaceItem', PATCH: 'patchItem', DELETE: 'deleteItem' } },
];

/**
 * Routes a request. API Gateway sends every request through the `$default` route,
 * so this is the only router: an unknown path is a 404, a known path with another
 * method a 405 carrying `Allow`.
 */
export class Router {
  match(method: string, path: string): RouteMatch {
    for (const resource of RESOURCES) {
      const found = resource.pattern.exec(path);
      if (!found) continue;
      const name = resource.methods[method];
      if (!name) {
        const allow = Object.keys(resource.methods).join(', ');
        throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${resource.template}; allowed: ${allow}`, { allow });
      }
      return { name, template: `${method} ${resource.template}`, id: found[1] };
    }
    throw new HttpError(404, 'route_not_found', `no route for ${method} ${truncate(path)}; the API serves /items, /items/{id} and /health`);
  }
}

function truncate(path: string): string {
  return path.length > 100 ? `${path.slice(0, 100)}...` : path;
}
