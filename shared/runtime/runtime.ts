/**
 * The runtime: the ports from `adapters.ts` (embedded or services), the functions subscribed to the
 * bus, and work managers as in-process objects. The same handlers run here as under Knative or
 * OpenFaaS. In services mode, several processes can share the broker and the database: `shared`
 * functions compete for their queues, and each process hosts the work managers, the `task-host`
 * functions and the executor of the tasks it submitted.
 */
import type { Logger } from 'pino';
import { EventType, makeEvent, type ToolflowEvent } from '../events/catalog.js';
import type { Executor, ToolReport } from '../executor/executor.js';
import { LocalExecutor } from '../executor/local/local-executor.js';
import { FUNCTIONS, routeFunctions } from './functions.js';
import { closeProcessNotifier } from '../handlers/notify.js';
import { notifySettings } from '../notify/notify-settings.js';
import { BACKGROUND_GRACE_MS } from '../events/bus.js';
import { uploadFile, type UploadFileOptions } from '../handlers/upload.js';
import { validateSubmission, type Submission } from '../handlers/validate.js';
import { ResourceBudget } from '../scheduler/resources.js';
import { isTerminal } from '../scheduler/status.js';
import { AbortedError, ConfigError, LeaseLostError, NotFoundError, TaskStalledError } from '../errors.js';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { describeProcess, isKnownDead } from '../process-identity.js';
import { STALLED, workManagerLock } from './task-driver.js';
import type { TaskRow } from '../store/store.js';
import { WorkManager } from '../work-manager/work-manager.js';
import { waitForTask } from './task-waiter.js';
import { describeBackends, openAdapters, type Adapters } from './adapters.js';
import { lazyLogger } from './lazy-logger.js';
import { inputInPlace, type InPlaceInput } from './embedded-upload.js';
import { LocalObjectStore } from '../objects/local-object-store.js';
import type { Config } from './config.js';
import type { Ports } from './ports.js';
import type { FileFormat } from '../uploads/upload-doc.js';

export { FUNCTIONS, routeFunctions } from './functions.js';

/** A running runtime. */
export interface Runtime {
  ports: Ports;
  mode: Adapters['mode'];
  /** Which backend serves each port (URLs masked). */
  backends: string;
  /** Uploads an input file for `owner` (`handlers/upload.ts` `uploadFile`); `signal` aborts it (nothing is left behind). */
  upload(owner: string, path: string, options?: UploadFileOptions | AbortSignal): ReturnType<typeof uploadFile>;
  /**
   * Records an input file of a run that this process submits (`toolflow run --input`): in embedded
   * mode in place, without copying it (`embedded-upload.ts` `inputInPlace`: a hard link, a reflink
   * or a symbolic link in the object store, its SHA-256 from the checksum cache when the file is
   * unchanged); otherwise an upload (`upload`). `signal` aborts it (nothing is left behind).
   * A pipe or character device is read once, into a copy; `format` is checked on its first 64 KiB
   * (FormatMismatchError), as the upload store checks an upload's.
   */
  useInput(owner: string, path: string, options?: { signal?: AbortSignal; onProgress?: (bytes: number) => void; format?: FileFormat }): Promise<InPlaceInput | Awaited<ReturnType<typeof uploadFile>>>;
  /** Validates and submits; this process hosts the task. Resolves with the task id once `task.submitted` is confirmed. @throws SpecError. */
  submit(submission: Submission): Promise<string>;
  /**
   * Resolves with the task's final event, once the store shows the task finished and this process has handled what it caused.
   * @throws LeaseLostError when the task's work manager in this process halts (its lock was lost).
   */
  waitFor(taskId: string): Promise<ToolflowEvent>;
  /**
   * Takes over a task that no live process drives (its process died): takes its lock (at once when
   * its holder died on this machine, else waiting up to the lock's TTL), checks that its work dirs
   * are here, then rebuilds its work manager from the store here. @returns its name and tool count;
   * `finished` when the task ended while this process waited for the lock (nothing was started).
   * @throws NotFoundError for an unknown task; ConfigError for a finished task, one a live process
   *   drives, or one whose work dirs are missing; AbortedError when `options.signal` aborts the wait.
   */
  resume(taskId: string, options?: ResumeOptions): Promise<{ name: string; tools: number; finished?: boolean }>;
  /** Cancels a task hosted by this process; `force` kills its tools at once. */
  cancel(taskId: string, force?: boolean): Promise<void>;
  /**
   * Hands a report (from a sidecar, over gRPC) to the task's work manager in this process.
   * @returns its verdict (`WorkManager.receive`); `unavailable` when none runs here (yet).
   */
  deliverReport(report: ToolReport): 'accepted' | 'stale' | 'unavailable';
  close(): Promise<void>;
}

