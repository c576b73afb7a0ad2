/**
 * TEST DOUBLE of the Kubernetes API (see ./README.md): the HTTP side. Routes of the real API
 * (`/api/v1/namespaces/{ns}/pods[/{name}[/status|/log]]`, `/apis/batch/v1/namespaces/{ns}/jobs...`,
 * cluster-wide lists, `/api/v1/namespaces`, discovery `/api`, `/apis`, `/version`), bearer-token
 * authentication (401), JSON bodies up to 3 MiB (413), every error as a `kind: Status` object with
 * its code. Watches (`?watch=true` or `watch=1`) are served by `watch.ts`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { RESOURCES, apiGroup, apiGroupList, apiResourceList, apiVersions, resourceFor, versionInfo, type ResourceInfo } from './kinds.js';
import type { DeleteOptions, Registry } from './registry.js';
import { ApiError, badRequest, methodNotAllowed, pathNotFound, tooLarge, unauthorized } from './status.js';
import type { WatchHub } from './watch.js';

/** Where a container's log is, for `GET .../pods/{name}/log`. */
export interface LogLocation {
  path: string;
  /** Whether the container has ended (a follow stops then). */
  ended(): boolean;
}

/** What the HTTP side needs. */
export interface ApiServerDeps {
  registry: Registry;
  watches: WatchHub;
  token: string;
  /** @throws ApiError 400 / 404 as the real server's log endpoint does. */
  podLog(ns: string, pod: string, container: string | undefined, previous: boolean): LogLocation;
}

const MAX_BODY = 3 * 1024 * 1024;

interface Route {
  r: ResourceInfo;
  ns?: string;
  name?: string;
  sub?: string;
}

