/**
 * TEST DOUBLE of the Kubernetes API (see ./README.md) — not Kubernetes, and never used outside tests.
 *
 * `startKubeApi()` starts an HTTP server on 127.0.0.1 that the real `@kubernetes/client-node` talks
 * to through the kubeconfig file it writes, with an API server's behaviour for Pods, Jobs,
 * Services, Secrets, ConfigMaps and Namespaces (list + watch with resourceVersions, 409 / 404 /
 * 422 / 410 Status objects), a Job controller, a garbage collector, and one node whose kubelet runs
 * each Pod's containers as local processes. Fault switches on the returned object stand in for a
 * cluster's failures.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer } from './api-server.js';
import { Faults, UNSCHEDULABLE_MESSAGE } from './faults.js';
import { GarbageCollector } from './garbage-collector.js';
import { JobController } from './job-controller.js';
import { resourceOfKind, type KindName } from './kinds.js';
import { Kubelet } from './kubelet.js';
import { writeKubeconfig } from './kubeconfig.js';
import { ObjectStore, type JournalEntry } from './object-store.js';
import { Registry } from './registry.js';
import type { JobObject, KubeObject, PodObject } from './types.js';
import { WatchHub } from './watch.js';

export type { JournalEntry } from './object-store.js';
export type { JobObject, KubeObject, PodObject } from './types.js';
export { UNSCHEDULABLE_MESSAGE } from './faults.js';

/** Options of `startKubeApi`. Every one is optional. */
export interface KubeApiOptions {
  /** Folder for Pod folders (volumes, logs) and the kubeconfig. Default: a new temporary folder, removed by `close()`. */
  rootDir?: string;
  /** PATH of every container (tests put a `toolflow` shim in front). Default: this process's PATH. */
  path?: string;
  /** Variables every container gets before its own (the "image" environment), e.g. `{ KUBECONFIG }`. */
  env?: Record<string, string>;
  /** Namespaces that exist at start. Default `['default']`; creating in another one is a 404, as in a cluster. */
  namespaces?: string[];
  /** The node's name (`spec.nodeName`). Default `kube-double-node`. */
  nodeName?: string;
  /** Milliseconds one probe second lasts (periodSeconds, initialDelaySeconds). Default 1000; tests use e.g. 50. */
  probeSecondMs?: number;
  /** The Job controller's backoff before a replacement Pod: this × 2^(failures-1) ms. Default 0 (the real controller: 10 s). */
  jobBackoffBaseMs?: number;
  /** Pause before a container restart (CrashLoopBackOff). Default 200 ms (the real kubelet: 10 s doubling). */
  restartBackoffMs?: number;
  /** Time in ErrImagePull, then in ImagePullBackOff, per pull attempt. Default 300 ms. */
  imagePullBackOffMs?: number;
  /** Milliseconds between BOOKMARK events of watches that allow them. Default 60 000. */
  bookmarkIntervalMs?: number;
  /** `'rlimit'` forces memory-limit.ts's fallback instead of a memory cgroup. */
  memoryLimit?: 'rlimit';
  /** Port to listen on (127.0.0.1). Default 0 (any free port). */
  port?: number;
}

/** A running double. */
export interface KubeDouble {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** A kubeconfig YAML file for the double (context `kube-double`, namespace `default`, a token user). */
  readonly kubeconfigPath: string;
  /** The bearer token the server accepts (for raw HTTP requests in tests). */
  readonly token: string;
  readonly rootDir: string;
  readonly nodeName: string;
  /** 'cgroup1' | 'cgroup2' | 'rlimit': how container memory limits are enforced. */
  readonly memoryMechanism: string;

