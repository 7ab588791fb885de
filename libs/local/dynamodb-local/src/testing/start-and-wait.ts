// Test fixture: starts DynamoDB Local, prints its process group id and endpoint as
// one JSON line, then waits to be killed. Used to prove no JVM outlives a killed parent.
import { DynamoDbLocal } from '../dynamodb-local';

DynamoDbLocal.start().then(
  (server) => {
    process.stdout.write(`${JSON.stringify({ pgid: server.pid, endpoint: server.endpoint })}\n`);
    setInterval(() => undefined, 1 << 30);
  },
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
