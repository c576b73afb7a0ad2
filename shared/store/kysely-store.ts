/**
 * The store port over Kysely: one set of queries for SQLite (better-sqlite3) and MySQL.
 */
import { Kysely, Migrator, SqliteDialect, type Dialect, type ExpressionBuilder, type MigrationProvider } from 'kysely';
import pRetry from 'p-retry';
import Database from 'better-sqlite3';
import { ensureDir } from '../ensure-dir.js';
import { ConfigError, ServiceUnavailableError } from '../errors.js';
import { dirname } from 'node:path';
import { attemptStatusesBefore, taskStatusesBefore, type AttemptStatus, type TaskStatus } from '../scheduler/status.js';
import { migrations } from './migrations.js';
import type { Store, TaskFields, TaskRow, ToolRunFields, ToolRunKey, ToolRunRow } from './store.js';

interface Tables {
  tasks: TaskRow;
  tool_runs: ToolRunRow;
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
      if (this.rules.isTransient(err)) throw new ServiceUnavailableError(`the database is unavailable: ${(err as Error).message}`, { cause: err });
      throw err;
    }
  }

  /** Migrates to the latest version; a connection lost on the way is retried (a migration is recorded once it has run). */
  async migrate(): Promise<void> {
    const provider: MigrationProvider = { getMigrations: async () => migrations };
    await this.retrying(async () => {
      const { error } = await new Migrator({ db: this.db, provider }).migrateToLatest();
      if (error) throw error;
    });
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

  async listTasks(limit: number): Promise<TaskRow[]> {
    return this.retrying(() => this.db.selectFrom('tasks').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute());
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

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/**
 * Opens the SQLite store (better-sqlite3) at `path` (`:memory:` for a throwaway one), creating its
 * folder. WAL journal with `synchronous=NORMAL`: durable across process crashes, and a commit costs
 * no fsync (https://www.sqlite.org/wal.html).
 */
export function openSqliteStore(path: string): KyselyStore {
  if (path !== ':memory:') ensureDir(dirname(path));
  let database: Database.Database;
  try {
    database = new Database(path);
  } catch (err) {
    throw new ConfigError(`cannot open the SQLite database ${path} (TOOLFLOW_DATABASE_URL or TOOLFLOW_HOME): ${(err as Error).message}`);
  }
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  // Kysely prepares every query anew; reusing prepared statements by SQL text halves the cost of a write.
  const statements = new Map<string, Database.Statement>();
  const cached = {
    close: () => database.close(),
    prepare(sql: string) {
      let st = statements.get(sql);
      if (!st) {
        st = database.prepare(sql);
        if (statements.size < 500) statements.set(sql, st);
      }
      return st;
    },
  };
  return new KyselyStore(new SqliteDialect({ database: cached }), {
    isDuplicateKey: (err) => /^SQLITE_CONSTRAINT_(PRIMARYKEY|UNIQUE)$/.test((err as { code?: string })?.code ?? ''),
    // Another process holding the write lock past busy_timeout.
    isTransient: (err) => /^SQLITE_BUSY/.test((err as { code?: string })?.code ?? ''),
  });
}
