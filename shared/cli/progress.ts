/**
 * Live progress of a run. On a terminal: a block redrawn in place (log-update) with a line per
 * tool that is running or recently finished, under a header of counts. Otherwise: one plain line per
 * event, for logs and CI.
 */
import { EventType, type EventTypeName, type ToolflowEvent } from '../events/catalog.js';
import type { EventBus } from '../events/bus.js';
import { formatBytes, formatSeconds } from '../spec/resources.js';
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

interface Line {
  status: string;
  attempt: number;
  since: number;
  ended: number | null;
}

/**
 * Follows a task's events and shows them.
 * @param mode `live` redraws on a terminal, `plain` prints lines, `off` shows nothing.
 * @returns a function that stops and leaves the last frame on screen.
 */
export function showProgress(bus: EventBus, taskId: string, total: number, mode: 'live' | 'plain' | 'off', write: (line: string) => void = (l) => process.stderr.write(l + '\n')): () => void {
  if (mode === 'off') return () => undefined;
  const t0 = Date.now();
  const lines = new Map<string, Line>();
  let done = 0;
  const stamp = () => `[${formatDuration(Date.now() - t0).padStart(7)}]`;
  const off = bus.subscribe(
    `progress/${taskId}`,
    WATCHED,
    async (e: ToolflowEvent) => {
      const d = e.data as { tool: string; attempt: number };
      const now = Date.now();
      const line = lines.get(d.tool) ?? { status: 'queued', attempt: d.attempt, since: now, ended: null };
      let text: string | undefined;
      switch (e.type) {
        case EventType.toolStarted:
          Object.assign(line, { status: 'running', attempt: d.attempt, since: line.status === 'queued' ? now : line.since });
          text = `${d.tool} started (attempt ${d.attempt})`;
          break;
        case EventType.toolSucceeded:
          Object.assign(line, { status: 'succeeded', ended: now });
          done++;
          text = `${d.tool} succeeded`;
          break;
        case EventType.toolAttemptFailed: {
          const f = (e as ToolflowEvent<typeof EventType.toolAttemptFailed>).data;
          text = `${d.tool} attempt ${d.attempt} failed: ${f.message}`;
          break;
        }
        case EventType.toolRetrying: {
          const r = (e as ToolflowEvent<typeof EventType.toolRetrying>).data;
          Object.assign(line, { status: 'retrying', attempt: r.attempt });
          // Say what the rerun gets more of: the resource that ran out, if any.
          const more =
            r.reason === 'oom'
              ? `with ${formatBytes(r.resources.memBytes)} memory`
              : r.reason === 'disk' && r.resources.diskBytes
                ? `with ${formatBytes(r.resources.diskBytes)} disk`
                : r.reason === 'timeout' && r.resources.timeSeconds
                  ? `with a time limit of ${formatSeconds(r.resources.timeSeconds)}`
                  : `with the same resources (${r.reason})`;
          text = `${d.tool} rerun as attempt ${r.attempt} ${more}`;
          break;
        }
        case EventType.toolFailed:
          Object.assign(line, { status: 'failed', ended: now });
          done++;
          text = `${d.tool} failed: ${(e as ToolflowEvent<typeof EventType.toolFailed>).data.message}`;
          break;
        case EventType.toolSkipped:
          Object.assign(line, { status: 'skipped', ended: now });
          done++;
          text = `${d.tool} skipped: ${(e as ToolflowEvent<typeof EventType.toolSkipped>).data.because}`;
          break;
        case EventType.toolCancelled:
          Object.assign(line, { status: 'cancelled', ended: now });
          done++;
          text = `${d.tool} cancelled`;
          break;
        case EventType.toolExited:
          // A cancelled attempt's process is gone only now (SIGTERM, then SIGKILL after the grace time).
          if (line.status === 'cancelled' && d.attempt === line.attempt) line.ended = now;
          break;
      }
      lines.set(d.tool, line);
      if (mode === 'plain' && text) write(`${stamp()} ${text}`);
    },
    { taskId },
  );
  if (mode === 'plain') return off;
  // log-update is loaded only for a terminal (it costs ~50 ms of start-up).
  let logUpdate: typeof import('log-update').logUpdateStderr | undefined;
  void import('log-update').then((m) => (logUpdate = m.logUpdateStderr));
  const render = () => {
    if (!logUpdate) return;
    const now = Date.now();
    const rows = Math.max(5, (process.stderr.rows ?? 24) - 4);
    const running = [...lines].filter(([, l]) => l.ended === null);
    const finished = [...lines].filter(([, l]) => l.ended !== null).sort((a, b) => b[1].ended! - a[1].ended!);
    const shown = [...running, ...finished].slice(0, rows);
    const width = Math.max(4, ...shown.map(([n]) => n.length));
    const out = [`${stamp()} ${done}/${countOf(total, 'tool')} done, ${running.length} running`];
    for (const [name, l] of shown) {
      out.push(`  ${name.padEnd(width)}  ${l.status.padEnd(9)}  attempt ${l.attempt}  ${formatDuration((l.ended ?? now) - l.since)}`);
    }
    logUpdate(out.join('\n'));
  };
  const timer = setInterval(render, 100);
  return () => {
    clearInterval(timer);
    off();
    render();
    logUpdate?.done();
  };
}
