/**
 * TEST DOUBLE of the Kubernetes API (see ./README.md): the Job controller (pkg/controller/job) and
 * the TTL-after-finished controller. For each Job: Pods from its template (`<job>-<5 random>`,
 * the template's labels, which the API server's Job defaults extend with `job-name`,
 * `batch.kubernetes.io/job-name`, `controller-uid`, `batch.kubernetes.io/controller-uid`; an
 * ownerReference to the Job with `controller` and `blockOwnerDeletion`); status `startTime`,
 * `active`, `ready`, `terminating`, `succeeded`, `failed`; a new Pod after a failure while
 * failures ≤ `backoffLimit` (after `backoffBaseMs × 2^(failures-1)`; the real controller waits
 * 10 s doubling); `podFailurePolicy` (FailJob / Ignore / Count); `activeDeadlineSeconds`. Ending
 * follows Kubernetes 1.31: first `FailureTarget` (or `SuccessCriteriaMet`), the remaining Pods are
 * deleted, then `Failed` (or `Complete`, with `completionTime`) once none is left running, with
 * reasons BackoffLimitExceeded, DeadlineExceeded, PodFailurePolicy, CompletionsReached.
 * `ttlSecondsAfterFinished` deletes the finished Job (Foreground, as that controller does).
 *
 * Not modelled: Indexed completion mode, suspend, restartPolicy OnFailure restarts counting toward
 * the backoff limit, the `batch.kubernetes.io/job-tracking` Pod finalizer (instead, the
 * controller keeps the last state of each of its Pods that ended or vanished, from the watch
 * events, so a Pod removed right after it failed is still judged by its final status), adoption of
 * orphaned Pods.
 */
import { JOB_LABELS } from './defaults.js';
import { resourceOfKind } from './kinds.js';
import type { ObjectStore, StoreEvent } from './object-store.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';
import type { Registry } from './registry.js';
import { timestamp, type IJobCondition, type JobObject, type KubeObject, type PodObject } from './types.js';

/** Counts of one Job, kept across reconciles (by Pod uid). */
interface Tracked {
  succeeded: Set<string>;
  failed: Set<string>;
  ignored: Set<string>;
  /** Pods seen not yet counted: one that vanishes from the store is counted failed. */
  seen: Set<string>;
  lastFailureAt: number;
  finishedAt?: number;
  /** The next reconcile the controller asked for (backoff, deadline), and when. */
  wake?: { at: number; timer: NodeJS.Timeout };
  ttl?: NodeJS.Timeout;
}

const PODS = resourceOfKind('Pod');
const JOBS = resourceOfKind('Job');

