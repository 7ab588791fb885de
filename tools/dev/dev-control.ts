// How `npm run rollout -- --local` reaches the topology `npm run dev` runs: dev listens
// on 127.0.0.1 (a free port) and writes the port to DEV_CONTROL_FILE; the rollout CLI
// posts the module to roll out and gets the report back. One rollout at a time.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { type Platform, UserError } from '@platform/config';
import { type RolloutResult, formatResult } from '@platform/rollout';
import { rollOutLocally } from './local-rollout';
import type { LocalTopology } from '@platform/local-topology';

/** Where a running `npm run dev` says how to reach it, relative to the workspace root. */
export const DEV_CONTROL_FILE = path.join('dist', 'local', 'dev-control.json');

/** What `POST /rollout` takes. */
export interface LocalRolloutRequest {
  /** Absolute path of the handler module to roll out. */
  readonly handlerModule: string;
  readonly bakeSeconds?: number;
  readonly watchSeconds?: number;
}

/** What it answers. */
export interface LocalRolloutResponse {
  readonly outcome: RolloutResult['outcome'];
  /** The progress lines and the summary. */
  readonly lines: readonly string[];
}

/** Starts the control endpoint of a dev topology; `close()` stops it and removes the file. */
export async function startDevControl(options: {
  readonly topology: LocalTopology;
  readonly platform: Platform;
  readonly workspaceRoot: string;
  readonly log: (line: string) => void;
}): Promise<{ close(): Promise<void> }> {
  let busy = false;
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/rollout') return send(404, { error: 'POST /rollout only' });
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      if (busy) return send(409, { error: 'a rollout is already running' });
      let body: LocalRolloutRequest;
      try {
        body = JSON.parse(text);
        if (typeof body.handlerModule !== 'string' || !existsSync(body.handlerModule)) throw new Error(`no module at ${body.handlerModule}`);
      } catch (err) {
        return send(400, { error: (err as Error).message });
      }
      busy = true;
      const lines: string[] = [];
      const log = (line: string) => {
        lines.push(line);
        options.log(`rollout: ${line}`);
      };
      rollOutLocally({ topology: options.topology, platform: options.platform, handlerModule: body.handlerModule, bakeSeconds: body.bakeSeconds, watchSeconds: body.watchSeconds, log })
        .then((report) => {
          const summary = formatResult(report.plan, report.result);
          log(summary);
          send(200, { outcome: report.result.outcome, lines } satisfies LocalRolloutResponse);
        })
        .catch((err: unknown) => send(500, { error: (err as Error)?.message ?? String(err) }))
        .finally(() => (busy = false));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const file = path.join(options.workspaceRoot, DEV_CONTROL_FILE);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ port: (server.address() as AddressInfo).port, pid: process.pid, service: options.topology.config.service, environment: options.topology.config.environment }));
  return {
    close: async () => {
      rmSync(file, { force: true });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Asks the running `npm run dev` to roll `request.handlerModule` out. */
export async function requestLocalRollout(workspaceRoot: string, request: LocalRolloutRequest): Promise<LocalRolloutResponse> {
  const file = path.join(workspaceRoot, DEV_CONTROL_FILE);
  if (!existsSync(file)) throw new UserError('no local topology is running (start it with: npm run dev)');
  const { port, pid } = JSON.parse(readFileSync(file, 'utf8')) as { port: number; pid: number };
  try {
    process.kill(pid, 0);
  } catch {
    throw new UserError(`the npm run dev that wrote ${DEV_CONTROL_FILE} (pid ${pid}) is gone; start it again with: npm run dev`);
  }
  const res = await fetch(`http://127.0.0.1:${port}/rollout`, { method: 'POST', body: JSON.stringify(request) });
  const body = (await res.json()) as LocalRolloutResponse & { error?: string };
  if (!res.ok) throw new UserError(`local rollout refused: ${body.error}`);
  return body;
}
