// A loopback HTTP proxy that forwards every request to one target and records method, URL and body
// size, so tests can see which S3 requests a client really sent (multipart parts, aborts).
import http from 'node:http';
import type net from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  bodyBytes: number;
  status?: number;
}

export class HttpRecordingProxy {
  readonly requests: RecordedRequest[] = [];
  private readonly sockets = new Set<net.Socket>();

  private constructor(private readonly server: http.Server) {}

  static async start(targetPort: number): Promise<HttpRecordingProxy> {
    const server = http.createServer();
    const proxy = new HttpRecordingProxy(server);
    server.on('connection', (socket) => {
      proxy.sockets.add(socket);
      socket.once('close', () => proxy.sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      const record: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', bodyBytes: 0 };
      proxy.requests.push(record);
      req.on('data', (d: Buffer) => (record.bodyBytes += d.length));
      const upstream = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
        record.status = up.statusCode;
        res.writeHead(up.statusCode ?? 502, up.headers);
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

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
