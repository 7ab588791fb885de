// Child process of a RegionApi: one region's API. Loads the service's Lambda entry
// module (LOCAL_TOPOLOGY_HANDLER_MODULE, exporting `handler`) with this process's
// environment as its Lambda environment, serves it through the items-api
// LocalHttpAdapter (API Gateway HTTP API v2 events) on 127.0.0.1, and reports its URL
// over IPC. Exits when the parent goes away.
//   node tools/run-ts.mjs libs/local/topology/src/region-api-main.ts
import { LocalHttpAdapter, type HttpApiHandler } from '@platform/lambda-http-adapter';
import { LocalJwtAuthorizer } from './local-jwt-authorizer';

// The AWS SDK warns once per process that its 2027 releases will need Node 22. Every
// region is a process, so the topology would print it once per region; it says
// nothing about the topology, and the parent process still shows it once.
const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : warning?.message;
  if (typeof text === 'string' && text.startsWith('NodeVersionSupportWarning')) return;
  emitWarning(warning, ...rest);
}) as typeof process.emitWarning;

async function main(): Promise<void> {
  // No parent, no reason to live: an orphaned region would hold its port.
  process.on('disconnect', () => process.exit(0));
  // Ctrl-C in a terminal reaches the whole process group; the parent stops the regions
  // itself (SIGTERM), after the front door, so requests do not fail half-way.
  process.on('SIGINT', () => undefined);
  // The region's JWT authorizer runs before the function, as API Gateway's does; the
  // variable is the topology's, so the function does not see it.
  const authorizerProps = process.env.LOCAL_TOPOLOGY_AUTHORIZER;
  delete process.env.LOCAL_TOPOLOGY_AUTHORIZER;
  const modulePath = process.env.LOCAL_TOPOLOGY_HANDLER_MODULE;
  if (!modulePath) throw new Error('LOCAL_TOPOLOGY_HANDLER_MODULE is not set');
  const port = Number(process.env.LOCAL_TOPOLOGY_PORT ?? '0');
  const { handler } = require(modulePath) as { handler?: HttpApiHandler };
  if (typeof handler !== 'function') throw new Error(`${modulePath} does not export a function named "handler"`);
  const adapter = await LocalHttpAdapter.start(authorizerProps ? behindAuthorizer(handler, new LocalJwtAuthorizer(JSON.parse(authorizerProps))) : handler, { port });
  process.once('SIGTERM', () => void adapter.close().finally(() => process.exit(0)));
  process.send?.({ type: 'ready', url: adapter.url });
}

/** The handler behind the authorizer: a denied request never reaches it; an allowed one carries the claims. */
function behindAuthorizer(handler: HttpApiHandler, authorizer: LocalJwtAuthorizer): HttpApiHandler {
  return async (event, context) => {
    const verdict = await authorizer.authorize(event);
    if (!verdict.allowed) return verdict.response;
    const requestContext = { ...event.requestContext, routeKey: verdict.routeKey, ...(verdict.jwt ? { authorizer: { jwt: verdict.jwt } } : {}) };
    return handler({ ...event, routeKey: verdict.routeKey, requestContext } as typeof event, context);
  };
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
