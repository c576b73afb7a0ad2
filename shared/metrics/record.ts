/**
 * Recording toolflow's metrics at the points where things happen (the work manager's status moves,
 * the handlers' outcomes, the buses' and the connector's dead letters, the upload store). Light on
 * purpose: this module does not load prom-client. Until a process serves `/metrics` (it imports
 * `metrics.ts`, which installs the instruments here), every function is a no-op: one property read,
 * so `toolflow run` without `TOOLFLOW_METRICS_PORT` neither loads prom-client (40-100 ms of start-up
 * here) nor counts anything.
 *
 * Hot path: each call is an increment or an observation on an instrument, with label values that
 * already exist as strings (a tool name from the event or the spec, a status literal); nothing is
 * awaited. Label values are bounded (design12-metrics.md): `tool` is the TEMPLATE tool name the
 * workflow declares (an instance `align[S1]` counts as `align`: `templateTool`), never a task id,
 * owner, upload id or file name.
 *
 * Zero series: Prometheus' `increase()`/`rate()` need an earlier sample, so a counter series that
 * first appears at 1 shows 0 over its window. The series whose labels are known in advance are made
 * at 0 when the instruments are installed (`zeroBoundedSeries`: task ends, uploads, reports,
 * notifications, and every function of the flow, `FLOW_FUNCTIONS`); those with a tool are made at
 * 0 for a template tool the first time this process meets it (`prepareOutcomeSeries`,
 * `prepareWorkSeries`). The first count of a tool a process has never met, or of a process not yet
 * scraped, is still missed by `increase()` (the dashboard's counts over the range and the alerts
 * take such series whole: monitoring/grafana/dashboard.ts `countOver`).
 */
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { TaskStatus } from '../scheduler/status.js';
import type { FailureReason } from '../spec/types.js';

/** The instruments, once a process serves metrics (`metrics.ts` makes them; names in design12-metrics.md). */
export interface Instruments {
  tasksSubmitted: Counter;
  tasksFinished: Counter<'status'>;
  toolAttempts: Counter<'tool' | 'status' | 'reason'>;
  toolReruns: Counter<'tool' | 'reason'>;
  toolCacheHits: Counter<'tool'>;
  toolDuration: Histogram<'tool'>;
  toolQueueWait: Histogram<'tool'>;
  toolsRunning: Gauge;
  toolsUndelivered: Counter<'tool'>;
  keepalivesLost: Counter<'tool'>;
  uploadBytes: Counter;
  uploads: Counter<'status'>;
  uploadDuration: Histogram;
  eventHandling: Histogram<'function'>;
  eventFailures: Counter<'function'>;
  eventsDeadLettered: Counter<'function'>;
  workManagerReports: Counter<'kind'>;
  notifications: Counter<'channel' | 'outcome'>;
}

let on: Instruments | undefined;

/** The statuses a task ends with (`toolflow_tasks_finished_total{status}`). */
export const TASK_ENDS = ['succeeded', 'failed', 'cancelled'] as const;
/**
 * The reasons of a failed attempt (`FailureReason` but `cancelled`, which goes with the status
 * `cancelled`): what shared/policy/classify.ts and the watchdog decide, and what a rerun follows.
 */
export const FAILED_REASONS = ['oom', 'disk', 'timeout', 'lost', 'undelivered', 'config', 'exit'] as const;
// Compile-time check: FAILED_REASONS and `cancelled` are every FailureReason.
const everyReason: Exclude<FailureReason, (typeof FAILED_REASONS)[number] | 'cancelled'> extends never ? true : never = true;
void everyReason;
/** The kinds of a work manager's reports. */
export const REPORT_KINDS = ['start', 'keepalive', 'exit'] as const;
/** The statuses an upload ends with. */
export const UPLOAD_ENDS = ['successful', 'failed'] as const;
/** notify's channels and its outcomes at one target. */
export const NOTIFY_CHANNELS = ['dingtalk', 'webhook'] as const;
export const NOTIFY_OUTCOMES = ['sent', 'failed', 'folded'] as const;
/**
 * The functions of the event flow, the values of `function` known in advance: the names of
 * shared/runtime/functions.ts `FUNCTIONS` (not imported here, which would load every handler;
 * test/metrics/zero-series.test.ts keeps the two equal).
 */
