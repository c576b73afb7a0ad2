/**
 * What every route module of the user API shares: the runtime, the resolved options, and the two
 * owner-scoped look-ups (a task of the caller's; an attempt's work dir).
 */
import { attemptDir } from '../cli/attempt-files.js';
import type { Runtime } from '../runtime/runtime.js';
import type { TaskRow } from '../store/store.js';
import { notFound } from './errors.js';

/** Limits and settings of the API, resolved (see `ApiOptions` in `app.ts`). */
export interface ApiSettings {
  /** Longest submission body (JSON or YAML), bytes. */
  submitBodyLimit: number;
  /** Longest upload, bytes. */
  uploadBodyLimit: number;
  /** Folder the tasks submitted here keep their work dirs in (recorded on each task). */
  workRoot?: string;
  /** Milliseconds between two looks at a followed log. */
  followPollMs: number;
  /** Longest wait, after a submission, for its task to be recorded, ms. */
  recordWaitMs: number;
}

/** The routes' shared context. */
export interface ApiContext {
  runtime: Runtime;
  settings: ApiSettings;
  /**
   * The caller's task `id`.
   * @throws ApiError 404 `no task <id>` when there is none, or it is another owner's (the same answer).
   */
  taskOf(owner: string, id: string): Promise<TaskRow>;
  /** An attempt's work dir: under the task's recorded work folder, else where the executor puts it. */
  dirOf(task: TaskRow, tool: string, attempt: number): string;
}

/** Makes the context of an API over `runtime`. */
export function apiContext(runtime: Runtime, settings: ApiSettings): ApiContext {
  const { store, executor } = runtime.ports;
  return {
    runtime,
    settings,
    async taskOf(owner, id) {
      const task = await store.getTask(id);
      if (!task || task.owner !== owner) throw notFound(`no task ${id}`);
      return task;
    },
    dirOf: (task, tool, attempt) => (task.work_dir !== null ? attemptDir(task.work_dir, task.id, tool, attempt) : executor.workDirOf(task.id, tool, attempt)),
  };
}
