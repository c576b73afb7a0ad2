/**
 * The SQL store port: the `tasks` (main workflow table) and `tool_runs` (secondary table) of
 * docs/architecture.md ("Data"). Status moves are conditional on the state machine
 * (`scheduler/status.ts`), so they are idempotent: a duplicate or stale move changes nothing and
 * returns false.
 * Times are Unix epoch milliseconds; memory and disk are bytes; cpu is millicores.
 */
import type { AttemptStatus, TaskStatus } from '../scheduler/status.js';
import type { FailureReason } from '../spec/types.js';

/** A row of `tasks`. `spec`, `values` and `inputs` are JSON text. */
export interface TaskRow {
  id: string;
  owner: string;
  name: string;
  status: TaskStatus;
  spec: string;
  values_json: string;
  inputs_json: string;
  error: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
  /** Fencing token of the work manager that last claimed the task (0: none yet). */
  fence_token: number;
  /** Folder holding the task's work dirs (local executor), so a resume elsewhere finds them; null: unknown (older rows). */
  work_dir: string | null;
  /** When `toolflow cancel` asked for the task to stop (epoch ms); its driver polls for it. */
  cancel_requested_at: number | null;
}

/** A row of `tool_runs`: one attempt of one tool. */
export interface ToolRunRow {
  task_id: string;
  tool: string;
  attempt: number;
  status: AttemptStatus;
  cpu_millicores: number;
  mem_bytes: number;
  disk_bytes: number | null;
  /** The attempt's time limit, seconds (null: none). */
  time_seconds: number | null;
  job_name: string | null;
  exit_code: number | null;
  signal: string | null;
  reason: FailureReason | null;
  message: string | null;
  peak_mem_bytes: number | null;
  delivered_at: number | null;
  started_at: number | null;
  last_heartbeat_at: number | null;
  finished_at: number | null;
  /** What the outcome was read from, when the platform told it (`ExitDetails.evidence`). */
  evidence: string | null;
  /** The attempt's cache key (sha256 hex, `shared/cache/`), set when it was delivered. */
  cache_key?: string | null;
  /** JSON: the sha256 of each part of the cache key (`{command, env, values, image, inputs, items, deps}`), for `toolflow explain`. */
  cache_parts?: string | null;
  /** JSON `OutputRecord[]`: the outputs of a succeeded attempt with their sizes and checksums. */
  outputs_json?: string | null;
  /** `<task>/<tool>/<attempt>` of the attempt whose outputs this one reused (a cache hit); null: it ran. */
  cached_from?: string | null;
  /**
   * User + system cpu time the attempt used, ms (`ExitDetails.cpuTimeMs`); null: not measured.
   * Optional, and left out of `newToolRun`, so rows written for a database before migration 0008 still insert.
   */
  cpu_time_ms?: number | null;
}

/**
 * A new attempt row: `pending`, with the attempt's resources (cpu millicores, memory and disk bytes)
 * and nothing else known yet.
 */
export function newToolRun(taskId: string, tool: string, attempt: number, r: { cpuMillicores: number; memBytes: number; diskBytes: number | null; timeSeconds: number | null }): ToolRunRow {
  return {
    task_id: taskId,
    tool,
    attempt,
    status: 'pending',
    cpu_millicores: r.cpuMillicores,
    mem_bytes: r.memBytes,
    disk_bytes: r.diskBytes,
    time_seconds: r.timeSeconds,
    job_name: null,
    exit_code: null,
    signal: null,
    reason: null,
    message: null,
    peak_mem_bytes: null,
    delivered_at: null,
    started_at: null,
    last_heartbeat_at: null,
    evidence: null,
    finished_at: null,
    cache_key: null,
    cache_parts: null,
    outputs_json: null,
    cached_from: null,
  };
}

/** A row of `locks`: a lock held in the database (`coordination/store-coordination.ts`). */
export interface LockRow {
  name: string;
  /** Fencing token of the current (or last) holder; grows with every new holder. */
  token: number;
  /** Who holds it: a `ProcessIdentity` as JSON. */
  holder: string;
  /** Epoch ms after which the lock is free unless renewed; 0 once released. */
  expires_at: number;
}

/**
 * A row of `api_tokens`: a bearer token of the user API (`shared/api/`). Only the SHA-256 hex of the
 * token is kept (tokens are 32 random bytes, so a fast hash suffices: there is no dictionary to
 * guard against); the token itself is shown once, when created. Times are epoch ms.
 */
