/**
 * The Kubernetes executor (cluster mode): each attempt is a Job `tf-<task>-<tool>-a<n>`
 * (`manifests.ts`: the tool container and the native sidecar that stages files and reports over gRPC
 * to the task's work manager). Any process may start attempts (schedule-tool is stateless: the Job's
 * name makes a second start a 409, which is "started"); attempts outlive the process that started
 * them, and the work manager follows them through `watchTask` (a watch of the task's Jobs and Pods,
 * `task-watch.ts`). Nothing is kept per attempt in memory but the names of the Jobs this process
 * deleted (so their Pods' ends are not taken for losses) and each task's work-manager Job uid.
 *
 * API calls, for RBAC (knative/cluster/, knative/task-host/):
 * - `start` (schedule-tool): `create` batch/jobs; `get` batch/jobs (the work-manager Job's uid, once per task);
 * - `cancel`, `stopLeftover` (work manager): `delete` batch/jobs; `list` and, with a grace period
 *   given, `delete` pods;
 * - `watchTask` (work manager): `list` + `watch` batch/jobs and pods; `get` batch/jobs; `delete` batch/jobs.
 * - `reuse` (a cache hit, issue 10): no API call; object-store `head`, `list`, `copy`, `putFile`, `delete`.
 */
import { BatchV1Api, CoreV1Api, type KubeConfig, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { AttemptRequest, Executor, ReportSink } from '../executor.js';
import { NotFoundError } from '../../errors.js';
import type { AttemptRef, OutputRecord } from '../../events/catalog.js';
import type { ObjectStore } from '../../objects/object-store.js';
import { attemptToken } from '../../reports/attempt-token.js';
import { attemptObjectKey, attemptObjectPrefix } from '../../sidecar/pod-layout.js';
import { apiError, statusCode } from './api-errors.js';
import { toolJob } from './manifests.js';
import { jobName, Label, labelValue, taskSelector, workManagerJobName } from './names.js';
import { ListWatch, type WatchEventType } from './pod-watch.js';
import { reportAddressOf, type KubernetesSettings } from './settings.js';
import { TaskWatch } from './task-watch.js';

/** What the executor needs besides its settings. */
export interface KubernetesExecutorDeps {
  kubeConfig: KubeConfig;
  /** The object store the sidecars upload to: outputs are checked there when a Pod alone says exit 0. */
  objects: ObjectStore;
  log: Logger;
  /** Timing of the watches, seconds (tests shorten them): see `ListWatchOptions`. */
  watch?: { serverTimeoutSeconds?: number; deadlineMarginSeconds?: number; relistSeconds?: number };
  /** Now, epoch ms (tests). */
  now?: () => number;
}

/** Object written beside the files of an attempt whose files were reused (as the local executor's `cached-from.txt`). */
const CACHED_FROM_OBJECT = 'cached-from.txt';

/** Largest Job object sent, bytes of JSON: the API server refuses requests above ~1.5 MiB (etcd's limit). */
export const MAX_JOB_BYTES = 1_000_000;

/** Largest `TOOLFLOW_ATTEMPT` value, bytes: Linux's MAX_ARG_STRLEN (32 pages) less the name and `=`. */
export const MAX_ATTEMPT_ENV_BYTES = 131_072 - 'TOOLFLOW_ATTEMPT='.length - 1;
/** How long the name of a Job this process deleted is remembered, ms. */
const STOPPED_MEMORY_MS = 3_600_000;
/** Extra wait for a cancelled attempt's Pods to go, beyond their grace period, seconds. */
const GONE_MARGIN_SECONDS = 30;

/** Runs attempts as Kubernetes Jobs. */
export class KubernetesExecutor implements Executor {
  readonly attemptsOutliveDriver = true;
  readonly capacity: { cpuMillicores: number; memBytes: number; diskBytes: number | null };
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;
  /** Uid of each task's work-manager Job (undefined: none, e.g. a work manager in this process). */
  /** Jobs this process deleted, with when. */
  private readonly stopped = new Map<string, number>();
  private readonly watches = new Set<TaskWatch>();
  private readonly now: () => number;

  constructor(
    private readonly settings: KubernetesSettings,
    private readonly deps: KubernetesExecutorDeps,
  ) {
    this.capacity = { ...settings.capacity };
    this.batch = deps.kubeConfig.makeApiClient(BatchV1Api);
    this.core = deps.kubeConfig.makeApiClient(CoreV1Api);
    this.now = deps.now ?? Date.now;
  }

  /**
   * Creates the attempt's Job (reports come from its sidecar over gRPC, and from `watchTask`; `sink`
   * is not used). A Job of that name that exists already (409) is this attempt started before.
   * @throws ServiceUnavailableError when the API does not answer, or answers 429 / 5xx (the event is
   *   handled again later); Error with the API's message (the token never in it) when it refuses the
   *   Job (422 Invalid, 403 Forbidden), or when the Job would be too large.
   */
  async start(request: AttemptRequest, _sink: ReportSink): Promise<void> {
    const { taskId, tool, attempt } = request;
    const name = jobName(taskId, tool, attempt);
    const token = attemptToken(this.settings.reportSecret, { taskId, tool, attempt });
    const ownerUid = await this.ownerOf(taskId);
    const reportAddress = reportAddressOf(this.settings.reportAddress, taskId, this.settings.namespace);
    const body = toolJob(request, this.settings, { token, ownerUid, reportAddress });
    // The sidecar gets the attempt as one variable, and Linux refuses any one over MAX_ARG_STRLEN.
    const attemptBytes = Buffer.byteLength(JSON.stringify(request));
    if (attemptBytes > MAX_ATTEMPT_ENV_BYTES) {
      throw new Error(`the attempt's description takes ${attemptBytes} bytes, more than the ${MAX_ATTEMPT_ENV_BYTES} Linux allows one environment variable (MAX_ARG_STRLEN, 128 KiB), which is how the sidecar gets it: its env or option values are too large; pass large values as input files`);
    }
    const size = Buffer.byteLength(JSON.stringify(body));
    if (size > MAX_JOB_BYTES) {
      throw new Error(`the attempt's Job would take ${size} bytes, more than the ${MAX_JOB_BYTES} the Kubernetes API takes: its commands or option values are too large; pass large values as input files`);
    }
    try {
      await this.batch.createNamespacedJob({ namespace: this.settings.namespace, body });
      this.deps.log.info({ taskId, tool, attempt, job: name }, 'Job created');
    } catch (err) {
      if (statusCode(err) === 409) return; // started before
      throw apiError(err, `creating Job ${name}`, [token, this.settings.reportSecret]);
    }
  }

  /**
   * Uid of the task's work-manager Job, read for every attempt (one GET): a Job recreated by
   * `toolflow resume` has a new uid, and a tool Job owned by the old one would be garbage-collected.
   * Undefined when there is none.
   */
  private async ownerOf(taskId: string): Promise<string | undefined> {
    const name = workManagerJobName(taskId);
    let uid: string | undefined;
    try {
      uid = (await this.batch.readNamespacedJob({ name, namespace: this.settings.namespace })).metadata?.uid;
    } catch (err) {
      if (statusCode(err) !== 404) throw apiError(err, `reading the work-manager Job ${name}`);
      this.deps.log.info({ taskId, job: name }, 'no work-manager Job: the attempt has no owner to be deleted with');
    }
    return uid;
  }

  /**
   * Deletes the attempt's Job (`propagationPolicy: Background`: the garbage collector deletes its
   * Pods, each with its own grace period; with `graceSeconds` given, its Pods are deleted with that
   * grace too, 0 = SIGKILL at once) and resolves once its Pods are gone, or after their grace period
   * and 30 s more. A Job that is gone already (404) is fine.
   * @throws ServiceUnavailableError or Error (see `start`) when the API fails.
   */
  async cancel(taskId: string, tool: string, attempt: number, graceSeconds?: number): Promise<void> {
    await this.deleteAttempt(taskId, tool, attempt, graceSeconds);
  }

  /**
   * Deletes a Job an earlier process may have left running (its Pods at once: the attempt is
   * declared lost and rerun next). @returns true when a Job or Pod of the attempt existed.
   */
  async stopLeftover(taskId: string, tool: string, attempt: number): Promise<boolean> {
    return this.deleteAttempt(taskId, tool, attempt, 0);
  }

  private podSelector(taskId: string, tool: string, attempt: number): string {
    return `${Label.task}=${labelValue(taskId)},${Label.tool}=${labelValue(tool)},${Label.attempt}=${attempt}`;
  }

  private async deleteAttempt(taskId: string, tool: string, attempt: number, graceSeconds: number | undefined): Promise<boolean> {
    const name = jobName(taskId, tool, attempt);
    const namespace = this.settings.namespace;
    this.markStopped(name);
    let existed = true;
    try {
      await this.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' });
    } catch (err) {
      if (statusCode(err) !== 404) throw apiError(err, `deleting Job ${name}`);
      existed = false;
    }
    const labelSelector = this.podSelector(taskId, tool, attempt);
    const list = async () => {
      try {
        return (await this.core.listNamespacedPod({ namespace, labelSelector })).items;
      } catch (err) {
        throw apiError(err, `listing the Pods of Job ${name}`);
      }
    };
    let pods = await list();
    const found = existed || pods.length > 0;
    if (graceSeconds !== undefined) {
      await Promise.all(pods.map((p) => this.deletePod(p, graceSeconds)));
    }
    const bound = this.now() + ((graceSeconds ?? this.settings.terminationGraceSeconds) + GONE_MARGIN_SECONDS) * 1000;
    for (let wait = 100; pods.length > 0; wait = Math.min(1000, wait * 2)) {
      if (this.now() > bound) {
        this.deps.log.warn({ job: name, pods: pods.map((p) => p.metadata?.name) }, 'Pods of a deleted Job still there past their grace period');
        break;
      }
      await sleep(wait);
      pods = await list();
    }
    return found;
  }

  private async deletePod(pod: V1Pod, graceSeconds: number): Promise<void> {
    const name = pod.metadata?.name;
    if (!name) return;
    try {
      await this.core.deleteNamespacedPod({ name, namespace: this.settings.namespace, gracePeriodSeconds: graceSeconds });
    } catch (err) {
      if (statusCode(err) !== 404) throw apiError(err, `deleting Pod ${name}`);
    }
  }

  private markStopped(name: string): void {
    const now = this.now();
    for (const [n, at] of this.stopped) if (now - at > STOPPED_MEMORY_MS) this.stopped.delete(n);
    this.stopped.set(name, now);
  }

  /**
   * Follows the task's Jobs and Pods (label `toolflow.io/task=<id>`), sending `sink` one verdict per
   * attempt when the platform tells one (`task-watch.ts`). @returns a function that stops following.
   */
  watchTask(taskId: string, sink: ReportSink): () => void {
    const namespace = this.settings.namespace;
    const labelSelector = taskSelector(taskId);
    const timing = this.deps.watch ?? {};
    const watch: TaskWatch = new TaskWatch({
      taskId,
      sink,
      objects: this.deps.objects,
      log: this.deps.log,
      unschedulableSeconds: this.settings.unschedulableSeconds,
      now: this.now,
      stoppedByToolflow: (job) => this.stopped.has(job),
      listWatch: <T extends V1Pod | V1Job>(kind: 'pods' | 'jobs', onEvent: (type: WatchEventType, obj: T) => void) =>
        new ListWatch<T>({
          kubeConfig: this.deps.kubeConfig,
          path: kind === 'pods' ? `/api/v1/namespaces/${namespace}/pods` : `/apis/batch/v1/namespaces/${namespace}/jobs`,
          labelSelector,
          list: async () => {
            try {
              const l = kind === 'pods' ? await this.core.listNamespacedPod({ namespace, labelSelector }) : await this.batch.listNamespacedJob({ namespace, labelSelector });
              return { items: l.items as T[], resourceVersion: l.metadata?.resourceVersion };
            } catch (err) {
              throw apiError(err, `listing the ${kind} of task ${taskId}`);
            }
          },
          onEvent,
          log: this.deps.log,
          ...timing,
        }),
      readJob: async (name) => {
        try {
          return await this.batch.readNamespacedJob({ name, namespace });
        } catch (err) {
          if (statusCode(err) === 404) return undefined;
          throw apiError(err, `reading Job ${name}`);
        }
      },
      deleteJob: async (name) => {
        this.markStopped(name);
        try {
          await this.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' });
        } catch (err) {
          if (statusCode(err) !== 404) throw apiError(err, `deleting Job ${name}`);
        }
      },
    });
    this.watches.add(watch);
    return () => {
      watch.stop();
      this.watches.delete(watch);
    };
  }

  /**
   * A cache hit: every object of attempt `from` (under its prefix `attempts/<task>/<tool>/attempt-<n>/`:
   * its outputs, files its dependents read without them being declared, its logs) becomes an object
   * of `request`'s attempt without a Job: first each recorded output is checked with a `head` (there,
   * with its recorded size), then the prefix is listed and each object copied (`ObjectStore.copy`: S3
   * CopyObject, the bytes stay in the bucket) to the same name under the new attempt's prefix, and a
   * `cached-from.txt` object says where they came from (unless the earlier attempt has an object of
   * that name: it is copied instead), so the attempt's prefix is never empty for the dependents'
   * staging. `from.workRoot` is not used.
   * @returns false, having copied nothing (or removed what it copied), when an output is gone or
   *   has another size (also when one disappears between its `head` and its copy, or from the listing).
   * @throws Error for an output path outside the work dir; the store's error (after removing what
   *   was copied) when it fails otherwise.
   */
  async reuse(request: AttemptRequest, from: AttemptRef & { workRoot?: string }, outputs: OutputRecord[]): Promise<boolean> {
    const objects = this.deps.objects;
    const fromPrefix = attemptObjectPrefix(from.taskId, from.tool, from.attempt);
    const toPrefix = attemptObjectPrefix(request.taskId, request.tool, request.attempt);
    const checks = outputs.map((o) => ({ record: o, fromKey: attemptObjectKey(from.taskId, from.tool, from.attempt, o.path) }));
    for (const c of checks) {
      const info = await objects.head(c.fromKey);
      if (!info || info.size !== c.record.bytes) return false;
    }
    const copied: string[] = [];
    try {
      const keys = await objects.list(fromPrefix);
      // A declared output missing from the listing was removed after its head.
      if (checks.some((c) => !keys.includes(c.fromKey))) return false;
      for (const fromKey of keys) {
        if (!fromKey.startsWith(fromPrefix)) continue;
        const toKey = toPrefix + fromKey.slice(fromPrefix.length);
        await objects.copy(fromKey, toKey);
        copied.push(toKey);
      }
      if (!keys.includes(fromPrefix + CACHED_FROM_OBJECT)) {
        const note = `toolflow: this attempt did not run: its outputs are those of task ${from.taskId}, tool ${from.tool}, attempt ${from.attempt} (${fromPrefix}), whose cache key was the same.\n${outputs.map((o) => `${o.sha256}  ${o.bytes}  ${o.path}\n`).join('')}`;
        const key = toPrefix + CACHED_FROM_OBJECT;
        const dir = await mkdtemp(join(tmpdir(), 'toolflow-cached-from-'));
        try {
          await writeFile(join(dir, CACHED_FROM_OBJECT), note);
          await objects.putFile(key, join(dir, CACHED_FROM_OBJECT));
          copied.push(key);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }
      this.deps.log.info({ taskId: request.taskId, tool: request.tool, attempt: request.attempt, from, outputs: outputs.length, objects: keys.length }, 'attempt files reused from the cache');
      return true;
    } catch (err) {
      for (const key of copied) await objects.delete(key).catch(() => undefined);
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }

  /**
   * Where the attempt's files are: `s3://<bucket>/attempts/<task>/<tool>/attempt-<n>/` with a bucket,
   * the local objects folder's copy when Pods run on this machine, else the object-key prefix.
   */
  workDirOf(taskId: string, tool: string, attempt: number): string {
    const prefix = attemptObjectPrefix(taskId, tool, attempt);
    if (this.settings.s3) return `s3://${this.settings.s3.bucket}/${prefix}`;
    if (this.settings.localHome) return `${join(this.settings.localHome, 'objects', prefix)}/`;
    return prefix;
  }

  /** Stops every watch (the attempts go on: they outlive this process). */
  async close(): Promise<void> {
    for (const w of this.watches) w.stop();
    this.watches.clear();
  }
}
