/**
 * List + watch of one collection (a task's Pods, its Jobs) that does not lose what happens: the
 * Kubernetes "efficient detection of changes" protocol (API concepts: list, then watch from the
 * list's `resourceVersion`; `410 Gone` — a resourceVersion compacted away — means list again), with
 * what a client must add itself:
 *
 * - a client-side deadline: the server is asked to end each watch after `serverTimeoutSeconds`
 *   (`timeoutSeconds`); a watch still open `deadlineMarginSeconds` later, or one whose request never
 *   got an answer, is abandoned and resumed from the last resourceVersion seen (a half-open
 *   connection says nothing, ever);
 * - relist after `410 Gone` and after any watch or list error (exponential backoff, 0.5 s to 30 s);
 * - a periodic relist (`relistSeconds`, default 30) that reconciles: an object seen before the list
 *   was asked for and missing from it was deleted while nobody looked, and is reported `DELETED`
 *   (with its last state); an object the list shows newer is reported `MODIFIED`, one never seen `ADDED`.
 *
 * Objects from lists are the client's typed models (timestamps are `Date`); objects from watch events
 * are the JSON as sent (timestamps are strings): `pod-status.ts`'s `timeOf` reads both.
 */
import { Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';

/** What happened to an object. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** Options of one list + watch. */
export interface ListWatchOptions<T extends KubernetesObject> {
  kubeConfig: KubeConfig;
  /** API path of the collection: `/api/v1/namespaces/<ns>/pods`, `/apis/batch/v1/namespaces/<ns>/jobs`. */
  path: string;
  labelSelector: string;
  /** Lists the collection with the same selector. @returns its items and the list's resourceVersion. */
  list(): Promise<{ items: T[]; resourceVersion?: string }>;
  /** Called for each change, in the order seen. Must not throw. */
  onEvent(type: WatchEventType, obj: T): void;
  log: Logger;
  /** `timeoutSeconds` asked of the server per watch; default 60. */
  serverTimeoutSeconds?: number;
  /** Seconds past `serverTimeoutSeconds` after which a watch is abandoned; default 15. */
  deadlineMarginSeconds?: number;
  /** Seconds between reconciling lists; default 30. */
  relistSeconds?: number;
}

interface Seen<T> {
  obj: T;
  /** Value of the change counter when last set. */
  seq: number;
}

/** True when resourceVersion `a` is older than `b` (both decimal, as every API server makes them); false when not comparable. */
function older(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) < BigInt(b);
}

/** The HTTP status of a watch or list failure (`statusCode` of the client's errors, `code` of ApiException). */
function statusOf(err: unknown): number | undefined {
  const e = err as { statusCode?: number; code?: unknown } | null;
  return e?.statusCode ?? (typeof e?.code === 'number' ? e.code : undefined);
}

/** One collection, listed and watched until `stop()`. */
export class ListWatch<T extends KubernetesObject> {
  private readonly known = new Map<string, Seen<T>>();
  private readonly watcher: Watch;
  private seq = 0;
  private rv: string | undefined;
  private stopped = false;
  /** Increases with each watch request: callbacks of an abandoned one are ignored. */
  private generation = 0;
  private controller: AbortController | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private readonly relist: NodeJS.Timeout;
  private backoffMs = 0;
  private relisting = false;
  /** Lists done (initial, after errors, and periodic), for tests and logs. */
  lists = 0;
  /** Watch requests made. */
  watches = 0;

  constructor(private readonly o: ListWatchOptions<T>) {
    this.watcher = new Watch(o.kubeConfig);
    this.relist = setInterval(() => void this.reconcile(), (o.relistSeconds ?? 30) * 1000);
    this.relist.unref();
    void this.cycle();
  }

  /** Stops listing and watching; no callback is made afterwards. */
  stop(): void {
    this.stopped = true;
    this.generation++;
    clearInterval(this.relist);
    clearTimeout(this.deadline);
    clearTimeout(this.retry);
    this.controller?.abort();
  }

  /** The objects as last seen, by name. */
  get objects(): T[] {
    return [...this.known.values()].map((s) => s.obj);
  }

  private emit(type: WatchEventType, obj: T): void {
    if (this.stopped) return;
    try {
      this.o.onEvent(type, obj);
    } catch (err) {
      this.o.log.error({ err, path: this.o.path }, 'a watch callback failed');
    }
  }

  /** Folds a list into what is known. @param since the counter when the list was asked for. */
  private fold(items: T[], since: number): void {
    const listed = new Set<string>();
    for (const obj of items) {
      const name = obj.metadata?.name;
      if (!name) continue;
      listed.add(name);
      const seen = this.known.get(name);
      if (seen && (seen.obj.metadata?.resourceVersion === obj.metadata?.resourceVersion || older(obj.metadata?.resourceVersion, seen.obj.metadata?.resourceVersion))) continue;
      this.known.set(name, { obj, seq: ++this.seq });
      this.emit(seen ? 'MODIFIED' : 'ADDED', obj);
    }
    for (const [name, seen] of this.known) {
      if (listed.has(name) || seen.seq > since) continue;
      this.known.delete(name);
      this.emit('DELETED', seen.obj);
    }
  }

