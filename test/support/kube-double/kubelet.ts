/**
 * TEST DOUBLE of the Kubernetes API (see ./README.md): the scheduler and the kubelet of the
 * double's single node. The scheduler binds each new Pod at once (`spec.nodeName`, condition
 * PodScheduled=True) unless a `holdPending` fault matches it (PodScheduled=False, reason
 * Unschedulable). The kubelet runs bound Pods (`pod-runtime.ts`), ends them on deletion (grace
 * period from the deletionTimestamp), kills the processes of Pods whose object vanished, and
 * serves container logs. `stopNode()` SIGSTOPs every Pod process (containers and probes) and
 * freezes the kubelet: no status is written, no Pod is started, deletions wait; `resumeNode()`
 * SIGCONTs them and catches up with the API.
 */
import { cpus, totalmem } from 'node:os';
import { detectMemoryLimiter, type MemoryLimiter } from '../../../shared/executor/local/memory-limit.js';
import type { LogLocation } from './api-server.js';
import type { Faults } from './faults.js';
import type { ObjectStore, StoreEvent } from './object-store.js';
import { PodRuntime, type KubeletEnv } from './pod-runtime.js';
import type { Registry } from './registry.js';
import { badRequest, notFound } from './status.js';
import { resourceOfKind } from './kinds.js';
import type { DataObject, PodObject } from './types.js';

/** Settings of the node. */
export interface KubeletOptions {
  nodeName: string;
  rootDir: string;
  /** PATH of every container. */
  path: string;
  /** Variables every container gets before its own (the "image" environment). */
  env: Record<string, string>;
  probeSecondMs: number;
  restartBackoffMs: number;
  imagePullBackOffMs: number;
  /** `rlimit` forces the memory limiter's fallback (see memory-limit.ts). */
  memoryLimit?: string;
}

const PODS = resourceOfKind('Pod');

/** The node. */
export class Kubelet {
  readonly limiter: MemoryLimiter;
  private readonly runtimes = new Map<string, PodRuntime>();
  private readonly probePids = new Set<number>();
  private stopped = false;
  private resumes: Array<() => void> = [];
  private readonly queue = new Map<string, StoreEvent>();
  private scheduled = false;
  private readonly unsubscribe: () => void;
  private readonly env: KubeletEnv;

  constructor(
    private readonly registry: Registry,
    private readonly store: ObjectStore,
    private readonly faults: Faults,
    private readonly opts: KubeletOptions,
  ) {
    this.limiter = detectMemoryLimiter(opts.memoryLimit);
    this.env = {
      registry,
      faults,
      limiter: this.limiter,
      rootDir: opts.rootDir,
      baseEnv: { ...opts.env, PATH: opts.path },
      probeSecondMs: opts.probeSecondMs,
      restartBackoffMs: opts.restartBackoffMs,
      imagePullBackOffMs: opts.imagePullBackOffMs,
      sources: {
        node: { memBytes: totalmem(), cpuCores: cpus().length },
        secret: (ns, name) => store.get('secrets', ns, name) as DataObject | undefined,
        configMap: (ns, name) => store.get('configmaps', ns, name) as DataObject | undefined,
      },
      frozen: () => this.stopped,
      gate: () => (this.stopped ? new Promise<void>((r) => this.resumes.push(r)) : Promise.resolve()),
      track: (pid) => {
        this.probePids.add(pid);
        if (this.stopped) this.signalProbes('SIGSTOP');
        return () => this.probePids.delete(pid);
      },
    };
    this.unsubscribe = store.subscribe((e) => {
      if (e.resource === 'pods') this.enqueue(e);
    });
  }

  /** Whether the node is stopped. */
  get nodeStopped(): boolean {
    return this.stopped;
  }

  /** The runtime of a Pod (the latest of that name), or undefined. */
  runtime(ns: string, name: string): PodRuntime | undefined {
    return [...this.runtimes.values()].reverse().find((r) => r.ns === ns && r.name === name);
  }

  /** Every Pod runtime the node holds. */
  all(): PodRuntime[] {
    return [...this.runtimes.values()];
  }

  /** Looks again at every unscheduled Pod (a fault was switched off). */
  rescan(): void {
    for (const p of this.store.list('pods')) this.enqueue({ rv: 0, type: 'MODIFIED', resource: 'pods', object: p });
  }

  /** @throws Error when the Pod does not run on the node. */
  evict(ns: string, name: string, message: string): void {
    const rt = this.runtime(ns, name);
    if (!rt || rt.finished) throw new Error(`kube-double: no running Pod ${ns}/${name} to evict`);
    rt.evict(message);
  }

  /** SIGSTOPs every Pod process and freezes the kubelet. */
  stopNode(): void {
    this.stopped = true;
    for (const rt of this.runtimes.values()) rt.signalAll('SIGSTOP');
    this.signalProbes('SIGSTOP');
  }

