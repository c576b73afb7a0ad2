/**
 * The store port over Kysely: one set of queries for SQLite (better-sqlite3) and MySQL.
 */
import { Kysely, Migrator, sql, type Dialect, type ExpressionBuilder, type MigrationProvider } from './kysely.js';
import pRetry from 'p-retry';
import { ServiceUnavailableError } from '../errors.js';
import { attemptStatusesBefore, taskStatusesBefore, type AttemptStatus, type TaskStatus } from '../scheduler/status.js';
import { migrations } from './migrations.js';
import type { ApiTokenRow, InputChecksumKey, InputChecksumRow, LockRow, Store, TaskFields, TaskFilter, TaskRow, ToolRunFields, ToolRunKey, ToolRunRow } from './store.js';
import * as checksums from './input-checksum-queries.js';

interface Tables extends checksums.InputChecksumTables {
  tasks: TaskRow;
  tool_runs: ToolRunRow;
  locks: LockRow;
  api_tokens: ApiTokenRow;
}

/** Rows per INSERT when many tool runs are created at once (SQLite allows 32,766 bound values). */
const INSERT_CHUNK = 500;

/** How a database's errors are told apart. */
export interface ErrorRules {
  /** The insert hit an existing primary or unique key. */
  isDuplicateKey(err: unknown): boolean;
  /**
   * The statement may succeed if run again on a fresh connection: a lost or killed connection, a
   * deadlock, a lock wait timeout, a pool acquire timeout.
   */
  isTransient(err: unknown): boolean;
  /**
   * An error for people in place of `err`, for failures the user must act on (a full disk, a
   * corrupt file), or undefined to keep `err`.
   */
  explain?(err: unknown): Error | undefined;
}

/** Tries of a statement that fails transiently, and the backoff between them (ms): about 3 s in all. */
const RETRY = { retries: 6, minTimeout: 50, maxTimeout: 2000, factor: 2 };

/**
 * The store over any Kysely dialect. Every method is safe to run again (conditional moves, inserts
 * that treat an existing key as done), so a transient failure is retried; a retry whose first try
 * had in fact committed finds the row already moved and returns false, which callers treat as a
 * redelivery (see `handlers/handle-status.ts`).
 */
export class KyselyStore implements Store {
  private readonly db: Kysely<Tables>;

  /**
   * @param fence set on the views `fenced()` returns: writes then require the task's `fence_token`
   *   to be at most this.
   */
  constructor(
    dialect: Dialect | Kysely<Tables>,
    private readonly rules: ErrorRules,
    private readonly fence?: number,
  ) {
    this.db = dialect instanceof Kysely ? dialect : new Kysely<Tables>({ dialect });
  }

  fenced(token: number): KyselyStore {
    return new KyselyStore(this.db, this.rules, token);
  }

  async claimTask(id: string, token: number): Promise<boolean> {
    return this.retrying(async () => {
      const r = await this.db.updateTable('tasks').set({ fence_token: token }).where('id', '=', id).where('fence_token', '<=', token).executeTakeFirst();
      if (Number(r.numUpdatedRows) > 0) return true;
      // MySQL counts only changed rows when the token is already this one.
      return (await this.db.selectFrom('tasks').select('fence_token').where('id', '=', id).executeTakeFirst())?.fence_token === token;
    });
  }

  /** The condition "no newer holder has claimed the task", on `tool_runs` updates of a fenced view. */
  private unfenced(taskId: string) {
    const fence = this.fence;
    return (eb: ExpressionBuilder<Tables, 'tool_runs'>) =>
      fence === undefined ? eb.lit(true) : eb.exists(eb.selectFrom('tasks').select('tasks.id').where('tasks.id', '=', taskId).where('tasks.fence_token', '<=', fence));
  }

  private isDuplicateKey(err: unknown): boolean {
    return this.rules.isDuplicateKey(err);
  }

