/**
 * TEST DOUBLE of the Kubernetes API (see ./README.md): watch streams, as the API server's watch
 * cache serves them (k8s.io/apiserver/pkg/storage/cacher): HTTP 200 with newline-delimited JSON
 * `{"type": ..., "object": ...}`. No or a `0` resourceVersion starts with synthetic ADDED events for
 * every current object; a resourceVersion replays the events after it, or, when compacted away,
 * sends one ERROR event carrying a 410 Expired Status and ends (what the client's informers relist
 * on). Objects that start or stop matching the selectors come as ADDED / DELETED. BOOKMARK events
 * when `allowWatchBookmarks=true`; `timeoutSeconds` ends the stream cleanly; `dropAll()` cuts every
 * stream mid-flight (a dropped connection).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceInfo } from './kinds.js';
import type { ObjectStore, StoreEvent } from './object-store.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { badRequest, expired } from './status.js';
import type { KubeObject } from './types.js';

/** Query parameters of a watch. */
export interface WatchParams {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
}

/** The open watch streams of one server. */
export class WatchHub {
  private readonly open = new Set<ServerResponse>();

  /** @param bookmarkMs milliseconds between two BOOKMARK events (the real server: about a minute). */
  constructor(
    private readonly store: ObjectStore,
    private readonly bookmarkMs: number,
  ) {}

  /** Number of open watch streams. */
  get count(): number {
    return this.open.size;
  }

  /**
   * Serves one watch on `res`.
   * @throws ApiError 400 (bad selector or resourceVersion) before anything is written.
   */
  serve(req: IncomingMessage, res: ServerResponse, r: ResourceInfo, p: WatchParams): void {
    const labels = parseLabelSelector(p.labelSelector);
    const fields = parseFieldSelector(p.fieldSelector, r.resource);
    const rvText = p.resourceVersion ?? '';
    const fromStart = rvText === '' || rvText === '0';
    const rv = fromStart ? 0 : Number(rvText);
    if (!fromStart && (!Number.isInteger(rv) || rv < 0)) throw badRequest(`resourceVersion: Invalid value: ${JSON.stringify(rvText)}: must be a non-negative integer`);
    const matches = (o: KubeObject | undefined) => !!o && (p.namespace === undefined || o.metadata.namespace === p.namespace) && labels(o.metadata.labels) && fields(o);
    const withKind = (o: KubeObject) => ({ apiVersion: r.apiVersion, kind: r.kind, ...o });
    const send = (type: string, object: unknown) => {
      if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify({ type, object })}\n`);
    };

    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    if (!fromStart) {
      const replay = this.store.eventsAfter(rv);
      if (replay === 'expired') {
        send('ERROR', expired(rv, this.store.oldestRv() - 1).status);
        res.end();
        return;
      }
    }
    const onEvent = (e: StoreEvent) => {
      if (e.resource !== r.resource) return;
      const now = e.type !== 'DELETED' && matches(e.object);
      const before = e.type !== 'ADDED' && matches(e.previous);
      if (e.type === 'DELETED') {
        if (before) send('DELETED', withKind(e.object));
      } else if (now && before) send('MODIFIED', withKind(e.object));
      else if (now) send('ADDED', withKind(e.object));
      else if (before) send('DELETED', withKind(e.object));
    };
    // Subscribing and replaying in one synchronous step: no write can fall in between.
    const unsubscribe = this.store.subscribe(onEvent);
    if (fromStart) {
      for (const o of this.store.list(r.resource, p.namespace)) if (matches(o)) send('ADDED', withKind(o));
    } else {
      for (const e of this.store.eventsAfter(rv) as StoreEvent[]) onEvent(e);
    }
    this.open.add(res);

    const bookmark = () => send('BOOKMARK', { apiVersion: r.apiVersion, kind: r.kind, metadata: { resourceVersion: String(this.store.currentRv()) } });
    const timers: NodeJS.Timeout[] = [];
    if (p.allowWatchBookmarks) timers.push(setInterval(bookmark, this.bookmarkMs));
    if (p.timeoutSeconds !== undefined && p.timeoutSeconds > 0) {
      timers.push(
        setTimeout(() => {
          if (p.allowWatchBookmarks) bookmark();
          res.end();
        }, p.timeoutSeconds * 1000),
      );
    }
    const cleanup = () => {
      unsubscribe();
      for (const t of timers) clearTimeout(t);
      this.open.delete(res);
    };
    res.on('close', cleanup);
    req.on('close', cleanup);
  }

  /** Cuts every open stream abruptly (the TCP connection is destroyed, no clean end). */
  dropAll(): void {
    for (const res of [...this.open]) {
      this.open.delete(res);
      res.socket?.destroy();
      res.destroy();
    }
  }
}