function json(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(tooLarge(MAX_BODY));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(buf: Buffer): unknown {
  if (buf.length === 0) return undefined;
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}

/** `/api/v1/...` or `/apis/{group}/v1/...` → the resource addressed, or a discovery document, or null. */
function route(path: string): Route | { discovery: object } | null {
  const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let rest: string[];
  if (segs[0] === 'api') {
    if (segs.length === 1) return { discovery: apiVersions() };
    if (segs[1] !== 'v1') return null;
    group = '';
    rest = segs.slice(2);
  } else if (segs[0] === 'apis') {
    if (segs.length === 1) return { discovery: apiGroupList() };
    group = segs[1]!;
    if (!RESOURCES.some((r) => r.group === group)) return null;
    if (segs.length === 2) return { discovery: apiGroup(group) };
    if (segs[2] !== 'v1') return null;
    rest = segs.slice(3);
  } else return null;
  if (rest.length === 0) return { discovery: apiResourceList(group) };
  // namespaces/{ns}/{resource}[/{name}[/{sub}]]; or {resource}[/{name}[/{sub}]] (cluster-wide).
  if (rest[0] === 'namespaces' && rest.length >= 3 && resourceFor(group, rest[2]!)?.namespaced) {
    const r = resourceFor(group, rest[2]!)!;
    if (rest.length > 5) return null;
    return { r, ns: rest[1], name: rest[3], sub: rest[4] };
  }
  const r = resourceFor(group, rest[0]!);
  if (!r || rest.length > 3) return null;
  return { r, name: rest[1], sub: rest[2] };
}

function num(v: string | null): number | undefined {
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw badRequest(`invalid number ${JSON.stringify(v)}`);
  return n;
}

function authorized(req: IncomingMessage, token: string): boolean {
  const h = req.headers.authorization ?? '';
  const given = Buffer.from(h.startsWith('Bearer ') ? h.slice(7) : '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** Sends a container's log file (`tailLines`, `limitBytes`; `follow` streams until the container ends). */
function serveLog(res: ServerResponse, loc: LogLocation, q: URLSearchParams): void {
  const tail = num(q.get('tailLines'));
  const limit = num(q.get('limitBytes'));
  const follow = q.get('follow') === 'true' || q.get('follow') === '1';
  let text = '';
  let offset = 0;
  try {
    const size = statSync(loc.path).size;
    const fd = openSync(loc.path, 'r');
    const buf = Buffer.alloc(size);
    readSync(fd, buf, 0, size, 0);
    closeSync(fd);
    text = buf.toString('utf8');
    offset = size;
  } catch {
    /* no output yet */
  }
  if (tail !== undefined) text = text.split(/(?<=\n)/).slice(-tail).join('');
  if (limit !== undefined) text = Buffer.from(text).subarray(0, limit).toString('utf8');
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.write(text);
  if (!follow || loc.ended()) return void res.end();
  const timer = setInterval(() => {
    try {
      const size = statSync(loc.path).size;
      if (size > offset) {
        const fd = openSync(loc.path, 'r');
        const buf = Buffer.alloc(size - offset);
        readSync(fd, buf, 0, buf.length, offset);
        closeSync(fd);
        offset = size;
        res.write(buf);
      }
    } catch {
      /* removed meanwhile */
    }
    if (loc.ended()) {
      clearInterval(timer);
      res.end();
    }
  }, 100);
  res.on('close', () => clearInterval(timer));
}

/** Starts the HTTP server on 127.0.0.1:`port` (0 = any free port). */
export async function startApiServer(deps: ApiServerDeps, port = 0): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const { registry, watches } = deps;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const q = url.searchParams;
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (['/healthz', '/livez', '/readyz'].includes(path)) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      return void res.end('ok');
    }
    if (!authorized(req, deps.token)) throw unauthorized();
    if (path === '/version') return json(res, 200, versionInfo());
    const found = route(path);
    if (!found) throw pathNotFound();
    if ('discovery' in found) return json(res, 200, found.discovery);
    const { r, ns, name, sub } = found;
    const method = req.method ?? 'GET';
    const body = method === 'GET' ? undefined : parseJson(await readBody(req));
    const dryRun = q.getAll('dryRun').includes('All');

    if (name === undefined) {
      if (method === 'GET') {
        if (q.get('watch') === 'true' || q.get('watch') === '1') {
          return watches.serve(req, res, r, {
            namespace: ns,
            labelSelector: q.get('labelSelector') ?? undefined,
            fieldSelector: q.get('fieldSelector') ?? undefined,
            resourceVersion: q.get('resourceVersion') ?? undefined,
            timeoutSeconds: num(q.get('timeoutSeconds')),
            allowWatchBookmarks: q.get('allowWatchBookmarks') === 'true',
          });
        }
        const page = registry.list(r, ns, { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined, limit: num(q.get('limit')), continue: q.get('continue') ?? undefined });
        const metadata = { resourceVersion: page.resourceVersion, ...(page.continue ? { continue: page.continue, remainingItemCount: page.remainingItemCount } : {}) };
        return json(res, 200, { kind: r.listKind, apiVersion: r.apiVersion, metadata, items: page.items });
      }
      if (method === 'POST') {
        if (r.namespaced && ns === undefined) throw methodNotAllowed();
        return json(res, 201, registry.create(r, ns, body, dryRun));
      }
      if (method === 'DELETE' && ns !== undefined) {
        const opts = deleteOptions(q, body);
        const page = registry.list(r, ns, { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined });
        const items = page.items.map((o) => registry.delete(r, ns, o.metadata.name!, opts));
        return json(res, 200, { kind: r.listKind, apiVersion: r.apiVersion, metadata: { resourceVersion: String(registry.store.currentRv()) }, items });
      }
      throw methodNotAllowed();
    }
    if (sub === 'log' && r.resource === 'pods') {
      if (method !== 'GET') throw methodNotAllowed();
      registry.get(r, ns, name);
      const loc = deps.podLog(ns!, name, q.get('container') ?? undefined, q.get('previous') === 'true');
      return serveLog(res, loc, q);
    }
    if (sub !== undefined && (sub !== 'status' || !r.subresources.includes('status'))) throw pathNotFound();
    const subresource = sub === 'status' ? ('status' as const) : undefined;
    switch (method) {
      case 'GET':
        return json(res, 200, registry.get(r, ns, name));
      case 'PUT':
        return json(res, 200, registry.update(r, ns, name, body, subresource));
      case 'PATCH':
        return json(res, 200, registry.patch(r, ns, name, req.headers['content-type'] ?? 'application/json', body, subresource));
      case 'DELETE': {
        if (subresource) throw methodNotAllowed();
        const opts = deleteOptions(q, body);
        if (dryRun) opts.dryRun = ['All'];
        return json(res, 200, registry.delete(r, ns, name, opts));
      }
      default:
        throw methodNotAllowed();
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof ApiError ? err.status : { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `kube-double internal error: ${(err as Error).message}`, reason: 'InternalError', code: 500 };
      if (!(err instanceof ApiError)) process.emitWarning(`kube-double: ${(err as Error).stack ?? String(err)}`);
      if (res.headersSent) return void res.destroy();
      json(res, status.code, status);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    server,
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        watches.dropAll();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** DeleteOptions from the query, then the body (the body wins, as in the API server's delete handler). */
function deleteOptions(q: URLSearchParams, body: unknown): DeleteOptions {
  const o: DeleteOptions = {};
  const grace = num(q.get('gracePeriodSeconds'));
  if (grace !== undefined) o.gracePeriodSeconds = grace;
  const policy = q.get('propagationPolicy');
  if (policy) o.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  const orphan = q.get('orphanDependents');
  if (orphan !== null) o.orphanDependents = orphan === 'true';
  if (body && typeof body === 'object') {
    const b = body as DeleteOptions;
    if (b.gracePeriodSeconds !== undefined) o.gracePeriodSeconds = b.gracePeriodSeconds;
    if (b.propagationPolicy !== undefined) o.propagationPolicy = b.propagationPolicy;
    if (b.orphanDependents !== undefined) o.orphanDependents = b.orphanDependents;
    if (b.preconditions !== undefined) o.preconditions = b.preconditions;
    if (b.dryRun !== undefined) o.dryRun = b.dryRun;
  }
  return o;
}
