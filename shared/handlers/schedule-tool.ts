/**
 * schedule-tool (on `tool.ready`): marks the attempt delivered and hands it to the executor, with
 * reports routed to the task's work manager. A duplicate of an event already handled finds the
 * attempt started and changes nothing. An attempt that cannot be launched at all exits at once with
 * `launchError`, except when a backend it needs is down (ServiceUnavailableError: an S3 server that
 * does not answer while an input is staged): then the handler fails with that error, and the bus
 * handles the event again once the backend answers (the RabbitMQ bus retries it in place, without
 * spending deliveries), as a task whose attempt would otherwise fail as a `config` error at once.
 *
 * Cached reruns (issue 10): the attempt's cache key (`cache/cache-key.ts`, from the request and the
 * dependencies' recorded outputs) and its parts are written with the `ready` move. Unless the task
 * was submitted with `--no-cache`, an earlier succeeded attempt with the same key (any task's) is
 * reused when the executor can (`Executor.reuse`: its files must still be there, with their
 * recorded sizes): the attempt then reports a start and an exit 0 carrying the reused outputs and
 * `cachedFrom`, without running. A hit whose files are gone is run instead, and recorded as refused.
 * Cost on the hot path: one read per dependency, a few small hashes, one indexed lookup.
 */
import { attemptCacheKey, attemptName, refusedParts, reuseCached, storedParts } from '../cache/attempt-cache.js';
import { ServiceUnavailableError } from '../errors.js';
import { EventType, isEvent, type ToolflowEvent } from '../events/catalog.js';
import type { CacheParts } from '../cache/cache-key.js';
import { exitReport, type AttemptRequest, type ReportSink } from '../executor/executor.js';
import { jobName } from '../executor/kubernetes/names.js';
import type { Ports } from '../runtime/ports.js';
import type { FunctionDef } from './handler.js';

/** Deterministic name of an attempt's Job (`tf-<task>-<tool>-a<attempt>`): see executor/kubernetes/names.ts. */
export { jobName };

export const scheduleTool: FunctionDef = {
  name: 'schedule-tool',
  placement: 'task-host',
  consumes: [EventType.toolReady],
  async handle(event, ports): Promise<ToolflowEvent[]> {
    if (!isEvent(event, EventType.toolReady)) return [];
    const d = event.data;
    const key = { taskId: d.taskId, tool: d.tool, attempt: d.attempt };
    // delivered_at is the event's time: a row moved by this very event is recognised below.
    const deliveredAt = Date.parse(event.time);
    const cache = await attemptCacheKey(ports.store, d);
    const fields = { delivered_at: deliveredAt, job_name: jobName(d.taskId, d.tool, d.attempt), cache_key: cache.key, cache_parts: storedParts(cache) };
    if (!(await ports.store.moveToolRun(key, 'ready', fields))) {
      // Not moved: a redelivery of this event, or a retry whose first try had committed, finds the
      // row ready with this event's time and starts the attempt (the executor ignores a second
      // start); any other event (stale, or fenced out) finds something else and does nothing.
      const row = await ports.store.getToolRun(key);
      if (row?.status !== 'ready' || Number(row.delivered_at) !== deliveredAt) return [];
    }
    const sink = ports.reports.sinkFor(d.taskId);
    if (cache.key === null) ports.log.info({ ...key, why: cache.why }, 'no cache key for the attempt: it runs uncached');
    else if (!d.noCache && ports.executor.reuse && (await reusedFromCache(ports, d, cache.key, cache.parts, sink))) return [];
    try {
      await ports.executor.start(d, sink);
      return [];
    } catch (err) {
      // A backend that is down is not the attempt's fault: the event is handled again later.
      if (err instanceof ServiceUnavailableError) {
        ports.log.warn({ err: err.message, ...key }, 'a backend is unavailable while launching the attempt; trying again later');
        throw err;
      }
      sink(exitReport(key, { launchError: (err as Error).message }));
      ports.log.warn({ err, ...key }, 'could not launch attempt');
      return [];
    }
  },
};

/**
 * A cache hit, reused: reports the attempt's start and its exit 0 with the reused outputs and
 * `cachedFrom` to `sink`. A hit whose files are gone or changed is recorded on the attempt
 * (`cache_parts.refused`, for `toolflow explain`) and not reused; a lookup that fails for another
 * reason than a backend being down is logged and not reused either (the tool runs).
 * @returns true when reused (the tool does not run).
 * @throws ServiceUnavailableError (from the store or the executor): the event is handled again.
 */
async function reusedFromCache(ports: Ports, d: AttemptRequest, cacheKey: string, parts: CacheParts, sink: ReportSink): Promise<boolean> {
  const key = { taskId: d.taskId, tool: d.tool, attempt: d.attempt };
  const { executor } = ports;
  try {
    const found = await reuseCached(ports.store, { reuse: executor.reuse!.bind(executor) }, d, cacheKey, (err) => err instanceof ServiceUnavailableError);
    if (found.hit) {
      const at = Date.now();
      sink({ kind: 'start', ...key, at, cached: true }); // cached: no run for the metrics (no queue wait, no duration)
      sink(exitReport(key, { exitCode: 0, outputs: found.outputs, cachedFrom: found.from }, at));
      return true;
    }
    if (found.refused) {
      ports.log.info({ ...key, cachedFrom: attemptName(found.refused), why: found.refused.why }, 'a cached attempt could not be reused: the tool runs');
      await ports.store.updateToolRun(key, { cache_parts: refusedParts(parts, found.refused) });
    }
    return false;
  } catch (err) {
    if (err instanceof ServiceUnavailableError) {
      ports.log.warn({ err: err.message, ...key }, 'a backend is unavailable while looking up the cache; trying again later');
      throw err;
    }
    ports.log.warn({ err, ...key }, 'the cache lookup failed: the tool runs');
    return false;
  }
}
