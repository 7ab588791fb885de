import { HttpError } from './http-error';

/** A request matched to an operation. */
export interface RouteMatch<N extends string = string> {
  readonly name: N;
  /** Route template for logs and metrics, e.g. `PUT /items/{id}`: never the raw path. */
  readonly template: string;
  /** The `{id}` path segment, still unvalidated (when the template has one). */
  readonly id?: string;
}

/** One path of the API and the operation each method runs on it. */
export interface RouteDefinition<N extends string = string> {
  /** `/items` or `/items/{id}`: literal segments and at most one `{id}` segment. */
  readonly template: string;
  /** HTTP method (upper case) -> operation name. */
  readonly methods: Readonly<Record<string, N>>;
}

interface CompiledRoute<N extends string> extends RouteDefinition<N> {
  readonly pattern: RegExp;
}

const SEGMENT = /^(?:[A-Za-z0-9._~-]+|\{id\})$/;

/**
 * Routes a request. API Gateway sends every request through the `$default` route,
 * so this is the only router: an unknown path is a 404 naming the paths served, a
 * known path with another method a 405 carrying `Allow`.
 */
export class Router<N extends string = string> {
  private readonly routes: readonly CompiledRoute<N>[];

  constructor(routes: readonly RouteDefinition<N>[]) {
    this.routes = routes.map((route) => ({ ...route, pattern: compile(route.template) }));
  }

  /** The paths this router serves, for error messages and docs. */
  get templates(): readonly string[] {
    return this.routes.map((r) => r.template);
  }

  match(method: string, path: string): RouteMatch<N> {
    for (const route of this.routes) {
      const found = route.pattern.exec(path);
      if (!found) continue;
      const name = Object.prototype.hasOwnProperty.call(route.methods, method) ? route.methods[method] : undefined;
      if (!name) {
        const allow = Object.keys(route.methods).join(', ');
        throw new HttpError(405, 'method_not_allowed', `${truncate(method, 20)} is not allowed on ${route.template}; allowed: ${allow}`, { allow });
      }
      return { name, template: `${method} ${route.template}`, id: found[1] };
    }
    throw new HttpError(404, 'route_not_found', `no route for ${truncate(method, 20)} ${truncate(path, 100)}; the API serves ${joinAnd(this.templates)}`);
  }
}

function compile(template: string): RegExp {
  const segments = template.split('/').slice(1);
  if (!template.startsWith('/') || segments.some((s) => !SEGMENT.test(s)) || segments.filter((s) => s === '{id}').length > 1) {
    throw new Error(`Router: route template "${template}" must be /-separated literal segments and at most one {id}`);
  }
  const body = segments.map((s) => (s === '{id}' ? '([^/]+)' : s.replace(/[.]/g, '\\.'))).join('\\/');
  return new RegExp(`^\\/${body}$`);
}

function joinAnd(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}
