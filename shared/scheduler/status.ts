/**
 * The status state machines of tasks and tool attempts (docs/architecture.md, "Data"). Stores move a
 * status only along these transitions, with a conditional update (`WHERE status IN (allowed from)`),
 * so a stale or duplicate event never moves a status backwards.
 */

/** Status of a task (the `tasks` table). */
export type TaskStatus = 'queued' | 'processing' | 'succeeded' | 'failed' | 'cancelled';

/** Status of one attempt of one tool (the `tool_runs` table). `ready` = delivered to the executor. */
export type AttemptStatus = 'pending' | 'ready' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

const TASK_NEXT: Record<TaskStatus, readonly TaskStatus[]> = {
  queued: ['processing', 'failed', 'cancelled'],
  processing: ['succeeded', 'failed', 'cancelled'],
  succeeded: [],
  failed: [],
  cancelled: [],
};

const ATTEMPT_NEXT: Record<AttemptStatus, readonly AttemptStatus[]> = {
  pending: ['ready', 'skipped', 'cancelled'],
  // An exit may arrive before (or without) its start report: ready may end directly.
  ready: ['running', 'succeeded', 'failed', 'cancelled'],
  running: ['succeeded', 'failed', 'cancelled'],
  succeeded: [],
  failed: [],
  skipped: [],
  cancelled: [],
};

function invert<S extends string>(next: Record<S, readonly S[]>): Record<S, S[]> {
  const from = Object.fromEntries(Object.keys(next).map((s) => [s, [] as S[]])) as Record<S, S[]>;
  for (const [s, targets] of Object.entries(next) as [S, readonly S[]][]) for (const t of targets) from[t].push(s);
  return from;
}
const TASK_FROM = invert(TASK_NEXT);
const ATTEMPT_FROM = invert(ATTEMPT_NEXT);

/** True when a task may move from `from` to `to`. */
export function canMoveTask(from: TaskStatus, to: TaskStatus): boolean {
  return TASK_NEXT[from].includes(to);
}

/** True when an attempt may move from `from` to `to`. */
export function canMoveAttempt(from: AttemptStatus, to: AttemptStatus): boolean {
  return ATTEMPT_NEXT[from].includes(to);
}

/** The statuses a task may be in for a move to `to` (used in conditional updates). */
export function taskStatusesBefore(to: TaskStatus): TaskStatus[] {
  return TASK_FROM[to];
}

/** The statuses an attempt may be in for a move to `to`. */
export function attemptStatusesBefore(to: AttemptStatus): AttemptStatus[] {
  return ATTEMPT_FROM[to];
}

/** True for statuses no transition leaves. */
export function isTerminal(status: TaskStatus | AttemptStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled' || status === 'skipped';
}
