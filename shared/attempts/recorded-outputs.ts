/**
 * What the store records about an attempt's results (issue 10), read for the views (summary,
 * `status`, the API's task view) and for publishing: the outputs of a succeeded attempt with their
 * sizes and checksums (`tool_runs.outputs_json`), the earlier attempt a cache hit reused
 * (`tool_runs.cached_from`), and which named output each declared path is.
 */
import type { AttemptRef, OutputRecord } from '../events/catalog.js';
import type { ToolSpec } from '../spec/types.js';
import type { ToolRunRow } from '../store/store.js';

/**
 * A declared output's path in one canonical form: `/`-separated segments, empty and `.` segments
 * dropped (`out/./a.txt` → `out/a.txt`), as `outputSegments` (sidecar/pod-layout.ts) cuts it.
 * Does not check the path (see `outputSegments` for that).
 */
export function canonicalOutputPath(path: string): string {
  return path
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

/**
 * The outputs recorded on an attempt row (`outputs_json`, a JSON `OutputRecord[]`).
 * @returns null when none were recorded (the attempt did not succeed, the executor records none, or
 *   the row predates issue 10) or the column does not hold such a list.
 */
export function recordedOutputs(row: Pick<ToolRunRow, 'outputs_json'>): OutputRecord[] | null {
  if (!row.outputs_json) return null;
  let value: unknown;
  try {
    value = JSON.parse(row.outputs_json);
  } catch {
    return null;
  }
  if (!Array.isArray(value)) return null;
  const ok = value.every(
    (o: unknown) =>
      typeof o === 'object' && o !== null && typeof (o as OutputRecord).path === 'string' && Number.isSafeInteger((o as OutputRecord).bytes) && typeof (o as OutputRecord).sha256 === 'string',
  );
  return ok ? (value as OutputRecord[]) : null;
}

/**
 * The attempt a cache hit reused, from `cached_from` (`<task>/<tool>/<attempt>`; tool names hold no
 * `/`, but the middle part is taken whole in case one did).
 * @returns null when the attempt ran (no `cached_from`), or the value is not of that form.
 */
export function cachedFromOf(row: Pick<ToolRunRow, 'cached_from'>): AttemptRef | null {
  const value = row.cached_from;
  if (!value) return null;
  const parts = value.split('/');
  if (parts.length < 3) return null;
  const attempt = Number(parts[parts.length - 1]);
  const taskId = parts[0]!;
  const tool = parts.slice(1, -1).join('/');
  if (!Number.isSafeInteger(attempt) || attempt < 1 || taskId === '' || tool === '') return null;
  return { taskId, tool, attempt };
}

/** The newest succeeded attempt among a tool's rows, or undefined when none succeeded. */
export function latestSucceeded<R extends Pick<ToolRunRow, 'attempt' | 'status'>>(runs: readonly R[]): R | undefined {
  let best: R | undefined;
  for (const r of runs) if (r.status === 'succeeded' && (!best || Number(r.attempt) > Number(best.attempt))) best = r;
  return best;
}

/**
 * Which named output each of a tool's declared paths is: canonical path → output name. A named
 * output's path is its declared path when it holds no `{column}` placeholder; on an instance whose
 * declared path does, the planner's `TF_OUT_<name>` binding (the resolved relative path) tells it
 * (`-` in the name becomes `_`, as in every generated variable name).
 * @returns an empty map for a tool with the plain list form of outputs.
 */
export function outputNames(tool: Pick<ToolSpec, 'namedOutputs' | 'bindings'>): Map<string, string> {
  const names = new Map<string, string>();
  const bound = new Map<string, string>();
  for (const b of tool.bindings ?? []) if ('value' in b) bound.set(b.env, b.value);
  for (const [name, declared] of Object.entries(tool.namedOutputs ?? {})) {
    const path = declared.includes('{') ? bound.get(`TF_OUT_${name.replace(/-/g, '_')}`) : declared;
    if (path !== undefined) names.set(canonicalOutputPath(path), name);
  }
  return names;
}

/** One output of an attempt as the views show it. `path` is relative to the attempt's work dir (canonical form). */
export interface OutputEntry {
  /** The named output it is, or null (list form). */
  name: string | null;
  path: string;
  /** As recorded when the attempt ended; null when the attempt recorded none (older tasks). */
  bytes: number | null;
  /** SHA-256, lowercase hex, as recorded; null when none was. */
  sha256: string | null;
}

/**
 * The outputs of a succeeded attempt `run` of `tool`: every declared output, in declaration order,
 * with what was recorded of it, then any recorded output the tool does not declare.
 */
export function outputEntries(tool: Pick<ToolSpec, 'outputs' | 'namedOutputs' | 'bindings'>, run: Pick<ToolRunRow, 'outputs_json'>): OutputEntry[] {
  const byPath = new Map((recordedOutputs(run) ?? []).map((r) => [canonicalOutputPath(r.path), r]));
  const names = outputNames(tool);
  const paths = [...new Set([...tool.outputs.map(canonicalOutputPath), ...byPath.keys()])];
  return paths.map((path) => {
    const r = byPath.get(path);
    return { name: names.get(path) ?? null, path, bytes: r?.bytes ?? null, sha256: r?.sha256 ?? null };
  });
}