/** Options of `Runtime.resume`. */
export interface ResumeOptions {
  /** Stops waiting for the lock. */
  signal?: AbortSignal;
  /** Told once, in words for people, when the lock is held and resume waits for it. */
  onWait?: (message: string) => void;
  /** The folder that now holds the task's work dirs, when they were moved (`--workdir`). */
  workRoot?: string;
  /**
   * Drive the task in this process even in cluster mode (`toolflow work-manager`, which serves the
   * sidecars' reports). Otherwise, in cluster mode, resume (re)creates the task's work-manager Job,
   * whose Service the sidecars report to, and `onWait` is told so.
   */
  inProcess?: boolean;
}

/** What `launchWorkManager` did. */
type LaunchOutcome = 'started' | 'held' | 'finished';

/** How often a driver looks for a `toolflow cancel` of its tasks, ms. */
const CANCEL_POLL_MS = 1000;

/** Parts a caller may supply instead of the configured ones (tests pass a fake executor, a store, a bus). */
export interface RuntimeParts extends Partial<Omit<Adapters, 'mode'>> {
  executor?: Executor;
  log?: Logger;
  /**
   * Whether this process consumes the `shared` functions' events itself (default true). False where
   * they run elsewhere and reach their events another way: `toolflow dev` in services mode, whose
   * connector delivers them over HTTP to the function endpoints.
   */
  routeShared?: boolean;
}

/**
 * Builds the ports from configuration and subscribes the functions.
 * @throws ServiceUnavailableError or ConfigError naming a backend that cannot be used.
 */
