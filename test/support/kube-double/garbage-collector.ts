/**
 * TEST DOUBLE of the Kubernetes API (see ./README.md): the garbage collector
 * (kubernetes.io/docs/concepts/architecture/garbage-collection/). Dependents name their owners in
 * `metadata.ownerReferences` (by uid). When every owner of an object is gone, it is deleted
 * (Background). An owner deleted with `propagationPolicy: Foreground` carries the
 * `foregroundDeletion` finalizer: its dependents are deleted, and once none with
 * `blockOwnerDeletion: true` is left the finalizer is removed and the owner goes. `Orphan` carries
 * the `orphan` finalizer: the ownerReferences to it are removed from its dependents, then the
 * finalizer. Background: the owner went at once; the dependents follow. Work runs after the write
 * that caused it (as the real controller works from its informers, never inside the request).
 */
import { resourceOfKind, RESOURCES } from './kinds.js';
import type { ObjectStore, StoreEvent } from './object-store.js';
import type { Registry } from './registry.js';
import type { KubeObject } from './types.js';

interface Item {
  resource: string;
  object: KubeObject;
}

/** The collector; `stop()` ends it. */
export class GarbageCollector {
  private readonly unsubscribe: () => void;
  private scheduled = false;
  private readonly work = new Map<string, () => void>();

  constructor(
    private readonly registry: Registry,
    private readonly store: ObjectStore,
  ) {
    this.unsubscribe = store.subscribe((e) => this.onEvent(e));
  }

  stop(): void {
    this.unsubscribe();
    this.work.clear();
  }

  private onEvent(e: StoreEvent): void {
    const m = e.object.metadata;
    if (e.type === 'DELETED') {
      const uid = m.uid!;
      this.later(`gone:${uid}`, () => this.ownerGone(uid, m.namespace));
      // A dependent gone may unblock an owner waiting in foreground deletion.
      for (const ref of m.ownerReferences ?? []) {
        const owner = this.owner(ref, m.namespace);
        if (owner && owner !== 'unknown') this.later(`deleting:${owner.object.metadata.uid}`, () => this.deleting(owner.resource, owner.object.metadata.namespace, owner.object.metadata.name!));
      }
      return;
    }
    if (m.deletionTimestamp && (m.finalizers ?? []).some((f) => f === 'foregroundDeletion' || f === 'orphan')) {
      this.later(`deleting:${m.uid}`, () => this.deleting(e.resource, m.namespace, m.name!));
    }
    if ((m.ownerReferences ?? []).length > 0 && !m.deletionTimestamp) {
      this.later(`dangling:${m.uid}`, () => this.dangling(e.resource, m.namespace, m.name!));
    }
  }

  /** Runs `fn` after the current writes (once per key). */
  private later(key: string, fn: () => void): void {
    this.work.set(key, fn);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const jobs = [...this.work.values()];
      this.work.clear();
      for (const j of jobs) {
        try {
          j();
        } catch (err) {
          process.emitWarning(`kube-double garbage collector: ${(err as Error).stack ?? String(err)}`);
        }
      }
    });
  }

  /** The owner an ownerReference names, if it exists with that uid. Unknown kinds count as existing (left alone). */
  private owner(ref: { kind: string; name: string; uid: string }, ns: string | undefined): Item | 'unknown' | undefined {
    let resource: string;
    try {
      const r = resourceOfKind(ref.kind);
      resource = r.resource;
      if (!r.namespaced) ns = undefined;
    } catch {
      return 'unknown';
    }
    const o = this.store.get(resource, ns, ref.name);
    return o && o.metadata.uid === ref.uid ? { resource, object: o } : undefined;
  }

  private dependents(uid: string): Item[] {
    return this.store.everything().filter((i) => (i.object.metadata.ownerReferences ?? []).some((r) => r.uid === uid));
  }

  private resource(name: string) {
    return RESOURCES.find((r) => r.resource === name)!;
  }

  private deleteQuietly(i: Item): void {
    if (i.object.metadata.deletionTimestamp) return;
    try {
      this.registry.delete(this.resource(i.resource), i.object.metadata.namespace, i.object.metadata.name!, { propagationPolicy: 'Background', preconditions: { uid: i.object.metadata.uid } });
    } catch {
      /* gone or replaced meanwhile */
    }
  }

  private dropRef(i: Item, uid: string): void {
    this.registry.mutate(i.resource, i.object.metadata.namespace, i.object.metadata.name!, i.object.metadata.uid!, (o) => {
      o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
      if (o.metadata.ownerReferences.length === 0) delete o.metadata.ownerReferences;
    });
  }

  /** An owner is gone: dependents with no owner left are deleted; others lose the reference. */
  private ownerGone(uid: string, _ns: string | undefined): void {
    for (const d of this.dependents(uid)) {
      const others = (d.object.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
      if (others.some((r) => this.owner(r, d.object.metadata.namespace) !== undefined)) this.dropRef(d, uid);
      else this.deleteQuietly(d);
    }
  }

  /** An owner being deleted in foreground or orphan mode. */
  private deleting(resource: string, ns: string | undefined, name: string): void {
    const o = this.store.get(resource, ns, name);
    if (!o?.metadata.deletionTimestamp) return;
    const uid = o.metadata.uid!;
    const fins = o.metadata.finalizers ?? [];
    const deps = this.dependents(uid);
    let remove: string | undefined;
    if (fins.includes('orphan')) {
      for (const d of deps) this.dropRef(d, uid);
      remove = 'orphan';
    } else if (fins.includes('foregroundDeletion')) {
      for (const d of deps) this.deleteQuietly(d);
      const blocking = deps.filter((d) => d.object.metadata.ownerReferences!.some((r) => r.uid === uid && r.blockOwnerDeletion));
      if (blocking.length === 0) remove = 'foregroundDeletion';
    }
    if (remove) {
      this.registry.mutate(resource, ns, name, uid, (x) => {
        x.metadata.finalizers = (x.metadata.finalizers ?? []).filter((f) => f !== remove);
        if (x.metadata.finalizers.length === 0) delete x.metadata.finalizers;
      });
    }
  }

  /** An object whose owners are all gone (by uid) is deleted; dangling references beside live owners are dropped. */
  private dangling(resource: string, ns: string | undefined, name: string): void {
    const o = this.store.get(resource, ns, name);
    if (!o || o.metadata.deletionTimestamp) return;
    const refs = o.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const missing = refs.filter((r) => this.owner(r, ns) === undefined);
    if (missing.length === 0) return;
    if (missing.length === refs.length) this.deleteQuietly({ resource, object: o });
    else for (const r of missing) this.dropRef({ resource, object: o }, r.uid);
  }
}
