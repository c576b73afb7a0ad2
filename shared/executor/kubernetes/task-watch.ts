/**
 * Follows one task's tool Jobs and Pods for its work manager (`Executor.watchTask`): each change of a
 * Pod or Job is judged by `pod-status.ts`, and the first verdict about an attempt goes to the sink,
 * once (later changes of that attempt, a relist, a restarted watch send nothing more). Before a Pod
 * that went away is called `lost`, the Job is read afresh: a Job past its deadline makes it a
 * `timeout`. A tool that exited 0 has its declared outputs checked in the object store (`head`), for
 * when the sidecar's own Exit never came. An attempt that cannot start (`launchError`) or could not
 * be scheduled (`undelivered`) has its Job deleted: it would wait for ever.
 */
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { ReportSink } from '../executor.js';
import type { ObjectStore } from '../../objects/object-store.js';
import { attemptObjectKey } from '../../sidecar/pod-layout.js';
import { jobName } from './names.js';
import { attemptOf, jobFailure, jobReport, podReport, unschedulableSince, type ExitReport, type PodAttempt } from './pod-status.js';
import { ListWatch, type WatchEventType } from './pod-watch.js';

/** What a task watch needs. */
export interface TaskWatchDeps {
  taskId: string;
  sink: ReportSink;
  objects: ObjectStore;
  log: Logger;
  unschedulableSeconds: number;
  /** Makes the list + watch of one collection (the executor binds the client and namespace). */
  listWatch<T extends V1Pod | V1Job>(kind: 'pods' | 'jobs', onEvent: (type: WatchEventType, obj: T) => void): ListWatch<T>;
  /** True when toolflow deleted the Job of that name itself (cancel, stopLeftover). */
  stoppedByToolflow(job: string): boolean;
  /** Reads a Job afresh; undefined when it is gone. */
  readJob(name: string): Promise<V1Job | undefined>;
  /** Deletes a Job (and its Pods) that would otherwise wait for ever. */
  deleteJob(name: string): Promise<unknown>;
  /** Now, epoch ms. */
  now(): number;
}

/** The watch of one task. */
export class TaskWatch {
  private readonly pods: ListWatch<V1Pod>;
  private readonly jobs: ListWatch<V1Job>;
  /** `tool/attempt` of the attempts a verdict was sent (or is being made) for. */
  private readonly decided = new Set<string>();
  /** Latest state of each Job, by name (kept after it is deleted: its Pods may go after it). */
  private readonly jobState = new Map<string, V1Job>();
  /** Re-judging timers of unschedulable Pods, by Pod name. */
  private readonly rechecks = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly d: TaskWatchDeps) {
    this.jobs = d.listWatch<V1Job>('jobs', (type, job) => this.onJob(type, job));
    this.pods = d.listWatch<V1Pod>('pods', (type, pod) => this.onPod(type, pod));
  }

  /** The list + watch of the Pods (tests read its counters). */
  get podWatch(): ListWatch<V1Pod> {
    return this.pods;
  }

  stop(): void {
    this.stopped = true;
    this.pods.stop();
    this.jobs.stop();
    for (const t of this.rechecks.values()) clearTimeout(t);
    this.rechecks.clear();
  }

  private mine(a: PodAttempt | undefined): a is PodAttempt {
    return a !== undefined && a.taskId === this.d.taskId;
  }

  private onJob(type: WatchEventType, job: V1Job): void {
    const a = attemptOf(job);
    const name = job.metadata?.name;
    if (!this.mine(a) || !name) return;
    this.jobState.set(name, job);
    if (type === 'DELETED' || this.decided.has(`${a.tool}/${a.attempt}`) || this.d.stoppedByToolflow(name)) return;
    const report = jobReport(job, { now: this.d.now() });
    if (report) this.decide(a, report, name);
  }

  private onPod(type: WatchEventType, pod: V1Pod): void {
    const a = attemptOf(pod);
    const podName = pod.metadata?.name ?? '';
    if (!this.mine(a)) return;
    clearTimeout(this.rechecks.get(podName));
    this.rechecks.delete(podName);
    if (this.decided.has(`${a.tool}/${a.attempt}`)) return;
    const job = jobName(a.taskId, a.tool, a.attempt);
    const deleted = type === 'DELETED';
    const report = podReport(pod, { deleted, cancelled: this.d.stoppedByToolflow(job), job: this.jobState.get(job) }, { now: this.d.now(), unschedulableSeconds: this.d.unschedulableSeconds });
    if (report) {
      this.decide(a, report, job, pod, deleted);
      return;
    }
    // Nothing changes in an unschedulable Pod's status: judge it again when it passes the limit.
    const since = unschedulableSince(pod);
    if (since !== undefined && !deleted) {
      const wait = Math.max(0, since + this.d.unschedulableSeconds * 1000 - this.d.now()) + 50;
      const timer = setTimeout(() => {
        this.rechecks.delete(podName);
        const latest = this.pods.objects.find((p) => p.metadata?.name === podName);
        if (latest && !this.stopped) this.onPod('MODIFIED', latest);
      }, wait);
      timer.unref();
      this.rechecks.set(podName, timer);
    }
  }

  /** Sends the verdict about an attempt, once; refined first where the Pod alone cannot tell. */
  private decide(a: PodAttempt, first: ExitReport, job: string, pod?: V1Pod, deleted = false): void {
    this.decided.add(`${a.tool}/${a.attempt}`);
    void this.refine(a, first, job, pod, deleted)
      .catch((err) => {
        this.d.log.warn({ err: (err as Error).message, taskId: a.taskId, tool: a.tool, attempt: a.attempt }, 'could not refine a verdict from the Pod; sending it as it is');
        return first;
      })
      .then((report) => {
        if (this.stopped) return;
        this.d.log.info({ taskId: a.taskId, tool: a.tool, attempt: a.attempt, evidence: report.evidence }, 'attempt judged from its Pod');
        this.d.sink(report);
        if (report.launchError !== undefined || report.watchdog === 'undelivered') {
          this.d.deleteJob(job).catch((err) => this.d.log.warn({ err: (err as Error).message, job }, 'could not delete the Job of an attempt that cannot start'));
        }
      });
  }

  private async refine(a: PodAttempt, report: ExitReport, job: string, pod: V1Pod | undefined, deleted: boolean): Promise<ExitReport> {
    if (report.watchdog === 'lost' && pod && jobFailure(this.jobState.get(job))?.reason !== 'DeadlineExceeded') {
      // The Job controller deletes the Pods of a Job past its deadline: read the Job before calling the Pod lost.
      const fresh = await this.d.readJob(job);
      if (fresh) {
        this.jobState.set(job, fresh);
        const again = podReport(pod, { deleted, cancelled: this.d.stoppedByToolflow(job), job: fresh }, { now: this.d.now(), unschedulableSeconds: this.d.unschedulableSeconds });
        if (again) report = again;
      }
    }
    const outputs = a.request?.spec.outputs ?? [];
    if (report.exitCode === 0 && report.watchdog === undefined && outputs.length) {
      // The sidecar uploads each output under its normalised key (`sub/./a.txt` → `sub/a.txt`).
      const found = await Promise.all(outputs.map(async (o) => ((await this.d.objects.head(attemptObjectKey(a.taskId, a.tool, a.attempt, o))) ? undefined : o)));
      report = { ...report, missingOutputs: found.filter((o): o is string => o !== undefined) };
    }
    return report;
  }
}
