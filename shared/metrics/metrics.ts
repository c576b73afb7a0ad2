/**
 * toolflow's Prometheus metrics (issue 12 §1; the catalogue is /work/notes/design12-metrics.md, and
 * its names are used here exactly): one prom-client `Registry` per process, the metrics on it, the
 * `/metrics` handler, and what is measured at scrape (tasks by status from the store, queue depth
 * from the broker). Loading this module turns metrics on in the process: it installs the
 * instruments `record.ts` increments, and starts prom-client's default process metrics
 * (`collectDefaultMetrics({prefix: 'toolflow_'})`). Only processes that serve `/metrics` load it
 * (it is imported dynamically: `settings.ts`, `fastify.ts`, `server.ts`), so the others never load
 * prom-client.
 *
 * Names follow Prometheus' conventions (prometheus.io/docs/practices/naming: base units, `_total`
 * for counters, `_seconds` for durations). Label values are bounded: see `record.ts`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { TaskStatus } from '../scheduler/status.js';
import { installInstruments, queueDepthSources, taskCountSource, type Instruments } from './record.js';

export { addQueueDepthSource, addTaskCountSource, type QueueDepthSource, type TaskCountSource } from './record.js';

/** Buckets of attempt durations and queue waits, seconds (design12-metrics.md): 0.1 s to a day. */
export const DURATION_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 14400, 86400];
/** Buckets of the handling of one event, seconds: 1 ms to 5 s. */
export const EVENT_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5];
/** Buckets of uploads, creation → successful, seconds: 1 s to an hour. */
export const UPLOAD_BUCKETS = [1, 5, 15, 60, 300, 900, 3600];

/** The task statuses `toolflow_tasks` always shows (0 when none). */
const TASK_STATUSES: readonly TaskStatus[] = ['queued', 'processing', 'succeeded', 'failed', 'cancelled'];

/** How long a scrape waits for the store or the broker, ms; past it the gauge is left out of that scrape. */
const SOURCE_TIMEOUT_MS = 5000;

const registry = new Registry();
// The event-loop delay is sampled every 100 ms rather than prom-client's 10 ms: measured here, the
// 10 ms timer costs an idle process about 3 ms of cpu a second, the 100 ms one about 0.1 ms.
// prom-client's default event-loop precision (10 ms): its lag percentiles never read below it, so a
// coarser one would show every idle process as lagging.
collectDefaultMetrics({ prefix: 'toolflow_', register: registry, eventLoopMonitoringPrecision: 10 });

/** `p`, or rejects after `SOURCE_TIMEOUT_MS`. */
function bounded<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer in time')), SOURCE_TIMEOUT_MS);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const registers = [registry];
const instruments: Instruments = {
  tasksSubmitted: new Counter({ name: 'toolflow_tasks_submitted_total', help: 'Tasks accepted (recorded by enqueue).', registers }),
  tasksFinished: new Counter({ name: 'toolflow_tasks_finished_total', help: 'Tasks that ended, by final status (succeeded, failed, cancelled).', labelNames: ['status'], registers }),
  toolAttempts: new Counter({
    name: 'toolflow_tool_attempts_total',
    help: 'Tool attempts that ran and ended, by template tool, status (succeeded, failed, cancelled) and reason (oom, disk, timeout, lost, undelivered, config, exit, cancelled; none for a success). Cache hits are not here: toolflow_tool_cache_hits_total.',
    labelNames: ['tool', 'status', 'reason'],
    registers,
  }),
  toolReruns: new Counter({ name: 'toolflow_tool_reruns_total', help: 'Attempts the rerun policy recorded after a failure, by template tool and the failure\'s reason.', labelNames: ['tool', 'reason'], registers }),
  toolCacheHits: new Counter({
    name: 'toolflow_tool_cache_hits_total',
    help: 'Attempts that did not run because the outputs of an earlier attempt with the same cache key were reused (cache hits), by template tool. Not counted as attempts nor in the duration and queue-wait histograms.',
    labelNames: ['tool'],
    registers,
  }),
  toolDuration: new Histogram({ name: 'toolflow_tool_duration_seconds', help: 'Attempt wall time, start report to exit report, by template tool.', labelNames: ['tool'], buckets: DURATION_BUCKETS, registers }),
  toolQueueWait: new Histogram({ name: 'toolflow_tool_queue_wait_seconds', help: 'Time from an attempt\'s tool.ready to its start report, by template tool.', labelNames: ['tool'], buckets: DURATION_BUCKETS, registers }),
  toolsRunning: new Gauge({ name: 'toolflow_tools_running', help: 'Attempts started and not ended, in this process\'s work managers.', registers }),
  toolsUndelivered: new Counter({ name: 'toolflow_tools_undelivered_total', help: 'Attempts that never started within the deadline (undelivered), by template tool.', labelNames: ['tool'], registers }),
  keepalivesLost: new Counter({ name: 'toolflow_keepalives_lost_total', help: 'Attempts whose keepalives stopped (lost), by template tool.', labelNames: ['tool'], registers }),
  uploadBytes: new Counter({ name: 'toolflow_upload_bytes_total', help: 'Bytes stored by uploads.', registers }),
  uploads: new Counter({ name: 'toolflow_uploads_total', help: 'Uploads that ended, by status (successful, failed).', labelNames: ['status'], registers }),
  uploadDuration: new Histogram({ name: 'toolflow_upload_duration_seconds', help: 'Uploads from creation to successful.', buckets: UPLOAD_BUCKETS, registers }),
  eventHandling: new Histogram({ name: 'toolflow_event_handling_seconds', help: 'Time a function took to handle one CloudEvent (each try), by function.', labelNames: ['function'], buckets: EVENT_BUCKETS, registers }),
  eventFailures: new Counter({ name: 'toolflow_event_failures_total', help: 'Tries of a function to handle an event that failed, by function.', labelNames: ['function'], registers }),
  eventsDeadLettered: new Counter({ name: 'toolflow_events_dead_lettered_total', help: 'Events this process dead-lettered, by the function (consumer) that gave up on them.', labelNames: ['function'], registers }),
  workManagerReports: new Counter({ name: 'toolflow_work_manager_reports_total', help: 'Reports (start, keepalive, exit) received by this process\'s work managers.', labelNames: ['kind'], registers }),
  notifications: new Counter({ name: 'toolflow_notifications_total', help: 'Notifications by channel (dingtalk, webhook) and outcome (sent, failed, folded).', labelNames: ['channel', 'outcome'], registers }),
};