export interface ApiTokenRow {
  /** 16 lowercase hex characters; what `toolflow token list` shows and `revoke` takes. */
  id: string;
  /** The user whose tasks and uploads the token reads and writes. */
  owner: string;
  /** SHA-256 of the token, 64 lowercase hex characters. */
  token_hash: string;
  label: string | null;
  created_at: number;
  /** When it was revoked; null while it is valid. */
  revoked_at: number | null;
}

/**
 * A row of `input_checksums`: the SHA-256 of an embedded-mode input file, by the file's identity on
 * one machine (`runtime/input-checksums.ts`). The checksum holds while the file's inode, size,
 * modification and change times are those recorded. Device, inode and nanosecond times are decimal
 * text (64-bit values); times in ms are epoch milliseconds.
 */
export interface InputChecksumRow {
  /** The machine (`os.hostname()`): device and inode numbers mean nothing elsewhere. */
  host: string;
  /** `st_dev`, decimal. */
  dev: string;
  /** `st_ino`, decimal. */
  ino: string;
  /** Bytes. */
  size: number;
  /** `st_mtime` in ns since the epoch, decimal. */
  mtime_ns: string;
  /** `st_ctime` in ns since the epoch, decimal. */
  ctime_ns: string;
  /** SHA-256 of the bytes, lowercase hex. */
  sha256: string;
  /** Absolute path the file was last given as (for `toolflow gc`, which drops rows of files gone or changed). */
  path: string;
  /** When the bytes were last read to checksum them. */
  hashed_at: number;
  /** When the file was last given as an input. */
  seen_at: number;
}

/** The key of an `input_checksums` row. */
export type InputChecksumKey = Pick<InputChecksumRow, 'host' | 'dev' | 'ino'>;

/** Where a page of `listTasks` starts: the tasks after this one, newest first (older `created_at`, then smaller `id`). */
export interface TaskCursor {
  createdAt: number;
  id: string;
}

/** Which tasks `listTasks` returns. */
export interface TaskFilter {
  /** Only tasks whose status is one of these. */
  status?: readonly TaskStatus[];
  /** Only this owner's tasks. */
  owner?: string;
  /** Only tasks that come after this one in the newest-first order. */
  after?: TaskCursor;
}

/** Fields a move may set along with the status. */
export type ToolRunFields = Partial<Omit<ToolRunRow, 'task_id' | 'tool' | 'attempt' | 'status'>>;
/** Fields a task move may set. */
export type TaskFields = Partial<Pick<TaskRow, 'error' | 'started_at' | 'finished_at' | 'work_dir'>>;
/** Key of a tool run. */
export interface ToolRunKey {
  taskId: string;
  tool: string;
  attempt: number;
}

