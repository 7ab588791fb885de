import { findFreePort } from '@platform/local-process';
import { RelationalDatabase, type RelationalFailures } from './relational-database';
import { ServiceError } from '../service-error';

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

class NamedFailure extends Error {}

describe('RelationalDatabase failures', () => {
  let database: RelationalDatabase | undefined;
  afterEach(async () => database?.close());

  async function unreachable(failures?: RelationalFailures): Promise<RelationalDatabase> {
    const port = await findFreePort();
    database = new RelationalDatabase({ writer: { host: '127.0.0.1', port }, reader: { host: '127.0.0.1', port }, database: 'db', user: 'u', password: 'p', writeRouting: 'writer-endpoint', failures });
    return database;
  }

  it('given an unreachable database, when read and written, then both are 503 unavailable ServiceErrors with Retry-After', async () => {
    const db = await unreachable();
    for (const err of [await failureOf(db.read((c) => c.query('SELECT 1'))), await failureOf(db.write((c) => c.query('SELECT 1')))]) {
      expect(err).toBeInstanceOf(ServiceError);
      expect(err).toMatchObject({ code: 'unavailable', extra: { retryAfterSeconds: 1 } });
    }
  });

  it('given a service naming its own failures, when the reader, the writer (also read fromWriter) and the back-off fail, then each is its error', async () => {
    const failures: RelationalFailures = {
      writerUnavailable: (cause) => new NamedFailure(cause === undefined ? 'writer backing off' : 'writer'),
      readerUnavailable: () => new NamedFailure('reader'),
      timeout: () => new NamedFailure('timeout'),
    };
    const db = await unreachable(failures);
    expect(await failureOf(db.read((c) => c.query('SELECT 1')))).toEqual(new NamedFailure('reader'));
    expect(await failureOf(db.read((c) => c.query('SELECT 1'), { fromWriter: true }))).toEqual(new NamedFailure('writer'));
    expect(await failureOf(db.write((c) => c.query('SELECT 1')))).toEqual(new NamedFailure('writer'));
    expect(await failureOf(db.write((c) => c.query('SELECT 1')))).toEqual(new NamedFailure('writer backing off'));
  });
});
