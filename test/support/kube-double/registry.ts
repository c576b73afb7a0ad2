/**
 * TEST DOUBLE of the Kubernetes API (see ./README.md): what the API server's generic registry does
 * on create / get / list / update / patch / delete (k8s.io/apiserver/pkg/registry/generic/registry/
 * store.go), over the object store: defaults and validation on create, resourceVersion
 * preconditions (409 Conflict), immutable fields, graceful Pod deletion (deletionTimestamp, the
 * kubelet ends the containers, then the object goes), finalizers (an object with finalizers stays,
 * with a deletionTimestamp, until they are removed), and the propagation policies' finalizers
 * `foregroundDeletion` / `orphan` that the garbage collector acts on. Controllers of the double
 * (Job controller, kubelet, garbage collector) go through it too, as they would through the API.
 */
import { randomUUID } from 'node:crypto';
import { applyCreateDefaults, generateName, podSpecDefaults } from './defaults.js';
import type { ResourceInfo } from './kinds.js';
import type { ObjectStore } from './object-store.js';
import { applyPatch } from './patch.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { alreadyExists, badRequest, conflict, deleted, expired, forbidden, invalid, namespaceNotFound, notFound, type Status, type StatusCause } from './status.js';
import { timestamp, type JobObject, type KubeObject, type PodObject } from './types.js';
import { validate } from './validation.js';

/** `metav1.DeleteOptions` (from the body or the query). */
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

/** Options of a list. */
export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

/** A list page: the items (without kind/apiVersion, as the real server sends them), the list's resourceVersion, the continue token. */
export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** Server-set metadata that a client's body cannot change. */
const SERVER_META = ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'namespace', 'selfLink', 'managedFields'] as const;

