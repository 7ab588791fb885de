import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TopologyConfigError } from './topology-config-error';

/** What a running `npm run dev` tells other commands on this machine. */
export interface DevSession {
  readonly service: string;
  readonly environment: string;
  /** The local issuer's URL (its `/token` mints tokens). */
  readonly issuer: string;
  readonly frontDoor: string;
  readonly pid: number;
}

/** Where the session of `service` in `environment` is written: one per pair, in the temp directory. */
export function devSessionFile(service: string, environment: string, dir = join(tmpdir(), 'platform-dev')): string {
  return join(dir, `${service}-${environment}.json`);
}

/** Records a running session (readable only by this user); returns a function that removes it. */
export function writeDevSession(session: DevSession, dir?: string): () => void {
  const file = devSessionFile(session.service, session.environment, dir);
  mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(session), { mode: 0o600 });
  return () => rmSync(file, { force: true });
}

/**
 * Mints a token from the local issuer of the running `npm run dev` of `service` in
 * `environment`. Throws a one-line error when none runs.
 */
export async function requestDevToken(options: {
  readonly service: string;
  readonly environment: string;
  readonly scopes?: readonly string[];
  readonly subject?: string;
  readonly dir?: string;
}): Promise<string> {
  const file = devSessionFile(options.service, options.environment, options.dir);
  let session: DevSession;
  try {
    session = JSON.parse(readFileSync(file, 'utf8')) as DevSession;
  } catch {
    throw new TopologyConfigError(`no npm run dev is running for service ${options.service} in ${options.environment} (no ${file}); start it first, in another terminal`);
  }
  const notRunning = () =>
    new TopologyConfigError(`the npm run dev of service ${options.service} in ${options.environment} (pid ${session.pid}) is not running any more; start it again`);
  try {
    process.kill(session.pid, 0);
  } catch {
    throw notRunning();
  }
  let res: Response;
  try {
    res = await fetch(`${session.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scopes: options.scopes, subject: options.subject }),
      signal: AbortSignal.timeout(5000),
    });
  } catch {
    throw notRunning();
  }
  const body = (await res.json()) as { access_token?: string; error_description?: string };
  if (!res.ok || !body.access_token) throw new TopologyConfigError(`the local issuer refused: ${body.error_description ?? res.status}`);
  return body.access_token;
}
