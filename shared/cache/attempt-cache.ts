/**
 * The cache as schedule-tool uses it on `tool.ready` (issue 10, "Cached reruns"): the attempt's key
 * from its request and its dependencies' recorded outputs (`tool_runs.outputs_json`), and the reuse
 * of an earlier attempt with the same key (`Store.findCachedRun`, `Executor.reuse`). The cache lives
 * in the SQL store, so it works alike in embedded and services mode.
 */
import type { AttemptRef, OutputRecord } from '../events/catalog.js';
import type { AttemptRequest, Executor } from '../executor/executor.js';
import type { Store, ToolRunRow } from '../store/store.js';
import { CACHE_RECIPE, cacheKeyOf, type CacheKeyResult, type CacheParts, type Unkeyed } from './cache-key.js';

/** `task/tool/attempt`: how `tool_runs.cached_from` and `CacheParts.refused` name an attempt. */
export function attemptName(ref: AttemptRef): string {
  return `${ref.taskId}/${ref.tool}/${ref.attempt}`;
}

/**
 * Reads `tool_runs.outputs_json`.
 * @returns the records, or undefined for null or text that is not a JSON array.
 */
export function parseOutputs(text: string | null | undefined): OutputRecord[] | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) ? (parsed as OutputRecord[]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The cache key of the attempt `request` asks for: reads each dependency's attempt row (one indexed
 * read each; none for a tool without dependencies) for its recorded outputs.
 * @returns as `cacheKeyOf`; `{key: null, why}` also when a dependency's row is missing.
 * @throws the store's error (ServiceUnavailableError when it does not answer).
 */
export async function attemptCacheKey(store: Pick<Store, 'getToolRun'>, request: AttemptRequest): Promise<CacheKeyResult> {
  const rows = await Promise.all(request.deps.map((d) => store.getToolRun({ taskId: request.taskId, tool: d.tool, attempt: d.attempt })));
  const depOutputs = new Map<string, OutputRecord[]>();
  rows.forEach((row, i) => {
    const outputs = parseOutputs(row?.outputs_json);
    if (outputs) depOutputs.set(request.deps[i]!.tool, outputs);
  });
  try {
    return cacheKeyOf(request, depOutputs);
  } catch (err) {
    // A value the key cannot hold: the attempt simply runs uncached.
    return { key: null, why: `the cache key could not be made: ${(err as Error).message}` };
  }
}

/** `tool_runs.cache_parts` for a key result: the parts, or why there is no key. */
export function storedParts(result: CacheKeyResult): string {
  return JSON.stringify(result.key === null ? ({ v: CACHE_RECIPE, none: result.why } satisfies Unkeyed) : result.parts);
}

/** Work folders of tasks reused lately (a task's recorded folder does not change once set), at most `WORK_ROOTS` of them. */
const workRoots = new Map<string, string>();
const WORK_ROOTS = 256;

/**
 * The recorded work folder of task `taskId` (`tasks.work_dir`), read once per task while it is
 * reused (a task row holds its whole plan: a 1,000-sample task's is large, and a rerun of it reuses
 * a thousand attempts). Undefined when the task recorded none or is gone.
 */
async function workRootOf(store: Pick<Store, 'getTask'>, taskId: string): Promise<string | undefined> {
  const known = workRoots.get(taskId);
  if (known !== undefined) return known;
  const dir = (await store.getTask(taskId))?.work_dir ?? undefined;
  if (dir) {
    if (workRoots.size >= WORK_ROOTS) workRoots.clear();
    workRoots.set(taskId, dir);
  }
  return dir;
}

/** What came of looking the key up. */
export type ReuseOutcome =
  /** Reused: the attempt's outputs are `outputs`, from attempt `from`. */
  | { hit: true; from: AttemptRef; outputs: OutputRecord[] }
  /** Not reused: no earlier attempt has the key, or (with `refused`) its files were gone or differed. */
  | { hit: false; refused?: AttemptRef & { why: string } };

/**
 * Looks the key up and, on a hit, asks the executor to reuse that attempt's outputs for this one.
 * A hit on the very attempt asked for (a redelivery after it was recorded) is no hit.
 * @returns `hit: false` with `refused` when the executor found the cached files gone or changed, or
 *   failed to reuse them (the tool then runs: a cached result is never trusted without its files).
 * @throws the store's error; the executor's ServiceUnavailableError (the event is handled again).
 */
export async function reuseCached(
  store: Pick<Store, 'findCachedRun' | 'getTask'>,
  executor: Required<Pick<Executor, 'reuse'>>,
  request: AttemptRequest,
  key: string,
  isUnavailable: (err: unknown) => boolean,
): Promise<ReuseOutcome> {
  const row: ToolRunRow | undefined = await store.findCachedRun(key);
  if (!row || (row.task_id === request.taskId && row.tool === request.tool && row.attempt === request.attempt)) return { hit: false };
  const from: AttemptRef = { taskId: row.task_id, tool: row.tool, attempt: row.attempt };
  const outputs = parseOutputs(row.outputs_json);
  if (!outputs) return { hit: false, refused: { ...from, why: 'its recorded outputs cannot be read' } };
  const workRoot = await workRootOf(store, row.task_id);
  let reused: boolean;
  try {
    reused = await executor.reuse(request, { ...from, ...(workRoot ? { workRoot } : {}) }, outputs);
  } catch (err) {
    if (isUnavailable(err)) throw err;
    return { hit: false, refused: { ...from, why: `its outputs could not be reused: ${(err as Error).message}` } };
  }
  return reused ? { hit: true, from, outputs } : { hit: false, refused: { ...from, why: 'its output files are gone or changed' } };
}

/** `cache_parts` with `refused` set to the hit whose files were gone (for `toolflow explain`). */
export function refusedParts(parts: CacheParts, refused: AttemptRef): string {
  return JSON.stringify({ ...parts, refused: attemptName(refused) } satisfies CacheParts);
}
