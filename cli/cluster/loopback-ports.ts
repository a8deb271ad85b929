// Free TCP ports on 127.0.0.1 for a local cluster, keeping the ports of an earlier run in the same
// directory when they are still free (so its URLs stay the same across down and up).
import net from 'node:net';
import type { ClusterFile } from './cluster-file.js';
import type { PortOf } from './cluster-plan.js';

/** Binds 127.0.0.1:`port` (0: any) and releases it; resolves with the port, or undefined if it is taken. */
function tryBind(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : undefined));
    });
  });
}

/**
 * A port for each [process id, port name]: the one `previous` recorded if it is free now, else a fresh
 * one. Ports are free when chosen, not reserved: another program may still take one before the process binds it.
 */
export async function allocatePorts(needed: ReadonlyArray<readonly [string, string]>, previous?: ClusterFile): Promise<PortOf> {
  const chosen = new Map<string, number>();
  const taken = new Set<number>();
  for (const [id, name] of needed) {
    const before = previous?.processes.find((p) => p.id === id)?.ports[name];
    let port = before !== undefined && !taken.has(before) ? await tryBind(before) : undefined;
    while (port === undefined || taken.has(port)) port = await tryBind(0);
    taken.add(port);
    chosen.set(`${id}/${name}`, port);
  }
  return (id, name) => {
    const port = chosen.get(`${id}/${name}`);
    if (port === undefined) throw new Error(`no port allocated for ${id} ${name}`);
    return port;
  };
}