function terminal(pod: KubeObject): boolean {
  const phase = (pod as PodObject).status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** The registry. `namespaces()` lists the existing namespaces (created through the API or the double's options). */
export class Registry {
  constructor(readonly store: ObjectStore) {}

  /** @throws ApiError 404 `namespaces "x" not found`. */
  requireNamespace(ns: string): void {
    if (!this.store.get('namespaces', undefined, ns)) throw namespaceNotFound(ns);
  }

  /** Creates an object (defaults, validation, 409 on a taken name). `dryRun` validates and stores nothing. */
  create(r: ResourceInfo, ns: string | undefined, body: unknown, dryRun = false): KubeObject {
    const o = this.checkBody(r, ns, body);
    if (r.namespaced) {
      this.requireNamespace(ns!);
      const nsObj = this.store.get('namespaces', undefined, ns!);
      if (nsObj?.metadata.deletionTimestamp) throw forbidden(`${r.resource} "${o.metadata.name ?? ''}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`);
    }
    const m = o.metadata;
    for (const f of SERVER_META) delete m[f];
    delete m.resourceVersion;
    if (r.namespaced) m.namespace = ns;
    if (!m.name && m.generateName) {
      m.name = generateName(m.generateName);
      for (let i = 0; i < 10 && this.store.get(r.resource, ns, m.name); i++) m.name = generateName(m.generateName);
    }
    o.apiVersion = r.apiVersion;
    o.kind = r.kind;
    m.uid = randomUUID();
    m.creationTimestamp = timestamp();
    if (r.resource === 'jobs') m.generation = 1;
    if (r.resource === 'pods' || r.resource === 'jobs' || r.resource === 'services') delete o.status;
    if (r.resource === 'pods' || r.resource === 'jobs') o.spec ??= {};
    this.fail(r, m.name ?? '', this.safeDefaults(r, o));
    this.fail(r, m.name ?? '', validate(r.resource, o));
    if (this.store.get(r.resource, ns, m.name!)) throw alreadyExists(r, m.name!);
    if (dryRun) return o;
    return this.store.put(r.resource, o);
  }

  /** @throws ApiError 404. */
  get(r: ResourceInfo, ns: string | undefined, name: string): KubeObject {
    const o = this.store.get(r.resource, ns, name);
    if (!o) throw notFound(r, name);
    return o;
  }

  /** Lists (one namespace or all), filtered by selectors, paged by `limit` / `continue`. */
  list(r: ResourceInfo, ns: string | undefined, opts: ListOptions = {}): ListResult {
    const labels = parseLabelSelector(opts.labelSelector);
    const fields = parseFieldSelector(opts.fieldSelector, r.resource);
    let items = this.store.list(r.resource, ns).filter((o) => labels(o.metadata.labels) && fields(o));
    let rv = this.store.currentRv();
    if (opts.continue) {
      let token: { rv: number; after: string };
      try {
        token = JSON.parse(Buffer.from(opts.continue, 'base64url').toString('utf8')) as { rv: number; after: string };
      } catch {
        throw badRequest('continue key is not valid: illegal base64 data');
      }
      if (token.rv < this.store.oldestRv() - 1) throw expired(token.rv, this.store.oldestRv() - 1);
      items = items.filter((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}` > token.after);
      rv = token.rv;
    }
    const strip = (o: KubeObject) => {
      delete o.kind;
      delete o.apiVersion;
      return o;
    };
    if (opts.limit && opts.limit > 0 && items.length > opts.limit) {
      const page = items.slice(0, opts.limit);
      const last = page[page.length - 1]!;
      const next = Buffer.from(JSON.stringify({ rv, after: `${last.metadata.namespace ?? ''}/${last.metadata.name}` })).toString('base64url');
      return { items: page.map(strip), resourceVersion: String(rv), continue: next, remainingItemCount: items.length - page.length };
    }
    return { items: items.map(strip), resourceVersion: String(rv) };
  }

  /** PUT of the object (`subresource` undefined: status kept) or of its `status` (only status taken). */
  update(r: ResourceInfo, ns: string | undefined, name: string, body: unknown, subresource?: 'status'): KubeObject {
    const existing = this.get(r, ns, name);
    const o = this.checkBody(r, ns, body);
    if (o.metadata.name !== name) throw badRequest(`the name of the object (${o.metadata.name}) does not match the name on the URL (${name})`);
    if (o.metadata.resourceVersion && o.metadata.resourceVersion !== existing.metadata.resourceVersion) throw conflict(r, name);
    if (o.metadata.uid && o.metadata.uid !== existing.metadata.uid) throw conflict(r, name, `Precondition failed: UID in precondition: ${o.metadata.uid}, UID in object meta: ${existing.metadata.uid}`);
    let next: KubeObject;
    if (subresource === 'status') {
      next = { ...existing, status: o.status };
    } else {
      next = { ...o, apiVersion: r.apiVersion, kind: r.kind, ...(existing.status !== undefined ? { status: existing.status } : {}) };
      for (const f of SERVER_META) {
        if (existing.metadata[f] === undefined) delete next.metadata[f];
        else (next.metadata as Record<string, unknown>)[f] = existing.metadata[f];
      }
      if (existing.metadata.deletionTimestamp) {
        const added = (next.metadata.finalizers ?? []).filter((f) => !(existing.metadata.finalizers ?? []).includes(f));
        if (added.length) this.fail(r, name, [{ reason: 'FieldValueForbidden', message: 'Forbidden: no new finalizers can be added if the object is being deleted', field: 'metadata.finalizers' }]);
      }
      this.fail(r, name, this.immutable(r, existing, next));
      if (r.resource === 'jobs' && JSON.stringify(existing.spec) !== JSON.stringify(next.spec)) next.metadata.generation = (existing.metadata.generation ?? 1) + 1;
    }
    this.fail(r, name, validate(r.resource, next));
    const stored = this.store.put(r.resource, next);
    return this.settle(r.resource, stored) ?? stored;
  }

  /** PATCH (JSON Patch, merge patch; strategic merge patch as merge patch). */
  patch(r: ResourceInfo, ns: string | undefined, name: string, contentType: string, body: unknown, subresource?: 'status'): KubeObject {
    const existing = this.get(r, ns, name);
    const patched = applyPatch(existing, contentType, body) as KubeObject;
    if (!patched || typeof patched !== 'object' || !patched.metadata) throw badRequest('the patch removed the object\'s metadata');
    return this.update(r, ns, name, patched, subresource);
  }

  /**
   * DELETE. Pods on a node get a grace period (the kubelet ends them; `gracePeriodSeconds: 0`
   * removes at once); Foreground / Orphan add their finalizer for the garbage collector; an object
   * with finalizers stays with a deletionTimestamp. The default policy is Orphan for Jobs (batch/v1's
   * `DefaultGarbageCollectionPolicy`) and Background for the others.
   * @returns the object (still there, or a Pod: `ReturnDeletedObject`) or a Success Status.
   */
  delete(r: ResourceInfo, ns: string | undefined, name: string, opts: DeleteOptions = {}): KubeObject | Status {
    const existing = this.get(r, ns, name);
    const m = existing.metadata;
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== m.uid) throw conflict(r, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${m.uid}`);
    if (pre?.resourceVersion && pre.resourceVersion !== m.resourceVersion) throw conflict(r, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${m.resourceVersion}`);
    const dryRun = (opts.dryRun ?? []).includes('All');
    const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : opts.orphanDependents === false ? 'Background' : r.resource === 'jobs' ? 'Orphan' : 'Background');
    if (!['Background', 'Foreground', 'Orphan'].includes(policy)) {
      this.fail(r, name, [{ reason: 'FieldValueNotSupported', message: `Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`, field: 'propagationPolicy' }]);
    }
    const isPod = r.resource === 'pods';
    let grace = 0;
    if (isPod) {
      const pod = existing as PodObject;
      grace = opts.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
      if (!pod.spec.nodeName || terminal(pod)) grace = 0;
    }
    if (dryRun) return existing;
    if (m.deletionTimestamp) {
      // Already being deleted: a Pod's grace period may only shorten; 0 removes it now.
      if (isPod && opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < (m.deletionGracePeriodSeconds ?? Infinity)) {
        if (opts.gracePeriodSeconds === 0 && (m.finalizers ?? []).length === 0) return this.store.remove(r.resource, ns, name)!;
        m.deletionGracePeriodSeconds = opts.gracePeriodSeconds;
        m.deletionTimestamp = timestamp(new Date(Date.now() + opts.gracePeriodSeconds * 1000));
        return this.store.put(r.resource, existing);
      }
      return existing;
    }
    const finalizers = [...(m.finalizers ?? [])];
    if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    if (grace > 0 || finalizers.length > 0) {
      m.finalizers = finalizers;
      if (finalizers.length === 0) delete m.finalizers;
      m.deletionTimestamp = timestamp(new Date(Date.now() + grace * 1000));
      m.deletionGracePeriodSeconds = grace;
      const stored = this.store.put(r.resource, existing);
      return this.settle(r.resource, stored) ?? stored;
    }
    const gone = this.store.remove(r.resource, ns, name)!;
    return isPod ? gone : deleted(r, name, m.uid!);
  }

  /**
   * A controller's write of an object's status (the kubelet's Pod status, the Job controller's Job
   * status): no validation, nothing if the object is gone or is another object of that name now.
   * @returns the stored object, or undefined.
   */
  writeStatus(resource: string, ns: string | undefined, name: string, uid: string, status: unknown): KubeObject | undefined {
    return this.mutate(resource, ns, name, uid, (o) => {
      o.status = status;
    });
  }

  /**
   * A controller's change of an object (`fn` edits it in place; returning false skips the write).
   * @returns the stored object, or undefined when gone / skipped.
   */
  mutate(resource: string, ns: string | undefined, name: string, uid: string, fn: (o: KubeObject) => boolean | void): KubeObject | undefined {
    const o = this.store.get(resource, ns, name);
    if (!o || o.metadata.uid !== uid) return undefined;
    const before = JSON.stringify(o);
    if (fn(o) === false || JSON.stringify(o) === before) return o;
    const stored = this.store.put(resource, o);
    return this.settle(resource, stored) ?? stored;
  }

  /** Removes an object being deleted once nothing holds it: no finalizers, and a Pod's containers ended (terminal phase, or never scheduled). @returns the removed object, or undefined. */
  settle(resource: string, o: KubeObject): KubeObject | undefined {
    const m = o.metadata;
    if (!m.deletionTimestamp || (m.finalizers ?? []).length > 0) return undefined;
    if (resource === 'pods' && (o as PodObject).spec.nodeName && !terminal(o)) return undefined;
    return this.store.remove(resource, m.namespace, m.name!);
  }

  private checkBody(r: ResourceInfo, ns: string | undefined, body: unknown): KubeObject {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`the body of the request was not a ${r.kind} object`);
    const o = structuredClone(body) as KubeObject;
    if (o.apiVersion !== undefined && o.apiVersion !== r.apiVersion) throw badRequest(`the API version in the data (${o.apiVersion}) does not match the expected API version (${r.apiVersion})`);
    if (o.kind !== undefined && o.kind !== r.kind) throw badRequest(`the kind in the data (${o.kind}) does not match the expected kind (${r.kind})`);
    o.metadata ??= {};
    if (typeof o.metadata !== 'object') throw badRequest('metadata must be an object');
    if (r.namespaced && o.metadata.namespace !== undefined && o.metadata.namespace !== ns) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    return o;
  }

  /** Defaults that fail on a malformed body report it as Invalid rather than crashing. */
  private safeDefaults(r: ResourceInfo, o: KubeObject): StatusCause[] {
    try {
      applyCreateDefaults(r.resource, o);
      return [];
    } catch (err) {
      return validate(r.resource, o).length ? validate(r.resource, o) : [{ reason: 'FieldValueInvalid', message: `Invalid value: ${(err as Error).message}`, field: 'spec' }];
    }
  }

  private immutable(r: ResourceInfo, before: KubeObject, after: KubeObject): StatusCause[] {
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    if (r.resource === 'jobs') {
      const a = (before as JobObject).spec;
      const b = structuredClone((after as JobObject).spec ?? {}) as JobObject['spec'];
      if (b.template?.spec) podSpecDefaults(b.template.spec);
      const out: StatusCause[] = [];
      for (const f of ['template', 'selector', 'completionMode', 'podFailurePolicy', 'completions'] as const) {
        if (b[f] !== undefined && !same(a[f], b[f])) out.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(b[f])}: field is immutable`, field: `spec.${f}` });
      }
      return out;
    }
    if (r.resource === 'pods') {
      const a = structuredClone((before as PodObject).spec);
      const b = structuredClone((after as PodObject).spec ?? {}) as PodObject['spec'];
      podSpecDefaults(b);
      b.nodeName ??= a.nodeName;
      b.tolerations ??= a.tolerations;
      for (const s of [a, b]) for (const c of [...(s.containers ?? []), ...(s.initContainers ?? [])]) delete c.image;
      delete a.activeDeadlineSeconds;
      delete b.activeDeadlineSeconds;
      if (!same(a, b)) return [{ reason: 'FieldValueForbidden', message: 'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)', field: 'spec' }];
    }
    return [];
  }

  private fail(r: ResourceInfo, name: string, causes: StatusCause[]): void {
    if (causes.length) throw invalid(r, name, causes);
  }
}
