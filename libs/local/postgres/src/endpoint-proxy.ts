import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP endpoint whose target can be moved: what a DNS name that follows a role is in
 * AWS (Aurora's global writer endpoint, a global datastore's primary endpoint). Moving
 * it (or pointing it nowhere) closes the connections open through it, as a writer that
 * moved or died closes them; new connections reach the new target.
 */
export class EndpointProxy {
  static async start(target: { host: string; port: number } | undefined, port = 0): Promise<EndpointProxy> {
    const proxy = new EndpointProxy(target);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = proxy.server.address();
    proxy.port = typeof address === 'object' && address ? address.port : 0;
    return proxy;
  }

  port = 0;
  private readonly server: Server;
  private readonly open = new Set<Socket>();

  private constructor(private current: { host: string; port: number } | undefined) {
    this.server = createServer((client) => this.accept(client));
  }

  get host(): string {
    return '127.0.0.1';
  }

  /** The server behind the endpoint, or undefined when it leads nowhere (connections are refused). */
  get target(): { host: string; port: number } | undefined {
    return this.current;
  }

  /** Points the endpoint at another server (undefined: nowhere) and drops the connections to the old one. */
  moveTo(target: { host: string; port: number } | undefined): void {
    this.current = target;
    for (const socket of this.open) socket.destroy();
    this.open.clear();
  }

  async close(): Promise<void> {
    this.moveTo(undefined);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const target = this.current;
    if (!target) {
      // Nothing behind the name: the client sees a reset, as for a dead host.
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection(target);
    this.open.add(client);
    this.open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.open.delete(client);
      this.open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
