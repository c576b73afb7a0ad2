/**
 * Why a tool's latest attempt reran or was reused (`toolflow explain TASK TOOL`, and the `cache`
 * field of `toolflow status TASK --json`), from the store alone: its cache key's parts
 * (`tool_runs.cache_parts`), the attempt it reused (`cached_from`), the task's `--no-cache`, and the
 * previous run of the same workflow's tool (`Store.findPreviousRun`) to compare parts with.
 */
import { NotFoundError } from '../errors.js';
import type { Store, TaskRow, ToolRunRow } from '../store/store.js';
import { parseCacheParts } from './cache-key.js';
import { explainParts } from './explain-parts.js';

/** What happened to a tool's latest attempt, as far as the cache goes. */
export type CacheOutcome =
  /** Reused an earlier attempt's outputs: it did not run. */
  | 'cached'
  /** Ran because the task was submitted with `--no-cache`. */
  | 'no-cache'
  /** Ran because no earlier task of this workflow ran this tool. */
  | 'first-run'
  /** Ran because parts of its key changed since the previous run (`changes`). */
  | 'changed'
  /** Ran because the attempt with its key had lost its files (or they differed). */
  | 'refused'
  /** Ran with the same key as the previous run, which could not be reused (`message` says why). */
  | 'same-key'
  /** Ran without a cache key (`message` says why), or the previous run had none to compare with. */
  | 'no-key'
  /** Has not run (yet): pending, skipped or cancelled before it was delivered. */
  | 'not-run';

/** `toolflow explain`'s answer (its `--json` output). */
export interface Explanation {
  taskId: string;
  tool: string;
  /** The latest attempt's number; null when the task has no attempt of the tool. */
  attempt: number | null;
  outcome: CacheOutcome;
  /** The attempt reused (`task/tool/attempt`), for `cached`. */
  cachedFrom: string | null;
  /** The attempt compared with (`task/tool/attempt`), when there was one. */
  previous: string | null;
  /** What changed since `previous`, in words (for `changed`; empty otherwise). */
  changes: string[];
  /** One sentence for people. */
  message: string;
}

/** Whether the task was submitted with `--no-cache` (kept in `tasks.spec`). */
export function taskNoCache(task: Pick<TaskRow, 'spec'>): boolean {
  try {
    return (JSON.parse(task.spec) as { noCache?: boolean }).noCache === true;
  } catch {
    return false;
  }
}

const nameOf = (r: Pick<ToolRunRow, 'task_id' | 'tool' | 'attempt'>) => `${r.task_id}/${r.tool}/${r.attempt}`;

/** Says which attempt `cached_from` names: `task T's attempt N` (`of tool X` when another tool's). */
function reusedWords(cachedFrom: string, tool: string): string {
  const [taskId, ...rest] = cachedFrom.split('/');
  const attempt = rest.pop();
  const fromTool = rest.join('/');
  return `task ${taskId}'s attempt ${attempt}${fromTool === tool ? '' : ` of tool ${fromTool}`}`;
}

/** The `cache` field of a tool in `toolflow status TASK --json`. */
export interface CacheField {
  /** True: the latest attempt reused an earlier one's outputs. */
  hit: boolean;
  /** The attempt reused, `task/tool/attempt`. */
  from?: string;
  /** Why it ran, for an attempt that was not a hit. */
  why?: string;
}

/**
 * The cache field of one tool in `toolflow status TASK --json`, from its latest attempt row alone
 * (no other query): `{hit: true, from}` for a cache hit, `{hit: false, why}` for an attempt that
 * ran, null for one not delivered yet.
 */
export function cacheField(row: ToolRunRow | undefined, noCache: boolean): CacheField | null {
  if (!row || row.delivered_at === null) return null;
  if (row.cached_from) return { hit: true, from: row.cached_from };
  const parts = parseCacheParts(row.cache_parts);
  if (noCache) return { hit: false, why: 'the task ran with --no-cache' };
  if (parts === undefined) return { hit: false, why: 'no cache key (delivered by a toolflow without cached reruns)' };
  if ('none' in parts) return { hit: false, why: `no cache key: ${parts.none}` };
  if (parts.refused) return { hit: false, why: `the cached attempt ${parts.refused} had lost its output files (or they differed)` };
  return { hit: false, why: `no earlier attempt had the same cache key (toolflow explain ${row.task_id} ${row.tool} says what changed)` };
}

