/**
 * TEST DOUBLE of the Kubernetes API (see ./README.md): the in-memory object store, standing in for
 * etcd behind the API server. One global resourceVersion counter (every write takes the next
 * value, as etcd's revision does); an event log that watches replay from, forgotten up to a point
 * by `compact()` (etcd compaction: a watch from an older resourceVersion gets 410); a journal of
 * every write for test assertions, which compaction does not touch.
 *
 * Objects are copied in and out (`structuredClone`), so no caller can change a stored object.
 */
import type { KubeObject } from './types.js';

/** A write, as watches see it. `previous` is the object before a MODIFIED or DELETED. */
export interface StoreEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  resource: string;
  object: KubeObject;
  previous?: KubeObject;
}

/** One line of the journal (kept whole, for assertions on order: "the Job went before its Pods"). */
export interface JournalEntry {
  rv: number;
  type: StoreEvent['type'];
  /** Resource (`pods`, `jobs`, ...). */
  resource: string;
  namespace: string;
  name: string;
  /** Milliseconds since the epoch. */
  at: number;
}

function key(ns: string | undefined, name: string): string {
  return `${ns ?? ''}/${name}`;
}

/** The store. Every write goes through `put`/`remove`, which bump the global resourceVersion. */
export class ObjectStore {
  private rv = 1;
  private oldest = 1;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private log: StoreEvent[] = [];
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  private readonly pending: StoreEvent[] = [];
  private dispatching = false;
  readonly journal: JournalEntry[] = [];

  /** @param maxEvents events kept for watches; older ones are compacted away as etcd would. */
  constructor(private readonly maxEvents = 50_000) {}

  /** The current resourceVersion (of the last write). */
  currentRv(): number {
    return this.rv;
  }

  /** The oldest resourceVersion a watch may start from; older ones get 410. */
  oldestRv(): number {
    return this.oldest;
  }

  /** A copy of one object, or undefined. */
  get(resource: string, ns: string | undefined, name: string): KubeObject | undefined {
    const o = this.objects.get(resource)?.get(key(ns, name));
    return o ? structuredClone(o) : undefined;
  }

  /** Copies of a resource's objects (in one namespace, or all), sorted by namespace then name. */
  list(resource: string, ns?: string): KubeObject[] {
    const all = [...(this.objects.get(resource)?.values() ?? [])].filter((o) => ns === undefined || o.metadata.namespace === ns);
    return all.sort((a, b) => key(a.metadata.namespace, a.metadata.name!).localeCompare(key(b.metadata.namespace, b.metadata.name!))).map((o) => structuredClone(o));
  }

  /** Every stored object of every resource (copies), for the garbage collector. */
  everything(): Array<{ resource: string; object: KubeObject }> {
    return [...this.objects.entries()].flatMap(([resource, m]) => [...m.values()].map((object) => ({ resource, object: structuredClone(object) })));
  }

  /** Stores an object (ADDED when new, else MODIFIED) with the next resourceVersion. @returns the stored copy. */
  put(resource: string, object: KubeObject): KubeObject {
    const m = this.objects.get(resource) ?? new Map<string, KubeObject>();
    this.objects.set(resource, m);
    const k = key(object.metadata.namespace, object.metadata.name!);
    const previous = m.get(k);
    const rv = ++this.rv;
    const stored = structuredClone(object);
    stored.metadata.resourceVersion = String(rv);
    m.set(k, stored);
    this.emit({ rv, type: previous ? 'MODIFIED' : 'ADDED', resource, object: stored, ...(previous ? { previous } : {}) });
    return structuredClone(stored);
  }

  /** Removes an object (DELETED, carrying a new resourceVersion as the real API server's does). @returns the removed object, or undefined. */
  remove(resource: string, ns: string | undefined, name: string): KubeObject | undefined {
    const m = this.objects.get(resource);
    const k = key(ns, name);
    const previous = m?.get(k);
    if (!m || !previous) return undefined;
    m.delete(k);
    const rv = ++this.rv;
    const gone = structuredClone(previous);
    gone.metadata.resourceVersion = String(rv);
    this.emit({ rv, type: 'DELETED', resource, object: gone, previous });
    return structuredClone(gone);
  }

  /** Events after `rv` (copies), or 'expired' when some of them were compacted away. */
  eventsAfter(rv: number): StoreEvent[] | 'expired' {
    if (rv < this.oldest - 1) return 'expired';
    return this.log.filter((e) => e.rv > rv).map((e) => structuredClone(e));
  }

  /** Forgets every event up to now: watches from an older resourceVersion get 410 Expired. */
  compact(): void {
    this.log = [];
    this.oldest = this.rv + 1;
  }

  /**
   * Calls `fn` with every later write, in resourceVersion order. A listener that writes is not
   * re-entered: its writes are delivered after the current event reaches every listener.
   * @returns a function that unsubscribes.
   */
  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(e: StoreEvent): void {
    this.log.push(e);
    if (this.log.length > this.maxEvents) {
      const drop = this.log.length - this.maxEvents;
      this.oldest = this.log[drop]!.rv;
      this.log.splice(0, drop);
    }
    const m = e.object.metadata;
    this.journal.push({ rv: e.rv, type: e.type, resource: e.resource, namespace: m.namespace ?? '', name: m.name!, at: Date.now() });
    this.pending.push(e);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift()) {
        for (const fn of [...this.listeners]) {
          try {
            fn(next);
          } catch (err) {
            // A listener's bug must not stop the others (nor the write that triggered it).
            process.emitWarning(`kube-double store listener failed: ${(err as Error).stack ?? String(err)}`);
          }
        }
      }
    } finally {
      this.dispatching = false;
    }
  }
}
