// Child process of the load benchmark: serves one Lambda bundle over HTTP through the
// LocalHttpAdapter and reports its URL over IPC.
//   node tools/run-ts.mjs apps/items-api/bench/serve.ts <bundle.js>
// The load benchmark runs it for the real artifact (dist/apps/items-api/index.js) and
// for the bare-SDK floor (bench/direct-handler.ts, bundled the same way). Both go
// through the same adapter, so its cost cancels out of the comparison.
import { LocalHttpAdapter, type HttpApiHandler } from '@platform/lambda-http-adapter';

async function main(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle to serve is an argument
  const inner = (require(process.argv[2]) as { handler: HttpApiHandler }).handler;
  let served = 0;
  const handler: HttpApiHandler = (event, context) => {
    served++;
    return inner(event, context);
  };
  // The parent asks for CPU time and requests served to compute CPU per request,
  // which, unlike latency, does not grow when other processes compete for the CPU.
  process.on('message', (m: { type?: string }) => {
    if (m?.type === 'stats') process.send?.({ type: 'stats', cpu: process.cpuUsage(), served });
  });
  const adapter = await LocalHttpAdapter.start(handler);
  // Exit through process.exit so that exit hooks (e.g. --cpu-prof) run.
  process.once('SIGTERM', () => adapter.close().finally(() => process.exit(0)));
  process.send?.({ type: 'ready', url: adapter.url });
}

main().catch((err: unknown) => {
  process.stderr.write(`serve: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