export const FLOW_FUNCTIONS = ['enqueue', 'start-workflow', 'schedule-tool', 'handle-status', 'rerun-policy', 'notify'] as const;

/** Makes the series whose labels are known in advance, at 0 (see the module's comment). */
function zeroBoundedSeries(i: Instruments): void {
  for (const status of TASK_ENDS) i.tasksFinished.inc({ status }, 0);
  for (const status of UPLOAD_ENDS) i.uploads.inc({ status }, 0);
  for (const kind of REPORT_KINDS) i.workManagerReports.inc({ kind }, 0);
  for (const channel of NOTIFY_CHANNELS) for (const outcome of NOTIFY_OUTCOMES) i.notifications.inc({ channel, outcome }, 0);
  for (const fn of FLOW_FUNCTIONS) {
    i.eventHandling.zero({ function: fn });
    i.eventFailures.inc({ function: fn }, 0);
    i.eventsDeadLettered.inc({ function: fn }, 0);
  }
}

/** Installs the instruments (called once by `metrics.ts` when it is loaded) and makes the series known in advance at 0. */
export function installInstruments(instruments: Instruments): void {
  on = instruments;
  zeroBoundedSeries(instruments);
}

/** True once this process records metrics (it serves `/metrics`). */
export function metricsEnabled(): boolean {
  return on !== undefined;
}

/**
 * The template name of a tool: `align` for its instance `align[S1]`, the name itself otherwise.
 * Tool names match `^[A-Za-z][A-Za-z0-9_-]{0,62}$` (schema/workflow.schema.json), so `[` only
 * starts an instance's key (shared/spec/types.ts `SheetItem.key`).
 */
export function templateTool(tool: string): string {
  const i = tool.indexOf('[');
  return i < 0 ? tool : tool.slice(0, i);
}

/** The function a bus consumer belongs to: `schedule-tool` for the task-scoped `schedule-tool/<task>`. */
export function consumerFunction(consumer: string): string {
  const i = consumer.indexOf('/');
  return i < 0 ? consumer : consumer.slice(0, i);
}

/** A task was accepted (enqueue recorded it). */
export function recordTaskSubmitted(): void {
  on?.tasksSubmitted.inc();
}

/** A task ended (its status moved, once, to a final one). */
export function recordTaskFinished(status: (typeof TASK_ENDS)[number]): void {
  on?.tasksFinished.inc({ status });
}

/**
 * An attempt ended (its row moved, once, to a final status). `tool` may be an instance name.
 * @param reason the store's attempt reason; `none` for a success.
 */
export function recordAttemptEnded(tool: string, status: 'succeeded' | 'failed' | 'cancelled', reason: FailureReason | 'none'): void {
  on?.toolAttempts.inc({ tool: templateTool(tool), status, reason });
}

/**
 * An attempt of `tool` (may be an instance name) succeeded without running: its outputs were reused
 * from an earlier attempt (a cache hit, `cachedFrom`). Counted in `toolflow_tool_cache_hits_total`,
 * not in `toolflow_tool_attempts_total`.
 */
export function recordCacheHit(tool: string): void {
  on?.toolCacheHits.inc({ tool: templateTool(tool) });
}

const outcomeTools = new Set<string>();

/**
 * Makes `tool`'s outcome series at 0 in this process, once per template tool: its attempts by every
 * status and reason, its cache hits, its reruns by every reason (17 series). handle-status and the
 * rerun policy call it on each event of a tool, so that a count that comes later (the exit after
 * the start, a second reason) is an increase Prometheus sees. One Set lookup once done.
 */
