/**
 * A TCP proxy on loopback in front of a real server that can make it misbehave the way a hung or
 * slow server does, for the timeouts of the clients in front of it:
 *
 * - `hang = true`: connections are accepted and nothing is forwarded either way (a server that
 *   takes the connection and never answers); connections open at that moment freeze too;
 * - `stallResponseAfter = n`: each connection forwards the first n bytes of the server's answer,
 *   then nothing more (a server that stops in the middle of a body);
 * - `throttle = { chunkBytes, everyMs }`: the server's answer arrives in chunks of `chunkBytes`
 *   every `everyMs` ms (a slow link that still moves bytes).
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface StallingProxy {
  /** Port the proxy listens on (127.0.0.1). */
  port: number;
  hang: boolean;
  stallResponseAfter: number | undefined;
  throttle: { chunkBytes: number; everyMs: number } | undefined;
  /** Connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

/** Starts a proxy to `host:port` that forwards faithfully until told otherwise. */
export async function startStallingProxy(host: string, port: number): Promise<StallingProxy> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((client) => {
    proxy.connections++;
    sockets.add(client);
    client.on('error', () => undefined);
    client.on('close', () => sockets.delete(client));
    if (proxy.hang) return; // accepted, never answered
    const upstream = createConnection({ host, port });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => {
      sockets.delete(upstream);
      if (!proxy.hang && proxy.stallResponseAfter === undefined) client.end();
    });
    client.on('close', () => upstream.destroy());
    client.on('data', (chunk: Buffer) => {
      if (!proxy.hang) upstream.write(chunk);
    });
    let sent = 0;
    const queue: Buffer[] = [];
    let pumping = false;
    const pump = () => {
      const t = proxy.throttle;
      if (!t || pumping) return;
      pumping = true;
      const next = () => {
        const head = queue.shift();
        if (!head) {
          pumping = false;
          upstream.resume();
          return;
        }
        if (head.length > t.chunkBytes) queue.unshift(head.subarray(t.chunkBytes));
        client.write(head.subarray(0, t.chunkBytes));
        const timer = setTimeout(() => {
          timers.delete(timer);
          next();
        }, t.everyMs);
        timers.add(timer);
      };
      next();
    };
    upstream.on('data', (chunk: Buffer) => {
      if (proxy.hang) return;
      const limit = proxy.stallResponseAfter;
      if (limit !== undefined) {
        const room = Math.max(0, limit - sent);
        if (room > 0) client.write(chunk.subarray(0, room));
        sent += chunk.length;
        return;
      }
      if (proxy.throttle) {
        queue.push(chunk);
        upstream.pause();
        pump();
        return;
      }
      client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: StallingProxy = {
    port: (server.address() as { port: number }).port,
    hang: false,
    stallResponseAfter: undefined,
    throttle: undefined,
    connections: 0,
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
  return proxy;
}
