import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What every local stand-in for an external provider (TaxJar, Twilio, Shopify) shares: a real HTTP
 * server on a free port of 127.0.0.1 that the provider's official client is pointed at, started and
 * stopped by the test. A subclass answers the provider's documented wire format in `handle`.
 */
export abstract class LocalProviderServer {
  port = 0;
  private readonly server = http.createServer((req, res) => void this.handle(req, res));

  protected abstract handle(req: http.IncomingMessage, res: http.ServerResponse): void | Promise<void>;

  /** Listens on `port` (0: any free one; the e2e run fixes it so the server can be configured first); answers the server's URL. */
  async start(port = 0): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Closes open connections too (a client's keep-alive would hold `close` open). */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** A JSON answer with its status. */
  protected json(res: http.ServerResponse, status: number, body: unknown, contentType = 'application/json; charset=utf-8'): void {
    res.writeHead(status, { 'content-type': contentType });
    res.end(JSON.stringify(body));
  }
}
