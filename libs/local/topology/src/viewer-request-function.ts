import { Script, createContext } from 'node:vm';

/** The origin group a CloudFront Function built for one request (`cf.createRequestOriginGroup`). */
export interface RequestOriginGroup {
  readonly originIds: readonly { readonly originId: string }[];
  readonly failoverCriteria: { readonly statusCodes: readonly number[] };
}

const IMPORT_CLOUDFRONT = /^import cf from ['"]cloudfront['"];?\s*$/m;

/**
 * Runs the source of a viewer-request CloudFront Function (the one the distribution is
 * given) on each request, as the edge would, with the `cloudfront` module's origin
 * helper replaced by a recorder: what it returns is the origin group the function
 * asked for, or undefined when it left the request on the behaviour's origin.
 * Runs in its own V8 context: the function sees no Node.js globals.
 */
export class ViewerRequestFunction {
  private readonly handler: (event: unknown) => unknown;
  private group: RequestOriginGroup | undefined;

  /** `random`: what the function's `Math.random` returns (a seeded source makes runs repeatable). @default Math.random */
  constructor(code: string, random?: () => number) {
    if (!IMPORT_CLOUDFRONT.test(code)) throw new Error("the viewer-request function does not import cf from 'cloudfront'");
    const context: Record<string, unknown> = createContext({
      cf: {
        createRequestOriginGroup: (group: RequestOriginGroup) => {
          this.group = group;
        },
      },
    });
    if (random) {
      context.__random = random;
      new Script('Math.random = __random; delete globalThis.__random;').runInContext(context);
    }
    this.handler = new Script(`${code.replace(IMPORT_CLOUDFRONT, '')}\nhandler;`, { filename: 'viewer-request-function.js' }).runInContext(context) as (event: unknown) => unknown;
  }

  /** The origin group the function builds for `method` on `uri` (a path, no query string). */
  originGroupFor(method: string, uri: string): RequestOriginGroup | undefined {
    this.group = undefined;
    this.handler({ version: '1.0', context: { eventType: 'viewer-request' }, request: { method, uri, querystring: {}, headers: {}, cookies: {} } });
    const group = this.group;
    this.group = undefined;
    return group;
  }
}
