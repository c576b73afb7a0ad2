/**
 * Live progress of a run. On a terminal: a block redrawn in place (log-update) with a line per
 * tool that is running or recently finished, under a header of counts. Otherwise: one plain line per
 * event, for logs and CI.
 *
 * A task of more than `GROUP_ABOVE` tools (1,000 samples make 1,000 instances of each scattered
 * tool) shows each scattered tool's instances as one line, `align  312/1000 done, 2 running, 1
 * failed  4m05s` ("done": succeeded, cache hits included), so the block stays a few lines high;
 * tools that are not instances keep a line of their own.
 */
import { EventType, type EventTypeName, type ToolflowEvent } from '../events/catalog.js';
import type { EventBus } from '../events/bus.js';
import { formatBytes, formatSeconds } from '../spec/resources.js';
import type { InstanceOf } from '../spec/types.js';
import { countOf, formatDuration } from './summary.js';

const WATCHED: EventTypeName[] = [
  EventType.toolStarted,
  EventType.toolSucceeded,
  EventType.toolAttemptFailed,
  EventType.toolRetrying,
  EventType.toolFailed,
  EventType.toolSkipped,
  EventType.toolCancelled,
  EventType.toolExited,
];

/** Above this many tools in a task, the live block groups each scattered tool's instances into one line. */
export const GROUP_ABOVE = 20;

/** A planned tool as the progress sees it: its name, and for an instance, its template's name. */
export interface PlanTool {
  name: string;
  instance?: Pick<InstanceOf, 'tool'>;
}

/** What the progress knows of one tool (instance). Times are epoch ms. */
export interface ProgressLine {
  /** `queued`, `running`, `retrying`, `succeeded`, `cached` (succeeded by a cache hit), `failed`, `skipped`, `cancelled`. */
  status: string;
  attempt: number;
  since: number;
  ended: number | null;
  /** Its last exit reused an earlier attempt's outputs (a cache hit). */
  cached: boolean;
}

/** An instance name `template[key]` (design: keys match `^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`). */
const INSTANCE_NAME = /^(.+)\[[A-Za-z0-9][A-Za-z0-9._-]{0,63}\]$/;

/** The template of an instance name (`align[A]` → `align`), or undefined for a plain tool name. */
export function templateOf(name: string): string | undefined {
  return INSTANCE_NAME.exec(name)?.[1];
}

/** The progress of one task, from its events. */
export class ProgressState {
  readonly lines = new Map<string, ProgressLine>();
  /** Tools that ended (any way). */
  done = 0;

