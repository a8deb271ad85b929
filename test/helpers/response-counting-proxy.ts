// A loopback HTTP proxy in front of an S3 server that counts the response body bytes the server really
// sent, so a test can prove a ranged read did not download a whole object (whatever the client says).
import http from 'node:http';
import type net from 'node:net';

export class ResponseCountingProxy {
  /** Response body bytes received from the target, over every request. */
  responseBytes = 0;
  requests = 0;
  private readonly sockets = new Set<net.Socket>();

  private constructor(private readonly server: http.Server) {}

  static async start(targetPort: number): Promise<ResponseCountingProxy> {
    const server = http.createServer();
    const proxy = new ResponseCountingProxy(server);
    server.on('connection', (socket) => {
      proxy.sockets.add(socket);
      socket.once('close', () => proxy.sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      proxy.requests++;
      const upstream = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.on('data', (d: Buffer) => (proxy.responseBytes += d.length));
        up.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  reset(): void {
    this.responseBytes = 0;
    this.requests = 0;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