const tasks = new Gauge({
  name: 'toolflow_tasks',
  help: 'Tasks by current status, counted in the store at scrape.',
  labelNames: ['status'],
  registers,
  async collect() {
    this.reset();
    const source = taskCountSource();
    if (!source) return;
    try {
      const counts = await bounded(source());
      for (const status of TASK_STATUSES) this.set({ status }, counts[status] ?? 0);
    } catch {
      // The store does not answer now: the gauge is left out of this scrape rather than stale.
    }
  },
});

const queueDepth = new Gauge({
  name: 'toolflow_queue_depth',
  help: 'Messages ready in a broker queue a connector consumes (queue.declare passive, at scrape).',
  labelNames: ['queue'],
  registers,
  async collect() {
    this.reset();
    const all = await Promise.allSettled(queueDepthSources().map((s) => bounded(s())));
    for (const r of all) if (r.status === 'fulfilled') for (const { queue, messages } of r.value) this.set({ queue }, messages);
  },
});

installInstruments(instruments);

/** The process's registry. */
export function metricsRegistry(): Registry {
  return registry;
}

/** `toolflow_tasks_submitted_total`. */
export const tasksSubmittedTotal = (): Counter => instruments.tasksSubmitted;
/** `toolflow_tasks_finished_total{status}`. */
export const tasksFinishedTotal = (): Counter<'status'> => instruments.tasksFinished;
/** `toolflow_tasks{status}` (set at scrape from the store: `addTaskCountSource`). */
export const tasksGauge = (): Gauge<'status'> => tasks;
/** `toolflow_tool_attempts_total{tool,status,reason}`. */
export const toolAttemptsTotal = (): Counter<'tool' | 'status' | 'reason'> => instruments.toolAttempts;
/** `toolflow_tool_reruns_total{tool,reason}`. */
export const toolRerunsTotal = (): Counter<'tool' | 'reason'> => instruments.toolReruns;
/** `toolflow_tool_cache_hits_total{tool}`. */
export const toolCacheHitsTotal = (): Counter<'tool'> => instruments.toolCacheHits;
/** `toolflow_tool_duration_seconds{tool}`. */
export const toolDurationSeconds = (): Histogram<'tool'> => instruments.toolDuration;
/** `toolflow_tool_queue_wait_seconds{tool}`. */
export const toolQueueWaitSeconds = (): Histogram<'tool'> => instruments.toolQueueWait;
/** `toolflow_tools_running`. */
export const toolsRunning = (): Gauge => instruments.toolsRunning;
/** `toolflow_tools_undelivered_total{tool}`. */
export const toolsUndeliveredTotal = (): Counter<'tool'> => instruments.toolsUndelivered;
/** `toolflow_keepalives_lost_total{tool}`. */
export const keepalivesLostTotal = (): Counter<'tool'> => instruments.keepalivesLost;
/** `toolflow_upload_bytes_total`. */
export const uploadBytesTotal = (): Counter => instruments.uploadBytes;
/** `toolflow_uploads_total{status}`. */
export const uploadsTotal = (): Counter<'status'> => instruments.uploads;
/** `toolflow_upload_duration_seconds`. */
export const uploadDurationSeconds = (): Histogram => instruments.uploadDuration;
/** `toolflow_event_handling_seconds{function}`. */
export const eventHandlingSeconds = (): Histogram<'function'> => instruments.eventHandling;
/** `toolflow_event_failures_total{function}`. */
export const eventFailuresTotal = (): Counter<'function'> => instruments.eventFailures;
/** `toolflow_events_dead_lettered_total{function}`. */
export const eventsDeadLetteredTotal = (): Counter<'function'> => instruments.eventsDeadLettered;
/** `toolflow_queue_depth{queue}` (set at scrape from the broker: `addQueueDepthSource`). */
export const queueDepthGauge = (): Gauge<'queue'> => queueDepth;
/** `toolflow_work_manager_reports_total{kind}`. */
export const workManagerReportsTotal = (): Counter<'kind'> => instruments.workManagerReports;
/** `toolflow_notifications_total{channel,outcome}`. */
export const notificationsTotal = (): Counter<'channel' | 'outcome'> => instruments.notifications;

/** The scrape: the text exposition format and its content type (`registry.contentType`, text 0.0.4). */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}

/**
 * Answers `GET /metrics` on a node:http server: 200 with the text format, or 500 with the error's
 * message as text when collecting fails. Unauthenticated, as Prometheus scrapes; it carries only
 * metrics (no task id, owner, upload id or file name: `record.ts`).
 */
export function metricsHandler(_req: IncomingMessage, res: ServerResponse): void {
  metricsText().then(
    ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
    (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`collecting the metrics failed: ${(err as Error).message}\n`),
  );
}