export function prepareOutcomeSeries(tool: string): void {
  if (!on) return;
  const t = templateTool(tool);
  if (outcomeTools.has(t)) return;
  outcomeTools.add(t);
  on.toolAttempts.inc({ tool: t, status: 'succeeded', reason: 'none' }, 0);
  for (const reason of FAILED_REASONS) {
    on.toolAttempts.inc({ tool: t, status: 'failed', reason }, 0);
    on.toolReruns.inc({ tool: t, reason }, 0);
  }
  on.toolAttempts.inc({ tool: t, status: 'cancelled', reason: 'cancelled' }, 0);
  on.toolCacheHits.inc({ tool: t }, 0);
}

/** The rerun policy recorded another attempt of `tool` after a failure with `reason`. */
export function recordRerun(tool: string, reason: FailureReason): void {
  on?.toolReruns.inc({ tool: templateTool(tool), reason });
}

/**
 * What a work manager keeps of its attempts for the metrics (fields of its `Slot`,
 * shared/work-manager/slot.ts): the tool, and the times of the current attempt.
 */
export interface TimedAttempt {
  spec: { name: string; instance?: { tool: string } };
  /** When the current attempt was delivered (`tool.ready`), epoch ms. */
  readyAt?: number;
  /** When the current attempt started (its start report's time), epoch ms, while it counts as running. */
  startedAt?: number;
}

/** The template name of an attempt's tool, the `tool` label (`align` for `align[S1]`, from its spec). */
export function templateOf(a: TimedAttempt): string {
  return a.spec.instance?.tool ?? a.spec.name;
}

const workTools = new Set<string>();

/**
 * Makes, at 0, the series a work manager records for each template tool of `attempts` (its task's
 * tools, known when it starts): duration and queue-wait histograms, undelivered and lost counters;
 * once per template tool in this process. Bounded by the workflows' tool names, as the labels are.
 */
export function prepareWorkSeries(attempts: readonly TimedAttempt[]): void {
  if (!on) return;
  for (const a of attempts) {
    const tool = templateOf(a);
    if (workTools.has(tool)) continue;
    workTools.add(tool);
    on.toolDuration.zero({ tool });
    on.toolQueueWait.zero({ tool });
    on.toolsUndelivered.inc({ tool }, 0);
    on.keepalivesLost.inc({ tool }, 0);
  }
}

/** The work manager delivered `a`'s attempt now (`tool.ready`): its queue wait starts. */
export function attemptReady(a: TimedAttempt): void {
  if (on) a.readyAt = Date.now();
}

/**
 * `a`'s attempt started at `at` (epoch ms, its start report's time, or a restored start): it counts
 * in `toolflow_tools_running`, and its queue wait (ready → started) is observed when known. Once.
 * A `cached` start (a cache hit's: the tool does not run) counts nowhere: not running, no queue
 * wait, and no duration at its exit (`attemptEnded` finds it not started).
 */
export function attemptStarted(a: TimedAttempt, at: number, cached = false): void {
  if (!on || a.startedAt !== undefined) return;
  if (cached) {
    a.readyAt = undefined;
    return;
  }
  a.startedAt = at;
  on.toolsRunning.inc();
  if (a.readyAt !== undefined) on.toolQueueWait.observe({ tool: templateOf(a) }, Math.max(0, at - a.readyAt) / 1000);
  a.readyAt = undefined;
}

/**
 * `a`'s started attempt ended: it no longer counts as running; with `exitAt` (its exit report's
 * time, epoch ms) its duration is observed. Nothing when it was not counted as started.
 */
export function attemptEnded(a: TimedAttempt, exitAt?: number): void {
  if (a.startedAt === undefined) return;
  const startedAt = a.startedAt;
  a.startedAt = undefined;
  if (!on) return;
  on.toolsRunning.dec();
  if (exitAt !== undefined) on.toolDuration.observe({ tool: templateOf(a) }, Math.max(0, exitAt - startedAt) / 1000);
}

