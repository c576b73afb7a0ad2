/**
 * The executor port: runs one attempt of one tool and reports on it. Local processes in embedded
 * and services mode; Kubernetes Jobs (tool container + sidecar) in cluster mode.
 */
import type { AttemptRef, EventData, EventType, ExitDetails, OutputRecord } from '../events/catalog.js';

/** Everything an executor needs to run an attempt: the `tool.ready` event's data. */
export type AttemptRequest = EventData[typeof EventType.toolReady];

/**
 * A report about a running attempt: the same shapes the sidecar sends over gRPC in cluster mode.
 * `at` is epoch milliseconds. A start with `cached: true` is a cache hit's (schedule-tool reuses an
 * earlier attempt's outputs): the tool does not run, and its exit (with `cachedFrom`) follows at
 * once; the metrics count it apart (shared/metrics/record.ts), not as a run.
 */
export type ToolReport =
  | { kind: 'start'; taskId: string; tool: string; attempt: number; at: number; cached?: true }
  | { kind: 'keepalive'; taskId: string; tool: string; attempt: number; at: number; memBytes: number | null }
  | ({ kind: 'exit'; taskId: string; tool: string; attempt: number; at: number } & ExitDetails);

/** An exit report. */
export type ExitReport = Extract<ToolReport, { kind: 'exit' }>;

/**
 * An exit report of attempt `ref` made by an executor or a platform watch rather than the tool's own
 * process: every `ExitDetails` field at its "unknown" value, then `fields`. `at` is epoch ms.
 */
export function exitReport(ref: { taskId: string; tool: string; attempt: number }, fields: Partial<ExitDetails>, at = Date.now()): ExitReport {
  return { kind: 'exit', taskId: ref.taskId, tool: ref.tool, attempt: ref.attempt, at, exitCode: null, signal: null, oomKilled: false, peakMemBytes: null, stderrTail: '', missingOutputs: [], ...fields };
}

/** Where reports go (the work manager's report endpoint). */
export type ReportSink = (report: ToolReport) => void;

/** The executor port. */
export interface Executor {
  /** Most one attempt may have: cpu millicores, memory bytes, disk bytes (null: not limited). */
  readonly capacity: { cpuMillicores: number; memBytes: number; diskBytes: number | null };
  /**
   * True when attempts run apart from the process that started them and outlive it (Kubernetes
   * Jobs): any process may start them (`schedule-tool` is then a shared, stateless function), and a
   * restarted work manager adopts the attempts in flight (their sidecars keep reporting) instead of
   * declaring them lost. False or absent: attempts are this process's children (local executor).
   */
  readonly attemptsOutliveDriver?: boolean;
  /**
   * Starts following the attempts of a task from outside their reports (Kubernetes: a watch on the
   * task's Jobs and Pods), for the work manager that drives it: what the platform knows (a Pod
   * OOMKilled, evicted, that cannot pull its image, that vanished) reaches `sink` as reports, the
   * same as a sidecar's. @returns a function that stops following. Absent: nothing to follow.
   */
  watchTask?(taskId: string, sink: ReportSink): () => void;
  /**
   * Starts an attempt; reports go to `sink` (start, a keepalive every keepalive interval, exit).
   * Resolves once the attempt is launched. Starting an attempt this executor has started before
   * (running or ended) does nothing, as creating a Job whose name exists (409 AlreadyExists) is
   * done already. @throws when it cannot be launched at all.
   */
  start(request: AttemptRequest, sink: ReportSink): Promise<void>;
  /**
   * Stops an attempt if it runs: SIGTERM, then SIGKILL after `graceSeconds` (default: the executor's
   * setting; 0 kills at once, also when a graceful stop is already under way). Resolves once it is gone.
   */
  cancel(taskId: string, tool: string, attempt: number, graceSeconds?: number): Promise<void>;
  /**
   * Stops an attempt that an earlier process may have left running (it was SIGKILLed, or crashed,
   * while the attempt ran), before the attempt is declared lost and rerun: the local executor finds
   * the process group by the pid file in the attempt's work dir (checked against the process's start
   * time, so a reused pid is never signalled); a Kubernetes executor would delete the Job.
   * `workRoot` is the task's recorded work folder (`AttemptRequest.workRoot`).
   * Resolves once nothing of the attempt runs. @returns true when something was found and stopped.
   */
  stopLeftover(taskId: string, tool: string, attempt: number, workRoot?: string): Promise<boolean>;
  /**
   * A cache hit (issue 10): makes the files of the earlier attempt `from` (in task `from.taskId`,
   * whose work dirs are under `from.workRoot` when given) the files of `request`'s attempt without
   * running it: every file it left (its whole work dir, so also files its dependents read without
   * them being declared, and its logs), not only its `outputs`: the local executor hard-links them
   * (copies across filesystems) into the new attempt dir; a Kubernetes executor copies the objects
   * under the attempt's prefix. Every declared output must still exist with its recorded size.
   * @returns false (nothing reused; the tool is then run) when any declared output is gone or differs.
   * Absent: the executor cannot reuse, and the cache is not used.
   */
  reuse?(request: AttemptRequest, from: AttemptRef & { workRoot?: string }, outputs: OutputRecord[]): Promise<boolean>;
  /** Path or URL where an attempt's files are kept, for people and for `toolflow logs`. */
  workDirOf(taskId: string, tool: string, attempt: number): string;
  close(): Promise<void>;
}