/**
 * Adds the `cache` field (`cacheField` of each tool's latest attempt) to a task's tools, for
 * `toolflow status TASK --json`: one read of the task's attempts.
 */
export async function withCacheFields<T extends { name: string }>(store: Pick<Store, 'listToolRuns'>, task: TaskRow, tools: T[]): Promise<(T & { cache: CacheField | null })[]> {
  const latest = new Map<string, ToolRunRow>();
  for (const r of await store.listToolRuns(task.id)) if ((latest.get(r.tool)?.attempt ?? 0) < r.attempt) latest.set(r.tool, r);
  const noCache = taskNoCache(task);
  return tools.map((t) => ({ ...t, cache: cacheField(latest.get(t.name), noCache) }));
}

/**
 * Explains tool `tool`'s latest attempt in task `taskId`.
 * @throws NotFoundError for an unknown task, or a tool the task has no attempt of (the message
 *   lists the task's tools).
 */
export async function explainAttempt(store: Pick<Store, 'getTask' | 'listToolRuns' | 'findPreviousRun'>, taskId: string, tool: string): Promise<Explanation> {
  const task = await store.getTask(taskId);
  if (!task) throw new NotFoundError(`no task ${taskId}; \`toolflow status\` lists recent tasks`);
  const runs = await store.listToolRuns(taskId);
  const mine = runs.filter((r) => r.tool === tool).sort((a, b) => a.attempt - b.attempt);
  const row = mine[mine.length - 1];
  if (!row) {
    const tools = [...new Set(runs.map((r) => r.tool))];
    throw new NotFoundError(`task ${taskId} has no tool ${tool}; its tools: ${tools.join(', ') || '(none)'}`);
  }
  const base = { taskId, tool, attempt: row.attempt, cachedFrom: null, previous: null, changes: [] };
  const said = (outcome: CacheOutcome, message: string, more: Partial<Explanation> = {}): Explanation => ({ ...base, outcome, message, ...more });
  if (row.cached_from) return said('cached', `cache hit: reused the outputs of ${reusedWords(row.cached_from, tool)}; it did not run`, { cachedFrom: row.cached_from });
  if (row.delivered_at === null) return said('not-run', `it has not run (${row.status}${row.message ? `: ${row.message}` : ''})`);
  if (taskNoCache(task)) return said('no-cache', 'it ran because the task was submitted with --no-cache');
  const parts = parseCacheParts(row.cache_parts);
  if (parts === undefined) return said('no-key', 'it ran without a cache key: it was delivered by a toolflow without cached reruns');
  if ('none' in parts) return said('no-key', `it ran without a cache key: ${parts.none}`);
  if (parts.refused) {
    return said('refused', `it ran because the attempt with the same cache key (${parts.refused}) had lost its output files, or they differed: a cached result is never trusted without its files`, {
      previous: parts.refused,
    });
  }
  const prev = await store.findPreviousRun(task.name, tool, Number(task.created_at), task.id);
  if (!prev) return said('first-run', `it ran because no earlier run of workflow ${task.name} had tool ${tool}`);
  const before = parseCacheParts(prev.cache_parts);
  const previous = nameOf(prev);
  if (before === undefined || 'none' in before) {
    const why = before && 'none' in before ? before.none : 'it was delivered by a toolflow without cached reruns';
    return said('no-key', `it ran; the previous run (${previous}) had no cache key to compare with: ${why}`, { previous });
  }
  const changes = explainParts(parts, before);
  if (changes.length > 0) return said('changed', `it ran because, since the previous run (${previous}): ${changes.join('; ')}`, { previous, changes });
  return said('same-key', `it ran with the same cache key as the previous run (${previous}), which ${sameKeyWhy(prev, row)}`, { previous });
}

/** Why an attempt with an equal key was not reused. */
function sameKeyWhy(prev: ToolRunRow, row: ToolRunRow): string {
  if (prev.status !== 'succeeded') return `did not succeed (${prev.status}${prev.reason ? `: ${prev.reason}` : ''})`;
  if (!prev.outputs_json) return 'recorded no outputs to reuse';
  if (prev.finished_at === null || (row.delivered_at !== null && Number(prev.finished_at) > Number(row.delivered_at))) return 'had not finished when this attempt was delivered';
  return 'could not be reused here (the executor cannot reuse outputs)';
}
