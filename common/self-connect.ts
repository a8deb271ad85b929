// TCP "self-connect": a connect to a loopback port nobody listens on can succeed when the kernel picks
// that same port as the connection's own source port (ports in the ephemeral range, e.g. a server
// started with port 0 that is down). The socket then talks to itself — every request comes back as
// itself and is never answered — and while it lives it holds the port, so the restarted server
// cannot bind it. Connectors check for it and treat it as "nothing listens there".

import type net from 'node:net';

export function isSelfConnected(socket: net.Socket): boolean {
  return socket.localPort !== undefined && socket.localPort === socket.remotePort && socket.localAddress === socket.remoteAddress;
}

/** The error a connector fails with when its just-connected socket reached itself; undefined otherwise. */
export function selfConnectError(socket: net.Socket): Error | undefined {
  return isSelfConnected(socket) ? new Error('nothing listens there (the connection reached itself)') : undefined;
}