  /**
   * Runs `fn`, again on a transient failure (`RETRY`).
   * @throws ServiceUnavailableError when it still fails transiently after the last try (the bus
   *   then retries the whole event in place rather than spending its delivery limit).
   */
  private async retrying<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await pRetry(fn, { ...RETRY, shouldRetry: (err) => this.rules.isTransient(err) });
    } catch (err) {
      if (this.rules.isTransient(err)) throw new ServiceUnavailableError(this.rules.explain?.(err)?.message ?? `the database is unavailable: ${(err as Error).message}`, { cause: err });
      throw this.rules.explain?.(err) ?? err;
    }
  }

  /**
   * Migrates to the latest version; a connection lost on the way is retried (a migration is
   * recorded once it has run). A database that has exactly the migrations this version knows is
   * left alone after one query (Kysely's migrator takes its lock first: ~20 ms more on MySQL for
   * every process start, start-up cost, issue 8 §6).
   */
  async migrate(): Promise<void> {
    if (await this.upToDate()) return;
    const provider: MigrationProvider = { getMigrations: async () => migrations };
    await this.retrying(async () => {
      const { error } = await new Migrator({ db: this.db, provider }).migrateToLatest();
      if (error) throw error;
    });
  }

  /**
   * Whether Kysely's migration table (`kysely_migration`) records exactly this version's
   * migrations. False when it records fewer, others (a newer toolflow's: the migrator then says so),
   * or does not exist yet, or the query fails for any reason (the migrator then runs and reports).
   */
  private async upToDate(): Promise<boolean> {
    try {
      const rows = await sql<{ name: string }>`select name from kysely_migration`.execute(this.db);
      const recorded = new Set(rows.rows.map((r) => r.name));
      const known = Object.keys(migrations);
      return recorded.size === known.length && known.every((name) => recorded.has(name));
    } catch {
      return false;
    }
  }

  async createTask(task: Omit<TaskRow, 'updated_at' | 'fence_token' | 'cancel_requested_at' | 'work_dir'> & { work_dir?: string | null }, runs: ToolRunRow[]): Promise<boolean> {
    return this.retrying(async () => {
      try {
        return await this.db.transaction().execute(async (trx) => {
          const existing = await trx.selectFrom('tasks').select('id').where('id', '=', task.id).executeTakeFirst();
          if (existing) return false;
          await trx.insertInto('tasks').values({ ...task, work_dir: task.work_dir ?? null, updated_at: task.created_at, fence_token: 0, cancel_requested_at: null }).execute();
          for (let i = 0; i < runs.length; i += INSERT_CHUNK) await trx.insertInto('tool_runs').values(runs.slice(i, i + INSERT_CHUNK)).execute();
          return true;
        });
      } catch (err) {
        if (this.isDuplicateKey(err)) return false;
        throw err;
      }
    });
  }

  async getTask(id: string): Promise<TaskRow | undefined> {
    return this.retrying(() => this.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst());
  }

  async listTasks(limit: number | null, filter: TaskFilter = {}): Promise<TaskRow[]> {
    if (filter.status?.length === 0 || limit === 0) return [];
    return this.retrying(() => {
      let q = this.db.selectFrom('tasks').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc');
      if (filter.status) q = q.where('status', 'in', [...filter.status]);
      if (filter.owner !== undefined) q = q.where('owner', '=', filter.owner);
      const after = filter.after;
      if (after) q = q.where((eb) => eb.or([eb('created_at', '<', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)])]));
      return (limit === null ? q : q.limit(limit)).execute();
    });
  }

  async countTasksByStatus(): Promise<Partial<Record<TaskStatus, number>>> {
    const rows = await this.retrying(() => this.db.selectFrom('tasks').select((eb) => ['status', eb.fn.countAll().as('n')]).groupBy('status').execute());
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  async moveTask(id: string, to: TaskStatus, fields: TaskFields = {}): Promise<boolean> {
    return this.retrying(async () => {
      const r = await this.db
        .updateTable('tasks')
        .set({ ...fields, status: to, updated_at: Date.now() })
        .where('id', '=', id)
        .where('status', 'in', taskStatusesBefore(to))
        .$if(this.fence !== undefined, (q) => q.where('fence_token', '<=', this.fence!))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    });
  }

  async addToolRun(run: ToolRunRow): Promise<boolean> {
    return this.retrying(async () => {
      try {
        if (this.fence === undefined) {
          await this.db.insertInto('tool_runs').values(run).execute();
          return true;
        }
        // INSERT … SELECT from the task row, so the fence and the insert are one statement.
        const columns = Object.keys(run) as (keyof ToolRunRow)[];
        const r = await this.db
          .insertInto('tool_runs')
          .columns(columns)
          .expression((eb) =>
            eb
              .selectFrom('tasks')
              .select(columns.map((c) => eb.val(run[c]).as(c)))
              .where('tasks.id', '=', run.task_id)
              .where('tasks.fence_token', '<=', this.fence!),
          )
          .executeTakeFirst();
        return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
      } catch (err) {
        if (this.isDuplicateKey(err)) return false;
        throw err;
      }
    });
  }

  async moveToolRun(key: ToolRunKey, to: AttemptStatus, fields: ToolRunFields = {}): Promise<boolean> {
    return this.retrying(async () => {
      const r = await this.db
        .updateTable('tool_runs')
        .set({ ...fields, status: to })
        .where('task_id', '=', key.taskId)
        .where('tool', '=', key.tool)
        .where('attempt', '=', key.attempt)
        .where('status', 'in', attemptStatusesBefore(to))
        .where(this.unfenced(key.taskId))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    });
  }

  async updateToolRun(key: ToolRunKey, fields: ToolRunFields): Promise<void> {
    return this.retrying(async () => {
      await this.db
        .updateTable('tool_runs')
        .set(fields)
        .where('task_id', '=', key.taskId)
        .where('tool', '=', key.tool)
        .where('attempt', '=', key.attempt)
        .where(this.unfenced(key.taskId))
        .execute();
    });
  }

  async getToolRun(key: ToolRunKey): Promise<ToolRunRow | undefined> {
    return this.retrying(() => this.db.selectFrom('tool_runs').selectAll().where('task_id', '=', key.taskId).where('tool', '=', key.tool).where('attempt', '=', key.attempt).executeTakeFirst());
  }

  async listToolRuns(taskId: string): Promise<ToolRunRow[]> {
    return this.retrying(() => this.db.selectFrom('tool_runs').selectAll().where('task_id', '=', taskId).orderBy('tool').orderBy('attempt').execute());
  }

  async findCachedRun(cacheKey: string): Promise<ToolRunRow | undefined> {
    return this.retrying(() =>
      this.db
        .selectFrom('tool_runs')
        .selectAll()
        .where('cache_key', '=', cacheKey)
        .where('status', '=', 'succeeded')
        .where('outputs_json', 'is not', null)
        .orderBy('finished_at', 'desc')
        // A literal: SQLite runs `limit ?` bound to a JS number several times slower (measured:
        // ~4x on this lookup, which schedule-tool makes for every attempt).
        .limit(sql.lit(1))
        .executeTakeFirst(),
    );
  }

  async findPreviousRun(workflowName: string, tool: string, beforeCreatedAt: number, exceptTaskId: string): Promise<ToolRunRow | undefined> {
    return this.retrying(() =>
      this.db
        .selectFrom('tool_runs')
        .innerJoin('tasks', 'tasks.id', 'tool_runs.task_id')
        .selectAll('tool_runs')
        .where('tasks.name', '=', workflowName)
        .where('tool_runs.tool', '=', tool)
        .where('tasks.created_at', '<=', beforeCreatedAt)
        .where('tasks.id', '!=', exceptTaskId)
        .where('tool_runs.cache_parts', 'is not', null)
        .orderBy('tasks.created_at', 'desc')
        .orderBy('tool_runs.attempt', 'desc')
        .limit(sql.lit(1))
        .executeTakeFirst(),
    );
  }

  async updateTask(id: string, fields: TaskFields): Promise<void> {
    await this.retrying(() => this.db.updateTable('tasks').set({ ...fields, updated_at: Date.now() }).where('id', '=', id).execute());
  }

  async requestCancel(id: string, at: number): Promise<boolean> {
    return this.retrying(async () => {
      const r = await this.db
        .updateTable('tasks')
        .set({ cancel_requested_at: at })
        .where('id', '=', id)
        .where('status', 'in', ['queued', 'processing'])
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) > 0) return true;
      const task = await this.db.selectFrom('tasks').select(['status', 'cancel_requested_at']).where('id', '=', id).executeTakeFirst();
      return task !== undefined && (task.status === 'queued' || task.status === 'processing'); // MySQL: unchanged row
    });
  }

  async acquireLock(name: string, holder: string, ttlMs: number, isGone: (holder: string) => boolean): Promise<number | null> {
    return this.retrying(async () => {
      const now = Date.now();
      const row = await this.db.selectFrom('locks').selectAll().where('name', '=', name).executeTakeFirst();
      if (!row) {
        const token = now * 1000;
        try {
          await this.db.insertInto('locks').values({ name, token, holder, expires_at: now + ttlMs }).execute();
          return token;
        } catch (err) {
          if (this.isDuplicateKey(err)) return null; // another process inserted it first
          throw err;
        }
      }
      const prev = Number(row.token);
      if (Number(row.expires_at) > now && !isGone(row.holder)) return null;
      const token = Math.max(prev + 1, now * 1000);
      // Compare-and-set on the token: of two processes taking a free lock at once, one wins.
      const r = await this.db.updateTable('locks').set({ token, holder, expires_at: now + ttlMs }).where('name', '=', name).where('token', '=', prev).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0 ? token : null;
    });
  }

  async renewLock(name: string, token: number, ttlMs: number): Promise<boolean> {
    return this.retrying(async () => {
      const r = await this.db.updateTable('locks').set({ expires_at: Date.now() + ttlMs }).where('name', '=', name).where('token', '=', token).executeTakeFirst();
      if (Number(r.numUpdatedRows) > 0) return true;
      // MySQL counts only changed rows: a renewal within the same millisecond changes nothing.
      return Number((await this.db.selectFrom('locks').select('token').where('name', '=', name).executeTakeFirst())?.token) === token;
    });
  }

  async releaseLock(name: string, token: number): Promise<void> {
    await this.retrying(() => this.db.updateTable('locks').set({ expires_at: 0 }).where('name', '=', name).where('token', '=', token).execute());
  }

  async getLock(name: string): Promise<LockRow | undefined> {
    const row = await this.retrying(() => this.db.selectFrom('locks').selectAll().where('name', '=', name).executeTakeFirst());
    return row && { ...row, token: Number(row.token), expires_at: Number(row.expires_at) };
  }

  async createToken(row: ApiTokenRow): Promise<boolean> {
    return this.retrying(async () => {
      try {
        await this.db.insertInto('api_tokens').values(row).execute();
        return true;
      } catch (err) {
        if (this.isDuplicateKey(err)) return false;
        throw err;
      }
    });
  }

  async findToken(hash: string): Promise<ApiTokenRow | undefined> {
    const row = await this.retrying(() => this.db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst());
    return row && tokenRow(row);
  }

  async listTokens(owner?: string): Promise<ApiTokenRow[]> {
    const rows = await this.retrying(() =>
      this.db
        .selectFrom('api_tokens')
        .selectAll()
        .$if(owner !== undefined, (q) => q.where('owner', '=', owner!))
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute(),
    );
    return rows.map(tokenRow);
  }

  async revokeToken(id: string, at: number): Promise<ApiTokenRow | undefined> {
    return this.retrying(async () => {
      await this.db.updateTable('api_tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
      const row = await this.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row && tokenRow(row);
    });
  }

  /** The same connection, typed with the checksum table only (`input-checksum-queries.ts`). */
  private get checksumDb(): Kysely<checksums.InputChecksumTables> {
    return this.db as unknown as Kysely<checksums.InputChecksumTables>;
  }

  async getInputChecksum(key: InputChecksumKey): Promise<InputChecksumRow | undefined> {
    return this.retrying(() => checksums.getInputChecksum(this.checksumDb, key));
  }

  async putInputChecksum(row: InputChecksumRow): Promise<void> {
    await this.retrying(() => checksums.putInputChecksum(this.checksumDb, row, (err) => this.isDuplicateKey(err)));
  }

  async listInputChecksums(host: string): Promise<InputChecksumRow[]> {
    return this.retrying(() => checksums.listInputChecksums(this.checksumDb, host));
  }

  async deleteInputChecksum(key: InputChecksumKey): Promise<void> {
    await this.retrying(() => checksums.deleteInputChecksum(this.checksumDb, key));
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/** A token row with its times as numbers (MySQL returns bigint columns as strings). */
function tokenRow(row: ApiTokenRow): ApiTokenRow {
  return { ...row, created_at: Number(row.created_at), revoked_at: row.revoked_at === null ? null : Number(row.revoked_at) };
}
