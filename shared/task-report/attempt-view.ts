/**
 * One attempt of one tool as people and programs read it: the `attempts` of a tool in the user API's
 * task view (`GET /v1/tasks/{id}`, the OpenAPI document's `Attempt`), in `toolflow status TASK
 * --json` and `toolflow run --json`, and what `toolflow report` draws. Times are ISO 8601 UTC,
 * durations and cpu time milliseconds, memory and disk bytes, cpu millicores.
 */
import { cachedFromOf } from '../attempts/recorded-outputs.js';
import type { AttemptRef } from '../events/catalog.js';
import type { AttemptStatus, TaskStatus } from '../scheduler/status.js';
import type { TaskRow, ToolRunRow } from '../store/store.js';

/** Epoch ms (a store column) as an ISO 8601 string; null for none. */
export const isoTime = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());
const num = (v: number | null | undefined) => (v === null || v === undefined ? null : Number(v));

/** Milliseconds from `from` to `to` (epoch ms, either may be a MySQL numeric string), null unless both are known; never negative. */
export function spanMs(from: number | null | undefined, to: number | null | undefined): number | null {
  return from !== null && from !== undefined && to !== null && to !== undefined ? Math.max(0, Number(to) - Number(from)) : null;
}

/** One attempt of one tool. */
export interface AttemptView {
  /** 1 for the first. */
  attempt: number;
  status: AttemptStatus;
  /** Why it failed (`oom`, `exit`, `disk`, `timeout`, …); null unless it failed or was cancelled. */
  reason: string | null;
  /** One line for people: how it failed, why it was skipped, or `cached: reused …`. */
  message: string | null;
  exitCode: number | null;
  signal: string | null;
  /** What the attempt was given (a rerun after `oom` gets more memory): cpu millicores, memory and disk bytes, time limit seconds. */
  resources: { cpuMillicores: number; memBytes: number; diskBytes: number | null; timeSeconds: number | null };
  /** Peak memory in use (anonymous + shmem), bytes; null when not measured. */
  peakMemBytes: number | null;
  /** User + system cpu time, ms; null when not measured (a cache hit, cluster nodes without a readable cgroup, older rows). */
  cpuTimeMs: number | null;
  /** When it was submitted to the executor (its `tool.ready`: dependencies done, resources reserved); null until then. */
  deliveredAt: string | null;
  startedAt: string | null;
  lastHeartbeatAt: string | null;
  finishedAt: string | null;
  /** Wall time, started to finished, ms. */
  durationMs: number | null;
  /** What the outcome was read from when the platform told it (cluster mode: the Pod's status). */
  evidence: string | null;
  /** The earlier attempt whose outputs this one reused (a cache hit: it did not run), or null. */
  cachedFrom: AttemptRef | null;
}

/** An attempt row as shown. */
export function attemptView(r: ToolRunRow): AttemptView {
  return {
    attempt: Number(r.attempt),
    status: r.status,
    reason: r.reason,
    message: r.message,
    exitCode: num(r.exit_code),
    signal: r.signal,
    resources: { cpuMillicores: Number(r.cpu_millicores), memBytes: Number(r.mem_bytes), diskBytes: num(r.disk_bytes), timeSeconds: num(r.time_seconds) },
    peakMemBytes: num(r.peak_mem_bytes),
    cpuTimeMs: num(r.cpu_time_ms),
    deliveredAt: isoTime(r.delivered_at),
    startedAt: isoTime(r.started_at),
    lastHeartbeatAt: isoTime(r.last_heartbeat_at),
    finishedAt: isoTime(r.finished_at),
    durationMs: spanMs(r.started_at, r.finished_at),
    evidence: r.evidence ?? null,
    cachedFrom: cachedFromOf(r),
  };
}

/**
 * Whether a `tool_runs` row stands for an attempt. The store makes a row for every tool when the
 * task is submitted (enqueue's attempt 1) and for each rerun the rerun policy decides, before it
 * runs: while the tool waits (`pending`), the row is its next attempt. A row that ended without ever
 * being submitted to the executor (`delivered_at` null) never ran, and is no attempt: a tool skipped
 * because a tool it relies on failed, or cancelled before it was submitted. Its tool's status (the
 * row's) says what became of it. A cache hit is an attempt (it reused an earlier one's outputs), and
 * so is a failure recorded before submission (its message is the failure).
 */
export function isAttempt(r: Pick<ToolRunRow, 'status' | 'delivered_at' | 'cached_from'>): boolean {
  if (r.delivered_at !== null && r.delivered_at !== undefined) return true;
  if (r.cached_from) return true;
  return r.status !== 'skipped' && r.status !== 'cancelled';
}

/**
 * A tool's attempts as shown, first to last, from its rows (any order): the rows that are attempts
 * (`isAttempt`), so a skipped tool, or one cancelled before it started, has none.
 */
export function attemptsOf(rows: readonly ToolRunRow[]): AttemptView[] {
  return [...rows]
    .filter(isAttempt)
    .sort((a, b) => Number(a.attempt) - Number(b.attempt))
    .map(attemptView);
}

/**
 * How much of what it was given an attempt used: `memory` = peak / requested memory, `cpu` = cpu
 * time / (wall time × requested cores); each a fraction (1 = all of it; cpu may pass 1 for a tool
 * that used more cores than it asked for), null when a number is missing or the wall time is 0.
 */
export function usageOf(a: Pick<AttemptView, 'peakMemBytes' | 'cpuTimeMs' | 'durationMs' | 'resources'>): { memory: number | null; cpu: number | null } {
  const memory = a.peakMemBytes === null || a.resources.memBytes <= 0 ? null : a.peakMemBytes / a.resources.memBytes;
  const cpu = a.cpuTimeMs === null || a.durationMs === null || a.durationMs <= 0 || a.resources.cpuMillicores <= 0 ? null : a.cpuTimeMs / ((a.durationMs * a.resources.cpuMillicores) / 1000);
  return { memory, cpu };
}

/** A task as its views show it (the API's list and task, the report): times in ISO 8601, duration in ms. */
export interface TaskSummary {
  taskId: string;
  name: string;
  owner: string;
  status: TaskStatus;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

/** A task row as a `TaskSummary`. */
export function taskSummaryOf(t: TaskRow): TaskSummary {
  return {
    taskId: t.id,
    name: t.name,
    owner: t.owner,
    status: t.status,
    error: t.error,
    createdAt: isoTime(t.created_at)!,
    startedAt: isoTime(t.started_at),
    finishedAt: isoTime(t.finished_at),
    durationMs: spanMs(t.started_at, t.finished_at),
  };
}