  /**
   * Applies one event. @param now epoch ms.
   * @returns its plain line (without the time stamp), or undefined for an event that shows none.
   */
  apply(e: ToolflowEvent, now: number): string | undefined {
    const d = e.data as { tool: string; attempt: number };
    const line = this.lines.get(d.tool) ?? { status: 'queued', attempt: d.attempt, since: now, ended: null, cached: false };
    this.lines.set(d.tool, line);
    switch (e.type) {
      case EventType.toolStarted:
        Object.assign(line, { status: 'running', attempt: d.attempt, since: line.status === 'queued' ? now : line.since });
        return `${d.tool} started (attempt ${d.attempt})`;
      case EventType.toolSucceeded:
        Object.assign(line, { status: line.cached ? 'cached' : 'succeeded', ended: now });
        this.done++;
        return `${d.tool} succeeded${line.cached ? ' (cached)' : ''}`;
      case EventType.toolAttemptFailed: {
        const f = (e as ToolflowEvent<typeof EventType.toolAttemptFailed>).data;
        return `${d.tool} attempt ${d.attempt} failed: ${f.message}`;
      }
      case EventType.toolRetrying: {
        const r = (e as ToolflowEvent<typeof EventType.toolRetrying>).data;
        Object.assign(line, { status: 'retrying', attempt: r.attempt, cached: false });
        // Say what the rerun gets more of: the resource that ran out, if any.
        const more =
          r.reason === 'oom'
            ? `with ${formatBytes(r.resources.memBytes)} memory`
            : r.reason === 'disk' && r.resources.diskBytes
              ? `with ${formatBytes(r.resources.diskBytes)} disk`
              : r.reason === 'timeout' && r.resources.timeSeconds
                ? `with a time limit of ${formatSeconds(r.resources.timeSeconds)}`
                : `with the same resources (${r.reason})`;
        return `${d.tool} rerun as attempt ${r.attempt} ${more}`;
      }
      case EventType.toolFailed:
        Object.assign(line, { status: 'failed', ended: now });
        this.done++;
        return `${d.tool} failed: ${(e as ToolflowEvent<typeof EventType.toolFailed>).data.message}`;
      case EventType.toolSkipped:
        Object.assign(line, { status: 'skipped', ended: now });
        this.done++;
        return `${d.tool} skipped: ${(e as ToolflowEvent<typeof EventType.toolSkipped>).data.because}`;
      case EventType.toolCancelled:
        Object.assign(line, { status: 'cancelled', ended: now });
        this.done++;
        return `${d.tool} cancelled`;
      case EventType.toolExited:
        // A cache hit's exit names the attempt it reused; its tool.succeeded follows.
        if ((e as ToolflowEvent<typeof EventType.toolExited>).data.cachedFrom && d.attempt === line.attempt) line.cached = true;
        // A cancelled attempt's process is gone only now (SIGTERM, then SIGKILL after the grace time).
        if (line.status === 'cancelled' && d.attempt === line.attempt) line.ended = now;
        return undefined;
    }
    return undefined;
  }
}

/** What a frame needs besides the state. */
export interface FrameOptions {
  /** The task's tools: their count, or the plan (names and instances), which tells each template's number of instances. */
  tools: number | readonly PlanTool[];
  now: number;
  /** Time since the run started, ms (the stamp). */
  elapsedMs: number;
  /** Most tool lines shown under the header. */
  rows: number;
}

/** One line of the block: a tool, or a group of instances. */
interface Entry {
  name: string;
  /** null while it (or any instance of the group) has not ended. */
  ended: number | null;
  text: (width: number, now: number) => string;
}

/** The counts of a group's line: `312/1000 done (300 cached), 2 running, 1 failed`. */
function groupText(members: ProgressLine[], total: number): string {
  const count = (...statuses: string[]) => members.filter((l) => statuses.includes(l.status)).length;
  const done = count('succeeded', 'cached');
  const cached = count('cached');
  const parts = [`${done}/${total} done${cached > 0 ? ` (${cached} cached)` : ''}`];
  for (const [label, statuses] of [
    ['running', ['running']],
    ['retrying', ['retrying']],
    ['failed', ['failed']],
    ['skipped', ['skipped']],
    ['cancelled', ['cancelled']],
  ] as const) {
    const n = count(...statuses);
    if (n > 0) parts.push(`${n} ${label}`);
  }
  return parts.join(', ');
}

/**
 * The live block: a header of counts, then the running tools and the most recently finished ones,
 * at most `rows` lines. Grouped (`GROUP_ABOVE`) when the plan has more than 20 tools (or, without a
 * plan, more than 20 have been seen): a line per scattered tool, whose total is its number of
 * instances in the plan (without a plan: the instances seen so far).
 */