/** The store port. */
export interface Store {
  /** Creates or upgrades the schema (idempotent). */
  migrate(): Promise<void>;
  /**
   * Creates a task and its first attempts in one transaction.
   * @returns false when a task with this id exists already (nothing is changed).
   */
  createTask(task: Omit<TaskRow, 'updated_at' | 'fence_token' | 'cancel_requested_at' | 'work_dir'> & { work_dir?: string | null }, runs: ToolRunRow[]): Promise<boolean>;
  getTask(id: string): Promise<TaskRow | undefined>;
  /**
   * Tasks, newest first (by `created_at`, then `id`, both descending): at most `limit` (null: all of
   * them), only those whose status is one of `filter.status`, whose owner is `filter.owner`, and
   * that come after `filter.after`, when given (keyset pagination: a page is not shifted by tasks
   * created meanwhile).
   */
  listTasks(limit: number | null, filter?: TaskFilter): Promise<TaskRow[]>;
  /** How many tasks are in each status, every owner's (`toolflow_tasks`, shared/metrics/); a status no task has is absent. */
  countTasksByStatus(): Promise<Partial<Record<TaskStatus, number>>>;
  /** Moves a task's status if the state machine allows it from its current status. @returns true when moved. */
  moveTask(id: string, to: TaskStatus, fields?: TaskFields): Promise<boolean>;
  /** Inserts an attempt unless it exists. @returns true when inserted. */
  addToolRun(run: ToolRunRow): Promise<boolean>;
  /** Moves an attempt's status if allowed. @returns true when moved. */
  moveToolRun(key: ToolRunKey, to: AttemptStatus, fields?: ToolRunFields): Promise<boolean>;
  /** Sets fields without a status move (heartbeats, the final message). */
  updateToolRun(key: ToolRunKey, fields: ToolRunFields): Promise<void>;
  /** One attempt, or undefined. */
  getToolRun(key: ToolRunKey): Promise<ToolRunRow | undefined>;
  /** Every attempt of a task, by tool then attempt. */
  listToolRuns(taskId: string): Promise<ToolRunRow[]>;
  /**
   * The newest succeeded attempt with this cache key and recorded outputs (`outputs_json` not null),
   * in any task (issue 10: cached reruns); undefined when there is none.
   */
  findCachedRun(cacheKey: string): Promise<ToolRunRow | undefined>;
  /**
   * The newest attempt with cache parts (`cache_parts` not null) of tool `tool` in a task named
   * `workflowName` created before `beforeCreatedAt` (epoch ms), other than task `exceptTaskId`: what
   * `toolflow explain` compares a rerun with. Undefined when there is none.
   */
  findPreviousRun(workflowName: string, tool: string, beforeCreatedAt: number, exceptTaskId: string): Promise<ToolRunRow | undefined>;
  /**
   * Records that the holder of fencing token `token` (a work manager's lock lease) now drives the
   * task, unless a holder with a larger token already claimed it.
   * @returns false when a newer holder has the task (or there is no such task).
   */
  claimTask(id: string, token: number): Promise<boolean>;
  /**
   * A view of this store whose writes to a task and its attempts happen only while no holder with a
   * token larger than `token` has claimed the task; a refused write changes nothing and returns
   * false (or, for `updateToolRun`, nothing). Reads are unchanged.
   */
  fenced(token: number): Store;
  /**
   * Sets fields of a task without a status move (its recorded work dir, a stall message).
   * Not fenced.
   */
  updateTask(id: string, fields: TaskFields): Promise<void>;
  /**
   * Records that someone asked for the task to be cancelled (`toolflow cancel`), unless it has
   * finished. Its driver polls for it. @returns false when the task has finished or does not exist.
   */
  requestCancel(id: string, at: number): Promise<boolean>;
  /**
   * Takes the lock `name` for `ttlMs` when it is free: never taken, released, expired, or held by
   * a holder for which `isGone(holder)` is true (a process known to be dead).
   * @returns the new fencing token, larger than every earlier one of this lock and at least
   *   `Date.now() * 1000`; null when someone else holds the lock.
   */
  acquireLock(name: string, holder: string, ttlMs: number, isGone: (holder: string) => boolean): Promise<number | null>;
  /** Extends a held lock to `ttlMs` from now. @returns false when `token` no longer holds it. */
  renewLock(name: string, token: number, ttlMs: number): Promise<boolean>;
  /** Frees the lock if `token` still holds it (the row is kept, so later tokens keep growing). */
  releaseLock(name: string, token: number): Promise<void>;
  /** The lock's row, held or not. */
  getLock(name: string): Promise<LockRow | undefined>;
  /** Stores a new API token. @returns false when its id or hash exists already (nothing is changed). */
  createToken(row: ApiTokenRow): Promise<boolean>;
  /** The token whose SHA-256 hex is `hash`, revoked or not; undefined when there is none. */
  findToken(hash: string): Promise<ApiTokenRow | undefined>;
  /** Tokens, newest first: every owner's, or only `owner`'s. */
  listTokens(owner?: string): Promise<ApiTokenRow[]>;
  /**
   * Revokes a token at `at` (epoch ms), unless it is revoked already (the first revocation's time is kept).
   * @returns its row after the call; undefined when there is no such token.
   */
  revokeToken(id: string, at: number): Promise<ApiTokenRow | undefined>;
  /** The checksum row of a file (`input_checksums`), or undefined. */
  getInputChecksum(key: InputChecksumKey): Promise<InputChecksumRow | undefined>;
  /** Records a file's checksum row, replacing the one of the same key (host, device, inode). */
  putInputChecksum(row: InputChecksumRow): Promise<void>;
  /** Every checksum row of machine `host`. */
  listInputChecksums(host: string): Promise<InputChecksumRow[]>;
  /** Removes a checksum row (none there: nothing happens). */
  deleteInputChecksum(key: InputChecksumKey): Promise<void>;
  close(): Promise<void>;
}