function finished(job: JobObject): IJobCondition | undefined {
  return (job.status.conditions ?? []).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

function ready(pod: PodObject): boolean {
  return (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The controller; `stop()` ends it and its timers. */
export class JobController {
  private readonly tracked = new Map<string, Tracked>();
  /** Job uid → Pod uid → the Pod's last state once terminal or gone (what the tracking finalizer keeps visible). */
  private readonly ended = new Map<string, Map<string, PodObject>>();
  private readonly queue = new Set<string>();
  private scheduled = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly registry: Registry,
    private readonly store: ObjectStore,
    private readonly backoffBaseMs: number,
  ) {
    this.unsubscribe = store.subscribe((e) => this.onEvent(e));
  }

  stop(): void {
    this.unsubscribe();
    for (const t of this.tracked.values()) this.clear(t);
    this.tracked.clear();
  }

  private onEvent(e: StoreEvent): void {
    const m = e.object.metadata;
    if (e.resource === 'jobs') {
      if (e.type === 'DELETED') {
        const t = this.tracked.get(m.uid!);
        if (t) this.clear(t);
        this.tracked.delete(m.uid!);
        this.ended.delete(m.uid!);
      } else this.enqueue(m.namespace!, m.name!);
    } else if (e.resource === 'pods') {
      const ref = (m.ownerReferences ?? []).find((r) => r.controller && r.kind === 'Job');
      if (!ref) return;
      const phase = (e.object as PodObject).status?.phase;
      if (e.type === 'DELETED' || phase === 'Succeeded' || phase === 'Failed') {
        const byPod = this.ended.get(ref.uid) ?? new Map<string, PodObject>();
        this.ended.set(ref.uid, byPod);
        // A DELETED event carries the last state; an earlier terminal one must not be replaced by less.
        const prev = byPod.get(m.uid!);
        const prevPhase = prev?.status?.phase;
        if (!prev || !(prevPhase === 'Succeeded' || prevPhase === 'Failed') || phase === prevPhase) byPod.set(m.uid!, e.object as PodObject);
      }
      this.enqueue(m.namespace!, ref.name);
    }
  }

  private enqueue(ns: string, name: string): void {
    this.queue.add(`${ns}/${name}`);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const keys = [...this.queue];
      this.queue.clear();
      for (const k of keys) {
        const [ns, name] = k.split('/') as [string, string];
        try {
          this.reconcile(ns, name);
        } catch (err) {
          process.emitWarning(`kube-double job controller (${k}): ${(err as Error).stack ?? String(err)}`);
        }
      }
    });
  }

  private clear(t: Tracked): void {
    if (t.wake) clearTimeout(t.wake.timer);
    if (t.ttl) clearTimeout(t.ttl);
  }

  /** Asks for a reconcile at `at` (ms since the epoch), unless an earlier one is pending. */
  private wakeAt(t: Tracked, at: number, ns: string, name: string): void {
    if (t.wake && t.wake.at <= at && t.wake.at >= Date.now()) return;
    if (t.wake) clearTimeout(t.wake.timer);
    const timer = setTimeout(() => {
      t.wake = undefined;
      this.enqueue(ns, name);
    }, Math.max(0, at - Date.now()));
    timer.unref();
    t.wake = { at, timer };
  }

  private reconcile(ns: string, name: string): void {
    const job = this.store.get('jobs', ns, name) as JobObject | undefined;
    if (!job || job.metadata.deletionTimestamp) return;
    const uid = job.metadata.uid!;
    let t = this.tracked.get(uid);
    if (!t) {
      t = { succeeded: new Set(), failed: new Set(), ignored: new Set(), seen: new Set(), lastFailureAt: 0 };
      this.tracked.set(uid, t);
    }
    const spec = job.spec;
    const status = structuredClone(job.status ?? {});
    const done = finished(job);
    if (done) return this.scheduleTtl(job, t);

    const now = Date.now();
    status.startTime ??= timestamp(new Date(now));
    const stored = (this.store.list('pods', ns) as PodObject[]).filter((p) => (p.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.controller));
    const inStore = new Set(stored.map((p) => p.metadata.uid!));
    const gone = [...(this.ended.get(uid)?.values() ?? [])].filter((p) => !inStore.has(p.metadata.uid!));
    const pods = [...stored, ...gone.filter((p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed')];
    const counted = (id: string) => t.succeeded.has(id) || t.failed.has(id) || t.ignored.has(id);
    const newlyFailed: PodObject[] = [];
    const present = new Set<string>();
    for (const p of pods) {
      const id = p.metadata.uid!;
      present.add(id);
      if (counted(id)) continue;
      const phase = p.status.phase;
      if (phase === 'Succeeded') t.succeeded.add(id);
      else if (phase === 'Failed') newlyFailed.push(p);
      else if (p.metadata.deletionTimestamp && spec.podReplacementPolicy !== 'Failed') newlyFailed.push(p);
    }
    // A Pod that vanished before it was counted (force-deleted, removed with its node) failed.
    for (const id of t.seen) {
      if (!present.has(id) && !counted(id)) {
        t.failed.add(id);
        t.lastFailureAt = now;
      }
    }
    let failure: { reason: string; message: string } | undefined;
    const finishedAt = (p: PodObject) => Math.max(0, ...[...(p.status.containerStatuses ?? []), ...(p.status.initContainerStatuses ?? [])].map((c) => Date.parse(c.state?.terminated?.finishedAt ?? '') || 0));
    for (const p of newlyFailed.sort((a, b) => finishedAt(a) - finishedAt(b))) {
      const id = p.metadata.uid!;
      const match = p.status.phase === 'Failed' && spec.podFailurePolicy ? matchPodFailurePolicy(spec.podFailurePolicy.rules, p) : null;
      if (match?.action === 'Ignore') {
        t.ignored.add(id);
        continue;
      }
      t.failed.add(id);
      t.lastFailureAt = now;
      if (match?.action === 'FailJob' && !failure) failure = { reason: 'PodFailurePolicy', message: match.message };
    }
    const running = pods.filter((p) => p.status.phase !== 'Succeeded' && p.status.phase !== 'Failed');
    const live = running.filter((p) => !counted(p.metadata.uid!));
    t.seen = new Set(live.map((p) => p.metadata.uid!));
    const active = live.filter((p) => !p.metadata.deletionTimestamp);
    const terminating = running.filter((p) => p.metadata.deletionTimestamp);

    const startMs = Date.parse(status.startTime);
    if (!failure && t.failed.size > (spec.backoffLimit ?? 6)) failure = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
    if (!failure && spec.activeDeadlineSeconds !== undefined && now - startMs >= spec.activeDeadlineSeconds * 1000) failure = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
    const target = (status.conditions ?? []).find((c) => c.type === 'FailureTarget' || c.type === 'SuccessCriteriaMet');
    const completions = spec.completions ?? undefined;
    const complete = !target && !failure && (completions !== undefined ? t.succeeded.size >= completions : t.succeeded.size > 0 && active.length === 0);

    let created = 0;
    if (failure || complete || target) {
      const ending = target ?? this.condition(failure ? 'FailureTarget' : 'SuccessCriteriaMet', failure?.reason ?? 'CompletionsReached', failure?.message ?? 'Reached expected number of succeeded pods');
      if (!target) status.conditions = [...(status.conditions ?? []), ending];
      for (const p of active) this.deletePod(p);
      if (running.length === 0) {
        const failed = ending.type === 'FailureTarget';
        status.conditions = [...(status.conditions ?? []), this.condition(failed ? 'Failed' : 'Complete', ending.reason!, ending.message!)];
        if (!failed) status.completionTime = timestamp();
      }
    } else {
      const want = Math.max(0, completions === undefined ? spec.parallelism ?? 1 : Math.min(spec.parallelism ?? 1, completions - t.succeeded.size));
      const holding = active.length + (spec.podReplacementPolicy === 'Failed' ? terminating.length : 0);
      const readyAt = t.failed.size > 0 ? t.lastFailureAt + Math.min(this.backoffBaseMs * 2 ** (t.failed.size - 1), 360_000) : 0;
      if (want > holding && now < readyAt) this.wakeAt(t, readyAt, ns, name);
      else for (let i = holding; i < want; i++) if (this.createPod(job)) created++;
      if (spec.activeDeadlineSeconds !== undefined) this.wakeAt(t, startMs + spec.activeDeadlineSeconds * 1000 + 5, ns, name);
    }
    const set = (k: 'active' | 'succeeded' | 'failed', v: number) => {
      if (v > 0) status[k] = v;
      else delete status[k];
    };
    const isDone = (status.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    set('active', isDone ? 0 : active.length + created);
    set('succeeded', t.succeeded.size);
    set('failed', t.failed.size);
    status.ready = active.filter(ready).length;
    status.terminating = terminating.length;
    status.uncountedTerminatedPods ??= {};
    if (JSON.stringify(status) !== JSON.stringify(job.status ?? {})) {
      const stored = this.registry.writeStatus('jobs', ns, name, uid, status) as JobObject | undefined;
      const fin = stored && finished(stored);
      if (fin) this.scheduleTtl(stored, t);
    }
  }

  private condition(type: string, reason: string, message: string): IJobCondition {
    const now = timestamp();
    return { type, status: 'True', lastProbeTime: now, lastTransitionTime: now, reason, message };
  }

  private createPod(job: JobObject): boolean {
    const tmpl = job.spec.template;
    const name = job.metadata.name!;
    const pod: KubeObject = {
      metadata: {
        generateName: `${name}-`,
        labels: { ...(tmpl.metadata?.labels ?? {}), [JOB_LABELS.jobName]: name, [JOB_LABELS.legacyJobName]: name },
        ...(tmpl.metadata?.annotations ? { annotations: { ...tmpl.metadata.annotations } } : {}),
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name, uid: job.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: structuredClone(tmpl.spec),
    };
    try {
      this.registry.create(PODS, job.metadata.namespace, pod);
      return true;
    } catch (err) {
      // The real controller records a FailedCreate event and retries.
      process.emitWarning(`kube-double job controller: creating a Pod of Job ${name} failed: ${(err as Error).message}`);
      return false;
    }
  }

  private deletePod(p: PodObject): void {
    try {
      this.registry.delete(PODS, p.metadata.namespace, p.metadata.name!, { propagationPolicy: 'Background', preconditions: { uid: p.metadata.uid } });
    } catch {
      /* gone meanwhile */
    }
  }

  private scheduleTtl(job: JobObject, t: Tracked): void {
    const ttl = job.spec.ttlSecondsAfterFinished;
    if (ttl === undefined || t.finishedAt !== undefined) return;
    // The condition's time has whole seconds; the controller saw the Job finish now.
    t.finishedAt = Date.now();
    const ns = job.metadata.namespace!;
    const name = job.metadata.name!;
    t.ttl = setTimeout(() => {
      try {
        this.registry.delete(JOBS, ns, name, { propagationPolicy: 'Foreground', preconditions: { uid: job.metadata.uid } });
      } catch {
        /* deleted meanwhile */
      }
    }, ttl * 1000);
    t.ttl.unref();
  }
}