export function liveFrame(state: ProgressState, options: FrameOptions): string {
  const { now, rows } = options;
  const plan = typeof options.tools === 'number' ? undefined : options.tools;
  const total = plan ? plan.length : (options.tools as number);
  const templateOfName = new Map<string, string>();
  const perTemplate = new Map<string, number>();
  for (const t of plan ?? []) {
    const template = t.instance?.tool;
    if (template === undefined) continue;
    templateOfName.set(t.name, template);
    perTemplate.set(template, (perTemplate.get(template) ?? 0) + 1);
  }
  const grouped = (plan ? plan.length : state.lines.size) > GROUP_ABOVE;
  const all = [...state.lines];
  const running = all.filter(([, l]) => l.ended === null).length;
  const entries: Entry[] = [];
  const groups = new Map<string, ProgressLine[]>();
  for (const [name, l] of all) {
    const template = grouped ? (plan ? templateOfName.get(name) : templateOf(name)) : undefined;
    if (template !== undefined) {
      const members = groups.get(template);
      if (members) members.push(l);
      else groups.set(template, [l]);
      continue;
    }
    entries.push({
      name,
      ended: l.ended,
      text: (width, at) => `  ${name.padEnd(width)}  ${l.status.padEnd(9)}  attempt ${l.attempt}  ${formatDuration((l.ended ?? at) - l.since)}`,
    });
  }
  for (const [template, members] of groups) {
    const of = perTemplate.get(template) ?? members.length;
    const finished = members.length >= of && members.every((l) => l.ended !== null);
    const ended = finished ? members.reduce((m, l) => Math.max(m, l.ended!), 0) : null;
    const since = members.reduce((m, l) => Math.min(m, l.since), Infinity);
    entries.push({ name: template, ended, text: (width, at) => `  ${template.padEnd(width)}  ${groupText(members, of)}  ${formatDuration((ended ?? at) - since)}` });
  }
  const active = entries.filter((e) => e.ended === null);
  const finished = entries.filter((e) => e.ended !== null).sort((a, b) => b.ended! - a.ended!);
  const shown = [...active, ...finished].slice(0, rows);
  const width = Math.max(4, ...shown.map((e) => e.name.length));
  const out = [`[${formatDuration(options.elapsedMs).padStart(7)}] ${state.done}/${countOf(total, 'tool')} done, ${running} running`];
  for (const e of shown) out.push(e.text(width, now));
  return out.join('\n');
}

/**
 * Follows a task's events and shows them.
 * @param tools the task's tools: their count, or the plan (which groups instances by their real template).
 * @param mode `live` redraws on a terminal, `plain` prints lines, `off` shows nothing.
 * @param loadPlan (live mode) reads the plan when `tools` is a count: tried every half second
 *   until it gives one (the task's row may be stored only after the submit returned).
 * @returns a function that stops and leaves the last frame on screen.
 */
export function showProgress(
  bus: EventBus,
  taskId: string,
  tools: number | readonly PlanTool[],
  mode: 'live' | 'plain' | 'off',
  write: (line: string) => void = (l) => process.stderr.write(l + '\n'),
  loadPlan?: () => Promise<readonly PlanTool[] | undefined>,
): () => void {
  if (mode === 'off') return () => undefined;
  const t0 = Date.now();
  const state = new ProgressState();
  const stamp = () => `[${formatDuration(Date.now() - t0).padStart(7)}]`;
  const off = bus.subscribe(
    `progress/${taskId}`,
    WATCHED,
    async (e: ToolflowEvent) => {
      const text = state.apply(e, Date.now());
      if (mode === 'plain' && text) write(`${stamp()} ${text}`);
    },
    { taskId },
  );
  if (mode === 'plain') return off;
  // log-update is loaded only for a terminal (it costs ~50 ms of start-up).
  let logUpdate: typeof import('log-update').logUpdateStderr | undefined;
  void import('log-update').then((m) => (logUpdate = m.logUpdateStderr));
  let known = tools;
  let loading = false;
  let lastLoad = 0;
  const render = () => {
    const now = Date.now();
    if (typeof known === 'number' && loadPlan && !loading && now - lastLoad >= 500) {
      loading = true;
      lastLoad = now;
      void loadPlan()
        .then((plan) => {
          if (plan) known = plan;
        })
        .catch(() => undefined)
        .finally(() => (loading = false));
    }
    if (!logUpdate) return;
    logUpdate(liveFrame(state, { tools: known, now, elapsedMs: now - t0, rows: Math.max(5, (process.stderr.rows ?? 24) - 4) }));
  };
  const timer = setInterval(render, 100);
  return () => {
    clearInterval(timer);
    off();
    render();
    logUpdate?.done();
  };
}
