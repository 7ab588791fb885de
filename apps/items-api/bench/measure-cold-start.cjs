// Runs in a fresh Node process per sample: loads one bundle (cold init), then
// handles one GET /items/{id} (first request), and prints both times as JSON.
// Usage: node measure-cold-start.cjs <bundle.js> <item id>
const start = process.hrtime.bigint();
const { handler } = require(process.argv[2]);
const loaded = process.hrtime.bigint();
const id = process.argv[3];
const event = {
  version: '2.0', routeKey: '$default', rawPath: `/items/${id}`, rawQueryString: '', headers: {},
  requestContext: { http: { method: 'GET', path: `/items/${id}`, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' }, requestId: 'bench', routeKey: '$default', stage: '$default', time: '', timeEpoch: 0, accountId: '0', apiId: 'bench', domainName: 'localhost', domainPrefix: 'localhost' },
  isBase64Encoded: false,
};
const context = { awsRequestId: 'bench', functionName: 'bench', getRemainingTimeInMillis: () => 10000 };
Promise.resolve(handler(event, context)).then((res) => {
  const done = process.hrtime.bigint();
  process.stdout.write(JSON.stringify({ initMs: Number(loaded - start) / 1e6, firstRequestMs: Number(done - loaded) / 1e6, status: res.statusCode }) + '\n');
  process.exit(0);
}, (err) => {
  process.stderr.write(String(err && err.stack || err) + '\n');
  process.exit(1);
});
