// The files of a service with no data layer (`--data=none`): an API on the service
// runtime that reaches no table (its config entry turns the table off), with /health
// and one route to replace with the service's own.
import { CALL_HELPER, HANDLER_ENTRY, appProjectJson, jsonFile, projectTsconfig, type ServiceNames } from './templates';

/** Relative path (from the app's folder) -> content of every file of the app. */
export function noDataAppFiles(n: ServiceNames): Record<string, string> {
  return {
    'project.json': jsonFile(appProjectJson(n)),
    'tsconfig.json': projectTsconfig(2),
    'src/main.ts': mainTs(n),
    [`src/${n.name}-api.ts`]: apiTs(n),
    [`src/${n.name}-api.test.ts`]: testTs(n),
  };
}

function mainTs(n: ServiceNames): string {
  return `import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { OriginGuard, RequestLogSampler, readApiEnvironment } from '@platform/service-runtime';
import { create${n.pascal}Api } from './${n.name}-api';

// Runs once per cold start: only what every request needs.
const env = readApiEnvironment(process.env, '${n.name}');

const api = create${n.pascal}Api({
  region: env.region,
  logger: new Logger({ serviceName: env.serviceName }),
  requestLog: new RequestLogSampler(env.requestLog),
});

${HANDLER_ENTRY}`;
}

function apiTs(n: ServiceNames): string {
  return `import { healthCheck, jsonResponse, Router, ServiceHandler, type RequestLogSampler, type StructuredLogger } from '@platform/service-runtime';

/** The operations of the ${n.name} API. */
export type ${n.pascal}Route = 'health' | 'describe';

/** Props of {@link create${n.pascal}Api}. */
export interface ${n.pascal}ApiProps {
  readonly region: string;
  readonly logger: StructuredLogger;
  /** Which requests get an info line. @default - every request */
  readonly requestLog?: RequestLogSampler;
}

/**
 * The ${n.name} service: \`GET /health\` and \`GET /${n.name}\`. It keeps no data, so /health
 * only proves the function answers; add routes to the router and cases to the dispatch.
 */
export function create${n.pascal}Api(props: ${n.pascal}ApiProps): ServiceHandler<${n.pascal}Route> {
  return new ServiceHandler<${n.pascal}Route>({
    router: new Router<${n.pascal}Route>([
      { template: '/health', methods: { GET: 'health' } },
      { template: '/${n.name}', methods: { GET: 'describe' } },
    ]),
    dispatch: async ({ match }) => {
      switch (match.name) {
        case 'health':
          return healthCheck({ region: props.region, dependency: 'the function', ping: async () => undefined });
        case 'describe':
          return { response: jsonResponse(200, { service: '${n.name}', region: props.region }) };
      }
    },
    region: props.region,
    logger: props.logger,
    requestLog: props.requestLog,
  });
}
`;
}

function testTs(n: ServiceNames): string {
  return `import { localLambdaContext, toApiGatewayEvent } from '@platform/lambda-http-adapter';
import { create${n.pascal}Api } from './${n.name}-api';

const REGION = 'eu-west-1';
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const freshApi = async () => create${n.pascal}Api({ region: REGION, logger: silent });

${CALL_HELPER}
describe('${n.app}', () => {
  it('answers /health with 200 and its region', async () => {
    const res = await call(await freshApi(), 'GET', '/health');
    expect([res.status, res.body.status, res.body.region]).toEqual([200, 'ok', REGION]);
  });

  it('answers GET /${n.name}', async () => {
    const res = await call(await freshApi(), 'GET', '/${n.name}');
    expect([res.status, res.body]).toEqual([200, { service: '${n.name}', region: REGION }]);
  });

  it('answers an unknown path with 404 route_not_found', async () => {
    expect((await call(await freshApi(), 'GET', '/nope')).body.error.code).toBe('route_not_found');
  });
});
`;
}