  /** SIGCONTs every Pod process and catches up: statuses, deletions, Pods created meanwhile. */
  resumeNode(): void {
    if (!this.stopped) return;
    this.stopped = false;
    for (const rt of this.runtimes.values()) rt.signalAll('SIGCONT');
    this.signalProbes('SIGCONT');
    const waiting = this.resumes;
    this.resumes = [];
    for (const r of waiting) r();
    for (const rt of this.runtimes.values()) rt.publish();
    for (const rt of [...this.runtimes.values()]) {
      if (!this.store.get('pods', rt.ns, rt.name) || this.store.get('pods', rt.ns, rt.name)!.metadata.uid !== rt.uid) rt.kill();
    }
    this.rescan();
  }

  /** Where a container's log is (`GET .../log?container=`), with the real endpoint's errors. */
  podLog(ns: string, name: string, container: string | undefined, previous: boolean): LogLocation {
    const pod = this.store.get('pods', ns, name) as PodObject | undefined;
    if (!pod) throw notFound(PODS, name);
    const regular = pod.spec.containers.map((c) => c.name);
    const init = (pod.spec.initContainers ?? []).map((c) => c.name);
    if (!container) {
      if (regular.length !== 1) throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${regular.join(' ')}]${init.length ? ` or one of the init containers: [${init.join(' ')}]` : ''}`);
      container = regular[0]!;
    }
    if (!regular.includes(container) && !init.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
    const rt = this.runtimes.get(pod.metadata.uid!);
    const path = rt?.logPath(container, previous);
    if (!rt || !path) throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${previous ? 'no previous run' : 'ContainerCreating'}`);
    const run = rt.containers.find((c) => c.spec.name === container)!;
    return { path, ended: () => !run.process || previous };
  }

  /** Kills every process, waits (up to 5 s) for the Pods to end, removes the memory cgroups. */
  async close(): Promise<void> {
    this.unsubscribe();
    this.stopped = false;
    for (const r of this.resumes) r();
    this.signalProbes('SIGCONT');
    this.signalProbes('SIGKILL');
    for (const rt of this.runtimes.values()) rt.kill();
    await Promise.race([Promise.all([...this.runtimes.values()].map((r) => r.done)), new Promise((r) => setTimeout(r, 5000).unref())]);
    this.limiter.dispose();
  }

  private signalProbes(sig: NodeJS.Signals): void {
    for (const pid of this.probePids) {
      try {
        process.kill(-pid, sig);
      } catch {
        this.probePids.delete(pid);
      }
    }
  }

  private enqueue(e: StoreEvent): void {
    this.queue.set(e.object.metadata.uid!, e);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const events = [...this.queue.values()];
      this.queue.clear();
      for (const ev of events) {
        try {
          this.sync(ev);
        } catch (err) {
          process.emitWarning(`kube-double kubelet: ${(err as Error).stack ?? String(err)}`);
        }
      }
    });
  }

  private sync(e: StoreEvent): void {
    const uid = e.object.metadata.uid!;
    if (e.type === 'DELETED') {
      if (!this.stopped) this.runtimes.get(uid)?.kill();
      return;
    }
    const pod = this.store.get('pods', e.object.metadata.namespace, e.object.metadata.name!) as PodObject | undefined;
    if (!pod || pod.metadata.uid !== uid) return;
    if (!pod.spec.nodeName) return this.schedule(pod);
    if (pod.spec.nodeName !== this.opts.nodeName || this.stopped) return;
    const rt = this.runtimes.get(uid);
    const deleting = pod.metadata.deletionTimestamp;
    if (rt) {
      // The grace period counts from when the kubelet sees the deletion (deletionTimestamp has whole seconds).
      if (deleting) rt.terminate(pod.metadata.deletionGracePeriodSeconds ?? 30);
      return;
    }
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    if (deleting) {
      // Deleted before the kubelet started it: it ends without running.
      this.registry.writeStatus('pods', pod.metadata.namespace, pod.metadata.name!, uid, { ...pod.status, phase: 'Failed' });
      return;
    }
    this.runtimes.set(uid, new PodRuntime(this.env, pod));
  }

  /** The scheduler's part: bind to the node, or report Unschedulable while a fault holds the Pod. */
  private schedule(pod: PodObject): void {
    if (pod.metadata.deletionTimestamp) return;
    const held = this.faults.pendingMessage(pod);
    const m = pod.metadata;
    this.registry.mutate('pods', m.namespace, m.name!, m.uid!, (o) => {
      const p = o as PodObject;
      const others = (p.status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      const prev = (p.status.conditions ?? []).find((c) => c.type === 'PodScheduled');
      const status = held ? 'False' : 'True';
      const since = prev && prev.status === status ? prev.lastTransitionTime : new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const cond = held ? { type: 'PodScheduled', status, lastProbeTime: null, lastTransitionTime: since, reason: 'Unschedulable', message: held } : { type: 'PodScheduled', status, lastProbeTime: null, lastTransitionTime: since };
      p.status.conditions = [...others, cond] as PodObject['status']['conditions'];
      if (!held) p.spec.nodeName = this.opts.nodeName;
    });
  }
}
