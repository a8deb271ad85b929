// A socket connected to itself (simultaneous open on one loopback port) is recognised; a normal one is not.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isSelfConnected } from '../../../common/index.js';
import { freePort } from '../../helpers/free-port.js';

function connect(options: net.NetConnectOpts): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(options);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('isSelfConnected', () => {
  const sockets: net.Socket[] = [];
  const servers: net.Server[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });

  it('is true for a connection from a loopback port to itself', async () => {
    const port = await freePort();
    const self = await connect({ host: '127.0.0.1', port, localAddress: '127.0.0.1', localPort: port });
    sockets.push(self);
    expect(isSelfConnected(self)).toBe(true);
  });

  it('is false for a connection to a listening server', async () => {
    const server = net.createServer((s) => sockets.push(s));
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const normal = await connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
    sockets.push(normal);
    expect(isSelfConnected(normal)).toBe(false);
  });
});