  /** Copies of the stored Jobs (one namespace, or all). */
  jobs(namespace?: string): JobObject[];
  /** Copies of the stored Pods (one namespace, or all). */
  pods(namespace?: string): PodObject[];
  /** Copies of the stored objects of a kind. */
  list(kind: KindName, namespace?: string): KubeObject[];
  /** A copy of one object, or undefined. */
  get(kind: KindName, name: string, namespace?: string): KubeObject | undefined;
  /** Every write since the start (resourceVersion order), untouched by `compact()`. */
  journal(): readonly JournalEntry[];
  /**
   * Resolves with `predicate()`'s first truthy value, checked after every write and every 50 ms.
   * @throws Error after `timeoutMs` (default 10 000), naming `what` and listing the Pods' states.
   */
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs?: number, what?: string): Promise<T>;
  /** Running container processes (pid = process group id) of one Pod or all. */
  processes(podName?: string, namespace?: string): Array<{ pod: string; container: string; pid: number }>;
  /** The folder standing for a Pod's volume. @throws when the Pod does not run on the node. */
  volumePath(podName: string, volume: string, namespace?: string): string;
  /** The log file (stdout + stderr) of a container's current run, or undefined. */
  logPath(podName: string, container: string, namespace?: string): string | undefined;
  /** Open watch streams. */
  watchCount(): number;

  /** Images matching `pattern` fail to pull (ErrImagePull, then ImagePullBackOff); never run. @returns the undo function. */
  failImagePull(pattern: RegExp): () => void;
  /** Pods matching the labels stay Pending: PodScheduled=False, Unschedulable, `message`. @returns the undo function (they are scheduled then). */
  holdPending(selector: Record<string, string> | string, message?: string): () => void;
  /** The kubelet evicts a running Pod (default message: ephemeral-storage over the limit). */
  evict(podName: string, message?: string, namespace?: string): void;
  /** Deletes a Pod as a user would (graceful, through the API). */
  deletePod(name: string, options?: { namespace?: string; gracePeriodSeconds?: number }): void;
  /** SIGSTOPs every Pod process; statuses freeze, no Pod starts, until `resumeNode()`. */
  stopNode(): void;
  resumeNode(): void;
  /** Cuts every open watch stream abruptly. */
  dropWatches(): void;
  /** Forgets every event up to now: watches from an older resourceVersion get 410. */
  compact(): void;
  /** Kills every process, closes the server, removes the cgroups (and the root dir when the double made it). */
  close(): Promise<void>;
}

/** The kubelet's message for an ephemeral-storage eviction (pkg/kubelet/eviction). */
export const EPHEMERAL_EVICTION_MESSAGE = 'Pod ephemeral local storage usage exceeds the total limit of containers 1Gi.';

