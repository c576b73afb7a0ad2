/**
 * handle-status: persists what happened (tool started, keepalive, exited, skipped, cancelled; task
 * finished) and, for an exit, classifies it: `tool.succeeded`, or `tool.attempt.failed` with a
 * reason for the rerun policy. Every write is a conditional status move, so a duplicate or stale
 * event changes nothing.
 *
 * No state without its event: the events an exit implies are derived from the stored row, with
 * deterministic ids. If this consumer dies after its write and before its publish (and so before its
 * ack), the redelivered exit finds the row already moved by that same exit and emits the same events
 * again (same ids), which their consumers recognise; an exit whose attempt ended otherwise (cancelled,
 * or already decided by the watchdog) emits nothing.
 */
import { attemptName } from '../cache/attempt-cache.js';
import { attemptFailedEvent, EventType, makeEvent, type ExitDetails, type ToolflowEvent } from '../events/catalog.js';
import { prepareOutcomeSeries, recordAttemptEnded, recordCacheHit, recordTaskFinished } from '../metrics/record.js';
import { classifyExit } from '../policy/classify.js';
import { sourceOf, type FunctionDef } from './handler.js';

const SOURCE = sourceOf('handle-status');

/**
 * The fields a succeeded exit adds to its attempt row: `outputs_json` (its `outputs`), and for a
 * cache hit `cached_from` (`task/tool/attempt`) with the message `cached: reused the outputs of task
 * T's attempt N` (`… of tool X` when the reused attempt is another tool's).
 */
export function recordedFields(exit: Pick<ExitDetails, 'outputs' | 'cachedFrom'> & { tool: string }): { outputs_json?: string; cached_from?: string; message?: string } {
  const from = exit.cachedFrom;
  return {
    ...(exit.outputs ? { outputs_json: JSON.stringify(exit.outputs) } : {}),
    ...(from
      ? { cached_from: attemptName(from), message: `cached: reused the outputs of task ${from.taskId}'s attempt ${from.attempt}${from.tool === exit.tool ? '' : ` of tool ${from.tool}`}` }
      : {}),
  };
}

export const handleStatus: FunctionDef = {
  name: 'handle-status',
  placement: 'shared',
  concurrency: 16,
  consumes: [
    EventType.toolStarted,
    EventType.toolKeepalive,
    EventType.toolExited,
    EventType.toolSkipped,
    EventType.toolCancelled,
    EventType.taskSucceeded,
    EventType.taskFailed,
    EventType.taskCancelled,
  ],
  async handle(event, ports): Promise<ToolflowEvent[]> {
    const { store } = ports;
    const e = event as ToolflowEvent;
    // The tool's outcome series at 0 from its first event here (its start), so its first end is an increase.
    const tool = (e.data as { tool?: unknown }).tool;
    if (typeof tool === 'string') prepareOutcomeSeries(tool);
    switch (e.type) {
      case EventType.toolStarted: {
        const d = (e as ToolflowEvent<typeof EventType.toolStarted>).data;
        await store.moveToolRun(d, 'running', { started_at: d.at, last_heartbeat_at: d.at });
        return [];
      }
      case EventType.toolKeepalive: {
        const d = (e as ToolflowEvent<typeof EventType.toolKeepalive>).data;
        await store.updateToolRun(d, { last_heartbeat_at: d.at });
        return [];
      }
      case EventType.toolExited: {
        const d = (e as ToolflowEvent<typeof EventType.toolExited>).data;
        const ref = { taskId: d.taskId, tool: d.tool, attempt: d.attempt };
        const fields = { exit_code: d.exitCode, signal: d.signal, peak_mem_bytes: d.peakMemBytes, cpu_time_ms: d.cpuTimeMs ?? null, finished_at: d.at, ...(d.evidence ? { evidence: d.evidence } : {}) };
        const failure = classifyExit(d, d.resources.memBytes, d.resources.timeSeconds ?? null);
        // A succeeded attempt keeps its outputs' checksums (what cache keys of its dependents and
        // cache hits read) and, when it was a cache hit, the attempt it reused.
        const recorded = failure ? {} : recordedFields(d);
        const succeeded = () => [makeEvent(EventType.toolSucceeded, SOURCE, ref, `succeeded/${d.taskId}/${d.tool}/${d.attempt}`)];
        const attemptFailed = (f: NonNullable<typeof failure>) => [attemptFailedEvent(SOURCE, { ...ref, reason: f.reason, message: f.message, resources: d.resources, retry: d.retry })];
        // Metrics count each move once (a redelivery finds the row moved).
        if (!failure) {
          if (await store.moveToolRun(ref, 'succeeded', { ...fields, ...recorded })) {
            // A cache hit did not run: counted apart, not as an attempt (shared/metrics/record.ts).
            if (d.cachedFrom) recordCacheHit(d.tool);
            else recordAttemptEnded(d.tool, 'succeeded', 'none');
            return succeeded();
          }
        } else if (await store.moveToolRun(ref, 'failed', { ...fields, reason: failure.reason, message: failure.message })) {
          recordAttemptEnded(d.tool, 'failed', failure.reason);
          return attemptFailed(failure);
        }
        // Not moved: a redelivery of this very exit (the row carries its outcome), or a stale report.
        const row = await store.getToolRun(ref);
        if (row?.status === 'cancelled') {
          // The exit of an attempt a cancel stopped: the row stays cancelled (terminal, decided at the
          // cancel request), and gets when its process was really gone, how it ended and its peak
          // memory, so its duration and memory are true. A redelivery writes the same values again.
          if (!d.watchdog) await store.updateToolRun(ref, fields);
          return [];
        }
        if (!row || Number(row.finished_at) !== d.at) return [];
        if (!failure && row.status === 'succeeded') return succeeded();
        if (failure && row.status === 'failed' && row.reason === failure.reason) return attemptFailed(failure);
        return [];
      }
      case EventType.toolSkipped: {
        const d = (e as ToolflowEvent<typeof EventType.toolSkipped>).data;
        await store.moveToolRun(d, 'skipped', { message: d.because });
        return [];
      }
      case EventType.toolCancelled: {
        const d = (e as ToolflowEvent<typeof EventType.toolCancelled>).data;
        if (await store.moveToolRun(d, 'cancelled', { reason: 'cancelled', message: 'cancelled', finished_at: Date.now() })) recordAttemptEnded(d.tool, 'cancelled', 'cancelled');
        return [];
      }
      case EventType.taskSucceeded:
        if (await store.moveTask((e as ToolflowEvent<typeof EventType.taskSucceeded>).data.taskId, 'succeeded', { finished_at: Date.now() })) recordTaskFinished('succeeded');
        return [];
      case EventType.taskFailed: {
        const d = (e as ToolflowEvent<typeof EventType.taskFailed>).data;
        if (await store.moveTask(d.taskId, 'failed', { finished_at: Date.now(), error: d.error })) recordTaskFinished('failed');
        return [];
      }
      case EventType.taskCancelled: {
        const d = (e as ToolflowEvent<typeof EventType.taskCancelled>).data;
        if (await store.moveTask(d.taskId, 'cancelled', { finished_at: Date.now(), error: d.error })) recordTaskFinished('cancelled');
        return [];
      }
      default:
        return [];
    }
  },
};
