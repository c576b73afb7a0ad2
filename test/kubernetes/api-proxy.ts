/**
 * An HTTP proxy on loopback in front of the Kubernetes API double, for the network faults a watch
 * must survive and to see from the wire what a part of toolflow calls:
 *
 * - `requests`: every request forwarded, as the RBAC verb and resource it needs (`list pods`,
 *   `watch batch/jobs`, `create services`, `delete batch/jobs`…; Kubernetes docs, "Authorization":
 *   GET of a collection is list, with `watch=true` watch; GET of one object get; POST create);
 * - `gone`: watches answered 410 Gone;
 * - `freezeOpenWatches()`: the watch streams open now stop delivering anything, their connections
 *   stay open (a half-open connection: no error, no end); later requests pass;
 * - `cut()` / `restore()`: every open connection dropped and new ones refused, until restored.
 */
import { createServer, request, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** One request, as RBAC sees it. */
export interface ApiCall {
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
  /** `pods`, `services`, `batch/jobs`. */
  resource: string;
}

export interface ApiProxy {
  url: string;
  requests: ApiCall[];
  /** Watches answered 410 Gone (an HTTP status, or an ERROR event with code 410 in the stream). */
  gone: number;
  freezeOpenWatches(): void;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** The RBAC verb and resource of a request to `/api/v1/namespaces/<ns>/<resource>[/<name>]` or `/apis/<group>/<version>/…`. */
export function callOf(method: string, url: string): ApiCall | undefined {
  const u = new URL(url, 'http://x');
  const m = /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)\/namespaces\/[^/]+\/([^/]+)(?:\/([^/]+))?/.exec(u.pathname);
  if (!m) return undefined;
  const resource = m[1] ? `${m[1]}/${m[2]}` : m[2]!;
  const named = m[3] !== undefined;
  const verbs: Record<string, ApiCall['verb']> = { POST: 'create', PUT: 'update', PATCH: 'patch' };
  if (method === 'GET') return { verb: named ? 'get' : u.searchParams.get('watch') === 'true' ? 'watch' : 'list', resource };
  if (method === 'DELETE') return { verb: named ? 'delete' : 'deletecollection', resource };
  return verbs[method] ? { verb: verbs[method]!, resource } : undefined;
}

/** Starts a proxy to the double at `target` (`http://127.0.0.1:<port>`). */
export async function startApiProxy(target: string): Promise<ApiProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const watches = new Set<ServerResponse>();
  const frozen = new WeakSet<ServerResponse>();
  let down = false;
  const server = createServer((req, res) => {
    const call = callOf(req.method ?? 'GET', req.url ?? '/');
    if (call) proxy.requests.push(call);
    const up = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (call?.verb === 'watch' && answer.statusCode === 410) proxy.gone++;
      if (call?.verb === 'watch') {
        watches.add(res);
        res.on('close', () => watches.delete(res));
      }
      answer.on('data', (chunk: Buffer) => {
        if (call?.verb === 'watch' && /"type":"ERROR".*"code":410/.test(chunk.toString())) proxy.gone++;
        if (!frozen.has(res)) res.write(chunk);
      });
      answer.on('end', () => {
        if (!frozen.has(res)) res.end();
      });
      // The double cut the stream (not an end): cut ours too, unless frozen.
      answer.on('close', () => {
        if (!frozen.has(res) && !res.writableEnded) res.destroy();
      });
    });
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    req.pipe(up);
  });
  server.on('connection', (s: Socket) => {
    if (down) {
      s.destroy();
      return;
    }
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const proxy: ApiProxy = {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    requests: [],
    gone: 0,
    freezeOpenWatches() {
      for (const w of watches) frozen.add(w);
    },
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      down = false;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
  return proxy;
}