  private async doList(): Promise<string | undefined> {
    const since = this.seq;
    const list = await this.o.list();
    this.lists++;
    if (this.stopped) return undefined;
    this.fold(list.items, since);
    return list.resourceVersion;
  }

  /** Periodic reconcile: a list beside the running watch. */
  private async reconcile(): Promise<void> {
    if (this.stopped || this.relisting) return;
    this.relisting = true;
    try {
      await this.doList();
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message, path: this.o.path }, 'reconciling list failed; the watch goes on');
    } finally {
      this.relisting = false;
    }
  }

  /** List, then watch from the list's resourceVersion; on failure, again after a backoff. */
  private async cycle(): Promise<void> {
    if (this.stopped) return;
    try {
      this.rv = await this.doList();
      this.backoffMs = 0;
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message, path: this.o.path }, 'list failed; trying again');
      this.again(true);
      return;
    }
    void this.watch();
  }

  /** Schedules the next list (`relist`) or watch, after the backoff when relisting after an error. */
  private again(relist: boolean, immediately = false): void {
    if (this.stopped) return;
    clearTimeout(this.retry);
    const delay = immediately ? 0 : (this.backoffMs = Math.min(30_000, Math.max(500, this.backoffMs * 2)));
    this.retry = setTimeout(() => void (relist ? this.cycle() : this.watch()), delay);
    this.retry.unref();
  }

  private async watch(): Promise<void> {
    if (this.stopped) return;
    const generation = ++this.generation;
    const current = () => generation === this.generation && !this.stopped;
    const serverTimeout = this.o.serverTimeoutSeconds ?? 60;
    let gone = false;
    let failed = false;
    let abandoned = false;
    const live: { controller?: AbortController } = {};
    const started = Date.now();
    clearTimeout(this.deadline);
    this.deadline = setTimeout(() => {
      if (!current()) return;
      // Silent past its deadline (a half-open connection, a request never answered): resume from the last resourceVersion.
      this.o.log.warn({ path: this.o.path, serverTimeout }, 'watch silent past its deadline; resuming');
      abandoned = true;
      this.generation++;
      live.controller?.abort();
      void this.watch();
    }, (serverTimeout + (this.o.deadlineMarginSeconds ?? 15)) * 1000);
    this.deadline.unref();
    this.watches++;
    const query = { labelSelector: this.o.labelSelector, resourceVersion: this.rv, timeoutSeconds: serverTimeout, allowWatchBookmarks: true };
    const controller = await this.watcher
      .watch(
        this.o.path,
        query,
        (type: string, obj: T & { code?: number; message?: string }) => {
          if (!current()) return;
          const rv = obj?.metadata?.resourceVersion;
          if (type === 'ERROR') {
            // A Status: 410 Gone (compacted), or another failure; either way, list again.
            gone = obj.code === 410;
            failed = !gone;
            this.o.log.info({ path: this.o.path, code: obj.code, message: obj.message }, 'watch ended with an error; listing again');
            live.controller?.abort();
            return;
          }
          if (rv) this.rv = rv;
          if (type === 'BOOKMARK') return;
          const name = obj.metadata?.name;
          if (!name) return;
          if (type === 'DELETED') {
            if (!this.known.delete(name)) return;
            this.emit('DELETED', obj);
          } else if (type === 'ADDED' || type === 'MODIFIED') {
            const seen = this.known.get(name);
            this.known.set(name, { obj, seq: ++this.seq });
            this.emit(seen ? 'MODIFIED' : 'ADDED', obj);
          }
        },
        (err: unknown) => {
          if (!current() || abandoned) return;
          clearTimeout(this.deadline);
          if (gone || statusOf(err) === 410) return this.again(true, true);
          const aborted = (err as Error | null)?.name === 'AbortError';
          if (failed || (err && !aborted)) {
            this.o.log.warn({ err: (err as Error | null)?.message, path: this.o.path }, 'watch failed; listing again');
            return this.again(true);
          }
          // The server ended the watch at its timeout: go on from where it was (after a pause if it ended at once).
          if (Date.now() - started < 1000) return this.again(false);
          this.backoffMs = 0;
          void this.watch();
        },
      )
      .catch((err: unknown) => {
        // The request itself could not be made (no cluster in the config).
        if (current()) {
          this.o.log.warn({ err: (err as Error).message, path: this.o.path }, 'watch could not start; listing again');
          this.again(true);
        }
        return undefined;
      });
    live.controller = controller;
    if (!current()) controller?.abort();
    else this.controller = controller;
  }
}