export async function createRuntime(config: Config, parts: RuntimeParts = {}): Promise<Runtime> {
  // notify runs here with the other shared functions: its settings are refused now, not at the first event.
  if (parts.routeShared !== false) notifySettings(process.env);
  const log = parts.log ?? lazyLogger(config.logLevel, { component: 'toolflow' });
  const adapters = await openAdapters(config, log, parts);
  const { store, objects, bus, coordination } = adapters;
  if (parts.store) await store.migrate();
  // Cluster mode: attempts are Kubernetes Jobs, work managers Jobs of their own.
  let cluster: Awaited<ReturnType<typeof import('./cluster-parts.js').openClusterParts>> | undefined;
  try {
    cluster = config.kubernetes && !parts.executor ? await (await import('./cluster-parts.js')).openClusterParts(config.kubernetes, objects, log) : undefined;
  } catch (err) {
    // A kubeconfig that cannot be loaded: nothing opened stays open (the process would not exit).
    await Promise.allSettled([bus.close(), coordination.close(), objects.close?.(), store.close()]);
    throw err;
  }
  const executor =
    parts.executor ??
    cluster?.executor ??
    new LocalExecutor({
      root: config.workDir,
      objects,
      cpuMillicores: config.cpuMillicores,
      memBytes: config.memBytes,
      keepaliveSeconds: config.keepaliveSeconds,
      memoryLimit: config.memoryLimit,
    });
  const managers = new Map<string, WorkManager>();
  /** Tasks whose work manager ran here to the end: reports about them are stale. */
  const endedHere = new Set<string>();
  const launching = new Map<string, Promise<LaunchOutcome>>();
  const hosted = new Map<string, () => void>();
  /** Tasks cancelled before their work manager started here. */
  const cancelRequested = new Set<string>();
  /** Waiters of tasks whose work manager runs here, told when it halts instead of finishing. */
  const haltWaiters = new Map<string, (err: Error) => void>();
  const ports: Ports = {
    store,
    objects,
    bus,
    coordination,
    executor,
    budget: new ResourceBudget(executor.capacity),
    watchdog: { startTimeoutSeconds: config.startTimeoutSeconds, lostAfterSeconds: config.lostAfterSeconds },
    log,
    reports: {
      // To the task's work manager: in this process, or, in cluster mode, over gRPC to its Job.
      sinkFor: (taskId) => (report) => {
        const wm = managers.get(taskId);
        if (wm || !cluster) wm?.receive(report);
        else cluster.remoteReports(taskId)(report);
      },
    },
    workManagers: cluster?.workManagers ?? {
      launch(taskId) {
        if (managers.has(taskId)) return Promise.resolve();
        let p = launching.get(taskId);
        if (!p) {
          p = launchWorkManager(taskId).finally(() => launching.delete(taskId));
          launching.set(taskId, p);
        }
        return p.then(() => undefined);
      },
    },
  };

  /**
   * Checks, before a resume, that the task's work dirs are here (its succeeded tools' outputs are
   * read by the tools left to run), and records `moved` as the task's new work folder when given.
   * @throws ConfigError naming the folder that is missing and what to do.
   */
  async function checkWorkRoot(task: TaskRow, moved: string | undefined): Promise<void> {
    // Attempts that outlive their driver keep their files in the object store, not in work dirs here.
    if (executor.attemptsOutliveDriver) return;
    const recorded = task.work_dir ?? resolve(config.workDir);
    const root = moved ? resolve(moved) : recorded;
    const progressed = (await store.listToolRuns(task.id)).some((r) => r.status !== 'pending');
    if (progressed && !existsSync(join(root, task.id))) {
      throw new ConfigError(
        moved && root !== recorded
          ? `task ${task.id} ran in ${recorded}, and ${join(root, task.id)} does not exist: move ${join(recorded, task.id)} there first, or resume without --workdir`
          : `the work dirs of task ${task.id} (${join(root, task.id)}) are not on this machine; the tools left to run read its finished tools' outputs from there: copy that folder here, or give --workdir with the folder that now holds ${task.id}/`,
      );
    }
    if (root !== task.work_dir) await store.updateTask(task.id, { work_dir: root });
  }

  /**
   * Starts a task's work manager under its lock (design doc: "ignore if another backend is already
   * processing the task"). @returns `held` when another holder has the lock (or has claimed the task
   * since), `finished` when the task ended before the lock was obtained here. `signal` (resume's
   * Ctrl-C) stops a lock attempt that waits on etcd (AbortedError).
   */
  async function launchWorkManager(taskId: string, signal?: AbortSignal): Promise<LaunchOutcome> {
    const lease = await coordination.tryLock(workManagerLock(taskId), config.lockTtlSeconds, { signal });
    if (!lease) {
      log.info({ taskId }, 'the task’s work manager runs elsewhere; ignoring');
      unhost(taskId);
      return 'held';
    }
    // Writes caused by this work manager's events are fenced by its lease: once another process
    // holds the lock and has claimed the task, they change nothing.
    if (!(await store.claimTask(taskId, lease.token))) {
      log.warn({ taskId, token: lease.token }, 'a newer work manager has claimed the task; ignoring');
      await lease.release();
      unhost(taskId);
      return 'held';
    }
    // Its last driver may have finished it while this process waited for the lock.
    if (isTerminal((await store.getTask(taskId))?.status ?? 'queued')) {
      await lease.release();
      unhost(taskId);
      return 'finished';
    }
    host(taskId);
    const wm = new WorkManager(taskId, ports, lease.token);
    managers.set(taskId, wm);
    lease.onLost(() => void wm.halt('its task lock was lost: another process may take the task over'));
    void wm.done.then(async () => {
      managers.delete(taskId);
      if (wm.haltReason === undefined) endedHere.add(taskId);
      unhost(taskId);
      await lease.release();
      if (wm.haltReason !== undefined) {
        haltWaiters.get(taskId)?.(new LeaseLostError(`task ${taskId}: its work manager stopped (${wm.haltReason}); if no other process runs it, take it over with: toolflow resume ${taskId}`));
      }
    });
    await wm.start();
    if (cancelRequested.has(taskId)) void wm.cancel('cancelled by the user');
    return 'started';
  }

  // `toolflow cancel` from another terminal records its request in the store, and a process that
  // dead-letters an event of a task this one drives records the stall there: the driver polls both.
  const cancelPoll = setInterval(() => {
    for (const [taskId, wm] of managers) {
      store.getTask(taskId).then(
        (t) => {
          if (t?.cancel_requested_at) void wm.cancel('cancelled with toolflow cancel');
          else if (t?.status === 'processing' && t.error?.startsWith(STALLED)) haltWaiters.get(taskId)?.(new TaskStalledError(t.error.slice(STALLED.length)));
        },
        () => undefined, // a store that does not answer now is asked again at the next tick
      );
    }
  }, CANCEL_POLL_MS);
  cancelPoll.unref();

  /**
   * Where a function runs: `task-host` ones act on this process's work managers and executor, unless
   * attempts outlive their driver (cluster mode): then start-workflow and schedule-tool touch only
   * the Kubernetes API and the store, and any process may run them, as the `shared` ones.
   */
  const placementOf = (f: (typeof FUNCTIONS)[number]) => (executor.attemptsOutliveDriver ? 'shared' : f.placement);

  /** Subscribes the `task-host` functions for a task this process hosts (idempotent). */
  function host(taskId: string): void {
    if (hosted.has(taskId) || executor.attemptsOutliveDriver) return;
    hosted.set(
      taskId,
      routeFunctions(
        ports,
        FUNCTIONS.filter((f) => f.placement === 'task-host'),
        taskId,
      ),
    );
  }

  function unhost(taskId: string): void {
    hosted.get(taskId)?.();
    hosted.delete(taskId);
  }

  // An event a hosted task needs was given up on: its waiter is told why instead of waiting for ever.
  const offDeadLetters = bus.onDeadLetter((dead) => {
    // A function outside the flow (notify) changes no task, whatever happens to its events.
    if (FUNCTIONS.some((f) => f.observer && f.name === dead.consumer.replace(/\/.*$/, ''))) return;
    const taskId = (dead.event.data as { taskId?: unknown } | null | undefined)?.taskId;
    if (typeof taskId !== 'string') return; // an invalid event's data may have none
    const failed = `${dead.consumer.replace(/\/.*$/, '')} failed to handle ${dead.event.type} (${dead.event.subject}) ${dead.deliveries} times: ${dead.error}`;
    // A submission that was never enqueued left no task to resume: it is to be submitted again.
    const message =
      dead.event.type === EventType.taskSubmitted
        ? `task ${taskId} was not recorded: ${failed}. Fix the cause, then submit the workflow again`
        : `task ${taskId} cannot progress: ${failed}. Fix the cause, then take the task over with: toolflow resume ${taskId}`;
    void store.updateTask(taskId, { error: STALLED + message }).catch(() => undefined); // the store may be what failed
    haltWaiters.get(taskId)?.(new TaskStalledError(message));
  });

  const unroute =
    parts.routeShared === false
      ? () => undefined
      : routeFunctions(
          ports,
          FUNCTIONS.filter((f) => placementOf(f) === 'shared'),
        );
  return {
    ports,
    mode: adapters.mode,
    backends: describeBackends(config),
    upload: (owner, path, options) => uploadFile(ports, owner, path, options),
    useInput: (owner, path, options = {}) =>
      adapters.mode === 'embedded' && objects instanceof LocalObjectStore ? inputInPlace({ store, objects }, owner, path, options) : uploadFile(ports, owner, path, options),
    async submit(submission) {
      const event = validateSubmission(submission, executor);
      const taskId = event.data.taskId;
      host(taskId);
      await ports.bus.publish([event]);
      return taskId;
    },
    waitFor: (taskId) => waitForTask({ store, bus: ports.bus }, taskId, haltWaiters),
    async resume(taskId, options = {}) {
      const task = await store.getTask(taskId);
      if (!task) throw new NotFoundError(`no task ${taskId}`);
      const spec = (JSON.parse(task.spec) as { spec: { tools: unknown[] } }).spec;
      const about = { name: task.name, tools: spec.tools.length };
      if (isTerminal(task.status)) throw new ConfigError(`task ${taskId} has finished (${task.status}); there is nothing to resume`);
      await checkWorkRoot(task, options.workRoot);
      if (task.error?.startsWith(STALLED)) await store.updateTask(taskId, { error: null }); // resumed once its cause is fixed
      if (task.status === 'queued') await store.moveTask(taskId, 'processing', { started_at: Date.now() });
      if (executor.attemptsOutliveDriver && !options.inProcess) {
        // Cluster mode: the sidecars report to the work-manager Job's Service, so that is where the task is driven.
        await ports.workManagers.launch(taskId);
        options.onWait?.(
          `task ${taskId} is driven by its work-manager Job tf-${taskId}-wm (created if it was missing); if that Job has failed for good (its backoffLimit reached), delete it first, keeping the tools' Jobs: kubectl -n ${config.kubernetes?.namespace ?? 'toolflow'} delete job tf-${taskId}-wm --cascade=orphan, then resume again`,
        );
        return about;
      }
      // A lock whose holder died on this machine is free at once; one held elsewhere frees itself
      // when its lease runs out.
      const deadline = Date.now() + (config.lockTtlSeconds + 1) * 1000;
      let told = false;
      for (;;) {
        if (options.signal?.aborted) throw new AbortedError('resume stopped while waiting for the task\'s lock');
        if (managers.has(taskId)) return about;
        const outcome = await launchWorkManager(taskId, options.signal);
        if (outcome === 'started') return about;
        if (outcome === 'finished') return { ...about, finished: true };
        const holder = await coordination.lockHolder(workManagerLock(taskId)).catch(() => null);
        const dead = holder?.holder !== undefined && isKnownDead(holder.holder);
        if (holder?.holder && holder.holder.host === hostname() && !dead) {
          throw new ConfigError(`task ${taskId} is driven by a live ${describeProcess(holder.holder)}; stop it there (Ctrl-C) or with: toolflow cancel ${taskId}`);
        }
        if (Date.now() > deadline) {
          throw new ConfigError(`task ${taskId} is being run by another live process${holder?.holder ? ` (${describeProcess(holder.holder)})` : ''} that holds its lock; cancel it with toolflow cancel ${taskId}, or resume once that process is gone`);
        }
        if (!told) {
          told = true;
          const who = holder?.holder ? describeProcess(holder.holder) : 'another process';
          options.onWait?.(
            dead
              ? `waiting for the lock of task ${taskId}: ${who}, which held it, is gone; its lease runs out within ${config.lockTtlSeconds} s (Ctrl-C stops waiting)`
              : `waiting for the lock of task ${taskId}: ${who} holds it; it frees itself within ${config.lockTtlSeconds} s if that process is gone (Ctrl-C stops waiting)`,
          );
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    deliverReport(report) {
      return managers.get(report.taskId)?.receive(report) ?? (endedHere.has(report.taskId) ? 'stale' : 'unavailable');
    },
    async cancel(taskId, force = false) {
      const wm = managers.get(taskId);
      if (wm) return wm.cancel('cancelled by the user', force);
      // No work manager here yet: remember the cancel for when one starts, and cancel a task still
      // queued right away (its final event ends the waiters).
      cancelRequested.add(taskId);
      // Cluster mode: the task's work manager runs in its own Job, and sees the request in the store.
      if (executor.attemptsOutliveDriver) await store.requestCancel(taskId, Date.now());
      if (launching.has(taskId)) return;
      if ((await store.getTask(taskId))?.status === 'queued' && (await store.moveTask(taskId, 'cancelled', { finished_at: Date.now(), error: 'cancelled by the user' }))) {
        await bus.publish([makeEvent(EventType.taskCancelled, '/toolflow/cli', { taskId, error: 'cancelled by the user' }, `cancelled/${taskId}`)]);
      }
    },
    async close() {
      clearInterval(cancelPoll);
      offDeadLetters();
      unroute();
      for (const taskId of [...hosted.keys()]) unhost(taskId);
      await Promise.allSettled([...managers.values()].map((wm) => wm.halt('the process is closing')));
      await executor.close();
      cluster?.close();
      await bus.close(); // background handlers (notify) get BACKGROUND_GRACE_MS
      await closeProcessNotifier(BACKGROUND_GRACE_MS);
      await coordination.close();
      await objects.close?.();
      await store.close();
    },
  };
}