/** Starts the double. @throws when the port is taken. */
export async function startKubeApi(options: KubeApiOptions = {}): Promise<KubeDouble> {
  const ownRoot = !options.rootDir;
  const rootDir = options.rootDir ?? mkdtempSync(join(tmpdir(), 'kube-double-'));
  mkdirSync(rootDir, { recursive: true });
  const nodeName = options.nodeName ?? 'kube-double-node';
  const token = randomBytes(24).toString('base64url');
  const store = new ObjectStore();
  const registry = new Registry(store);
  const namespaces = options.namespaces ?? ['default'];
  for (const ns of namespaces) registry.create(resourceOfKind('Namespace'), undefined, { metadata: { name: ns } });
  const faults = new Faults(() => kubelet.rescan());
  const kubelet = new Kubelet(registry, store, faults, {
    nodeName,
    rootDir,
    path: options.path ?? process.env.PATH ?? '/usr/bin:/bin',
    env: options.env ?? {},
    probeSecondMs: options.probeSecondMs ?? 1000,
    restartBackoffMs: options.restartBackoffMs ?? 200,
    imagePullBackOffMs: options.imagePullBackOffMs ?? 300,
    memoryLimit: options.memoryLimit,
  });
  const k = kubelet;
  const jobs = new JobController(registry, store, options.jobBackoffBaseMs ?? 0);
  const gc = new GarbageCollector(registry, store);
  const watches = new WatchHub(store, options.bookmarkIntervalMs ?? 60_000);
  const server = await startApiServer({ registry, watches, token, podLog: (ns, pod, c, prev) => k.podLog(ns, pod, c, prev) }, options.port ?? 0);
  const url = `http://127.0.0.1:${server.port}`;
  const kubeconfigPath = join(rootDir, 'kubeconfig.yaml');
  writeKubeconfig(kubeconfigPath, url, token, namespaces[0] ?? 'default');

  const listeners = new Set<() => void>();
  const unsubscribe = store.subscribe(() => {
    for (const l of [...listeners]) l();
  });
  const runtimeOf = (pod: string, ns = 'default') => {
    const rt = k.runtime(ns, pod);
    if (!rt) throw new Error(`kube-double: Pod ${ns}/${pod} does not run on the node`);
    return rt;
  };
  const summary = () =>
    store
      .list('pods')
      .map((p) => {
        const pod = p as PodObject;
        const cs = [...(pod.status.initContainerStatuses ?? []), ...(pod.status.containerStatuses ?? [])].map((c) => `${c.name}=${Object.keys(c.state ?? {})[0]}${c.state?.waiting?.reason ? `(${c.state.waiting.reason})` : c.state?.terminated ? `(${c.state.terminated.exitCode})` : ''}`);
        return `${pod.metadata.namespace}/${pod.metadata.name} ${pod.status.phase}${pod.metadata.deletionTimestamp ? ' deleting' : ''} [${cs.join(', ')}]`;
      })
      .join('; ') || 'no Pods';

  let closed = false;
  return {
    url,
    kubeconfigPath,
    token,
    rootDir,
    nodeName,
    memoryMechanism: k.limiter.mechanism,
    jobs: (ns) => store.list('jobs', ns) as JobObject[],
    pods: (ns) => store.list('pods', ns) as PodObject[],
    list: (kind, ns) => store.list(resourceOfKind(kind).resource, ns),
    get: (kind, name, ns = 'default') => {
      const r = resourceOfKind(kind);
      return store.get(r.resource, r.namespaced ? ns : undefined, name);
    },
    journal: () => store.journal.slice(),
    waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 10_000, what = 'a condition'): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          let v: T | undefined | null | false;
          try {
            v = predicate();
          } catch (err) {
            finish();
            return reject(err);
          }
          if (v) {
            finish();
            resolve(v);
          }
        };
        const poll = setInterval(check, 50);
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`kube-double: timed out after ${timeoutMs} ms waiting for ${what}; Pods: ${summary()}`));
        }, timeoutMs);
        const finish = () => {
          clearInterval(poll);
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    processes: (pod, ns = 'default') =>
      k
        .all()
        .filter((r) => pod === undefined || (r.name === pod && r.ns === ns))
        .flatMap((r) => r.processes().map((p) => ({ pod: r.name, ...p }))),
    volumePath: (pod, volume, ns) => runtimeOf(pod, ns).volumePath(volume),
    logPath: (pod, container, ns) => k.runtime(ns ?? 'default', pod)?.logPath(container),
    watchCount: () => watches.count,
    failImagePull: (re) => faults.failImagePull(re),
    holdPending: (sel, message) => {
      const undo = faults.holdPending(sel, message ?? UNSCHEDULABLE_MESSAGE);
      k.rescan();
      return undo;
    },
    evict: (pod, message = EPHEMERAL_EVICTION_MESSAGE, ns = 'default') => k.evict(ns, pod, message),
    deletePod: (name, o = {}) => {
      registry.delete(resourceOfKind('Pod'), o.namespace ?? 'default', name, o.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: o.gracePeriodSeconds } : {});
    },
    stopNode: () => k.stopNode(),
    resumeNode: () => k.resumeNode(),
    dropWatches: () => watches.dropAll(),
    compact: () => store.compact(),
    async close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      jobs.stop();
      gc.stop();
      await server.close();
      await k.close();
      if (ownRoot) rmSync(rootDir, { recursive: true, force: true });
    },
  };
}