/** An attempt of `template` never started within its deadline (the watchdog's, or the Pod watch's `undelivered`). */
export function recordUndelivered(template: string): void {
  on?.toolsUndelivered.inc({ tool: template });
}

/** The keepalives of an attempt of `template` stopped (the watchdog's `lost`, or its Pod vanished). */
export function recordKeepalivesLost(template: string): void {
  on?.keepalivesLost.inc({ tool: template });
}

/** `bytes` more were stored by an upload (one call per write batch, not per chunk). */
export function recordUploadBytes(bytes: number): void {
  if (on && bytes > 0) on.uploadBytes.inc(bytes);
}

/** An upload ended; `durationMs` creation → successful, for a successful one. */
export function recordUploadEnded(status: (typeof UPLOAD_ENDS)[number], durationMs?: number): void {
  if (!on) return;
  on.uploads.inc({ status });
  if (status === 'successful' && durationMs !== undefined && Number.isFinite(durationMs)) on.uploadDuration.observe(Math.max(0, durationMs) / 1000);
}

/** When the handling of an event starts: pass it to `recordEventHandled`. 0 while metrics are off. */
export function eventStart(): number {
  return on ? performance.now() : 0;
}

/** Function `fn` finished handling one event (`started` from `eventStart`); `failed` when it threw. */
export function recordEventHandled(fn: string, started: number, failed: boolean): void {
  if (!on || started === 0) return;
  on.eventHandling.observe({ function: fn }, (performance.now() - started) / 1000);
  if (failed) on.eventFailures.inc({ function: fn });
}

/** A bus or the connector dead-lettered an event of `consumer` (`schedule-tool/<task>` counts as `schedule-tool`). */
export function recordDeadLetter(consumer: string): void {
  on?.eventsDeadLettered.inc({ function: consumerFunction(consumer) });
}

/** A work manager received a report. */
export function recordReport(kind: (typeof REPORT_KINDS)[number]): void {
  on?.workManagerReports.inc({ kind });
}

/** Counts tasks by status (`Store.countTasksByStatus`), for `toolflow_tasks` at scrape. */
export type TaskCountSource = () => Promise<Partial<Record<TaskStatus, number>>>;
/** Messages ready in each broker queue a connector consumes (`Connector.queueDepths`), for `toolflow_queue_depth` at scrape. */
export type QueueDepthSource = () => Promise<{ queue: string; messages: number }[]>;

const taskSources: TaskCountSource[] = [];
const queueSources = new Set<QueueDepthSource>();

/**
 * Makes `toolflow_tasks` read task counts from `source` at each scrape (the api, dev and serve
 * processes pass their store); the latest source added is read. @returns a function that removes it.
 */
export function addTaskCountSource(source: TaskCountSource): () => void {
  taskSources.push(source);
  return () => {
    const i = taskSources.lastIndexOf(source);
    if (i >= 0) taskSources.splice(i, 1);
  };
}

/** The task count source a scrape reads, if any. */
export function taskCountSource(): TaskCountSource | undefined {
  return taskSources[taskSources.length - 1];
}

/** Makes `toolflow_queue_depth` read `source` at each scrape (each running connector adds its own). @returns a function that removes it. */
export function addQueueDepthSource(source: QueueDepthSource): () => void {
  queueSources.add(source);
  return () => queueSources.delete(source);
}

/** The queue depth sources a scrape reads. */
export function queueDepthSources(): QueueDepthSource[] {
  return [...queueSources];
}

/** notify's outcome at one target. */
export function recordNotification(channel: (typeof NOTIFY_CHANNELS)[number], outcome: (typeof NOTIFY_OUTCOMES)[number]): void {
  on?.notifications.inc({ channel, outcome });
}
