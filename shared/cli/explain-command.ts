/**
 * `toolflow explain TASK TOOL [--json]`: says why a tool's latest attempt ran or was reused from the
 * cache (issue 10, cached reruns): a cache hit (from which task), `--no-cache`, no earlier run of the
 * workflow had the tool, or which parts of its cache key changed since the previous run
 * (`cache/explain.ts`). Reads the store only.
 */
import { explainAttempt, type Explanation } from '../cache/explain.js';
import { loadConfig } from '../runtime/config.js';
import { openStore } from '../store/open-store.js';

/** Options of `toolflow explain`. */
export interface ExplainOptions {
  json?: boolean;
}

/**
 * The text `explain` prints: a first line naming the attempt and what happened, then one line per
 * change:
 * ```
 * call (task 1a2b…, attempt 1): it ran because, since the previous run (0f9e…/call/1):
 *   - option min_quality changed: 20 → 30
 * ```
 */
export function explanationText(e: Explanation): string {
  const head = `${e.tool} (task ${e.taskId}${e.attempt === null ? '' : `, attempt ${e.attempt}`})`;
  if (e.outcome === 'changed') return [`${head}: it ran because, since the previous run (${e.previous}):`, ...e.changes.map((c) => `  - ${c}`)].join('\n');
  return `${head}: ${e.message}`;
}

/**
 * Runs `explain`: writes the explanation to stdout (one JSON object with `json`: `Explanation`).
 * @throws NotFoundError for an unknown task or a tool it does not have.
 */
export async function explainCommand(taskId: string, tool: string, opts: ExplainOptions): Promise<void> {
  const config = loadConfig(process.env);
  const store = await openStore(config.databasePath);
  try {
    const e = await explainAttempt(store, taskId, tool);
    process.stdout.write((opts.json ? JSON.stringify(e) : explanationText(e)) + '\n');
  } finally {
    await store.close();
  }
}
