import { findFreePort } from '@platform/local-process';
import { OrdersDatabase } from './orders-database';
import { OrdersError } from './orders-error';

describe('OrdersDatabase failures (the orders API contract: codes and Retry-After)', () => {
  it('given an unreachable database, then reads are database_unavailable (2 s), writes and reads fromWriter primary_unavailable (1 s)', async () => {
    const port = await findFreePort();
    const database = new OrdersDatabase({ writer: { host: '127.0.0.1', port }, reader: { host: '127.0.0.1', port }, database: 'orders', user: 'u', password: 'p', writeRouting: 'writer-endpoint' });
    const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (err: unknown) => err as OrdersError);
    try {
      const read = await failure(database.read((c) => c.query('SELECT 1')));
      const fromWriter = await failure(database.read((c) => c.query('SELECT 1'), { fromWriter: true }));
      const write = await failure(database.write((c) => c.query('SELECT 1')));
      const duringBackoff = await failure(database.write((c) => c.query('SELECT 1')));
      for (const err of [read, fromWriter, write, duringBackoff]) expect(err).toBeInstanceOf(OrdersError);
      expect([read, fromWriter, write, duringBackoff].map((e) => [e?.code, e?.extra.retryAfterSeconds])).toEqual([
        ['database_unavailable', 2],
        ['primary_unavailable', 1],
        ['primary_unavailable', 1],
        ['primary_unavailable', 1],
      ]);
    } finally {
      await database.close();
    }
  });
});
