/**
 * The SQLite store (embedded mode): the Kysely repositories of `kysely-store.ts` over better-sqlite3,
 * with SQLite's own error rules and messages a user can act on. The statements every attempt makes
 * (`moveToolRun`, `updateToolRun`, `getToolRun`, `getTask`, `findCachedRun`) skip Kysely's query
 * building: each is a prepared statement run directly, the SQL Kysely would make (issue 10 §6:
 * Kysely's building, compiling and retry wrapper took ~0.27 ms of CPU per statement here, the
 * prepared statement ~0.02 ms). Every other method is Kysely's.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { statfsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { ensureDir } from '../ensure-dir.js';
import { ConfigError } from '../errors.js';
import { attemptStatusesBefore, type AttemptStatus } from '../scheduler/status.js';
import { formatBytes } from '../spec/resources.js';
import { KyselyStore, type ErrorRules } from './kysely-store.js';
import { Kysely, SqliteDialect, type Dialect } from './kysely.js';
import type { TaskRow, ToolRunFields, ToolRunKey, ToolRunRow } from './store.js';

/** better-sqlite3 (a native addon), loaded with the first SQLite store: a process on MySQL never loads it (start-up cost, issue 8 §6). */
let betterSqlite3: typeof BetterSqlite3 | undefined;

/** How long one SQLite statement waits for another process's write lock, ms. */
const SQLITE_BUSY_TIMEOUT_MS = 1000;

/**
 * A message a user can act on for SQLite failures that no retry cures (result codes:
 * https://www.sqlite.org/rescode.html): a full disk, a file that is not a database or is corrupt, a
 * read-only file, an I/O error. @returns a ConfigError naming the file, or undefined for other errors.
 */
export function explainSqlite(path: string, err: unknown): Error | undefined {
  const code = (err as { code?: string })?.code ?? '';
  const detail = `${code}: ${(err as Error)?.message}`;
  if (code === 'SQLITE_FULL') {
    let free = '';
    try {
      const s = statfsSync(dirname(path));
      free = ` (${formatBytes(s.bavail * s.bsize)} free of ${formatBytes(s.blocks * s.bsize)})`;
    } catch {
      /* the folder is gone too */
    }
    return new ConfigError(`the disk holding the SQLite database ${path} is full${free} (${detail}): free space there, or set TOOLFLOW_HOME to a folder on another disk`);
  }
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new ConfigError(`${path} is not a SQLite database or is corrupt (${detail}): move it away (toolflow then starts a new, empty one, and its tasks' history is lost) or restore it from a backup`);
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM') {
    return new ConfigError(`the SQLite database ${path} cannot be written (${detail}): check the file's and its folder's permissions, or set TOOLFLOW_HOME elsewhere`);
  }
  if (code.startsWith('SQLITE_BUSY')) return new ConfigError(`the SQLite database ${path} is locked by another process (a long write, or an open sqlite3 shell): waiting for it`);
  if (code.startsWith('SQLITE_IOERR')) return new ConfigError(`reading or writing the SQLite database ${path} failed (${detail}): check its disk`);
  return undefined;
}

/**
 * Opens the SQLite store (better-sqlite3) at `path` (`:memory:` for a throwaway one), creating its
 * folder. WAL journal with `synchronous=NORMAL`: durable across process crashes, and a commit costs
 * no fsync (https://www.sqlite.org/wal.html).
 */
export function openSqliteStore(path: string): KyselyStore {
  if (path !== ':memory:') ensureDir(dirname(path));
  const Database = (betterSqlite3 ??= createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3);
  let database: BetterSqlite3.Database;
  try {
    database = new Database(path);
  } catch (err) {
    throw new ConfigError(`cannot open the SQLite database ${path} (TOOLFLOW_DATABASE_URL or TOOLFLOW_HOME): ${(err as Error).message}`);
  }
  try {
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    // Short, so the event loop (and Ctrl-C) is never blocked long: a longer wait for another
    // process's write lock is the store's retries, then the bus's in-place retries, bounded.
    database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  } catch (err) {
    database.close();
    throw explainSqlite(path, err) ?? new ConfigError(`cannot open the SQLite database ${path}: ${(err as Error).message}`);
  }
  // Kysely prepares every query anew; reusing prepared statements by SQL text halves the cost of a write.
  const statements = new Map<string, BetterSqlite3.Statement>();
  const prepare = (sql: string): BetterSqlite3.Statement => {
    let st = statements.get(sql);
    if (!st) {
      st = database.prepare(sql);
      if (statements.size < 500) statements.set(sql, st);
    }
    return st;
  };
  const rules: ErrorRules = {
    isDuplicateKey: (err) => /^SQLITE_CONSTRAINT_(PRIMARYKEY|UNIQUE)$/.test((err as { code?: string })?.code ?? ''),
    // Another process holding the write lock past busy_timeout.
    isTransient: (err) => /^SQLITE_BUSY/.test((err as { code?: string })?.code ?? ''),
    explain: (err) => explainSqlite(path, err),
  };
  // One Kysely for the store and its fenced views: they share its connection and so its mutex.
  const kysely: Db = new Kysely({ dialect: new SqliteDialect({ database: { close: () => database.close(), prepare } }) });
  return new SqliteStore(kysely, rules, undefined, { database, prepare });
}

/** The Kysely instance a `KyselyStore` runs on. */
type Db = Exclude<ConstructorParameters<typeof KyselyStore>[0], Dialect>;

/** What the direct statements need: the connection (to see an open transaction) and the statement cache. */
interface Direct {
  database: BetterSqlite3.Database;
  prepare(sql: string): BetterSqlite3.Statement;
}

/** Column names a direct statement may set: the `tool_runs` columns (anything else goes through Kysely). */
const COLUMN = /^[a-z][a-z_]*$/;

/**
 * The Kysely store with direct statements for the per-attempt writes and reads. A direct statement
 * runs only when no transaction is open on the connection (a Kysely transaction holds it across
 * awaits: `createTask`, migrations); otherwise, and for a statement that fails transiently
 * (SQLITE_BUSY past busy_timeout), the call goes to Kysely's own method, which waits for the
 * connection and retries. Other errors are explained as Kysely's are (`explainSqlite`).
 */
class SqliteStore extends KyselyStore {
  constructor(
    private readonly kysely: Db,
    private readonly errorRules: ErrorRules,
    private readonly fenceToken: number | undefined,
    private readonly direct: Direct,
  ) {
    super(kysely, errorRules, fenceToken);
  }

  override fenced(token: number): SqliteStore {
    return new SqliteStore(this.kysely, this.errorRules, token, this.direct);
  }

  override async moveToolRun(key: ToolRunKey, to: AttemptStatus, fields: ToolRunFields = {}): Promise<boolean> {
    const set = settable(fields);
    if (!set || this.direct.database.inTransaction) return super.moveToolRun(key, to, fields);
    const before = attemptStatusesBefore(to);
    const sql = `update "tool_runs" set ${set.map((c) => `"${c}" = ?, `).join('')}"status" = ? where "task_id" = ? and "tool" = ? and "attempt" = ? and "status" in (${before.map(() => '?').join(', ')})${this.fenceSql()}`;
    const params = [...set.map((c) => fields[c as keyof ToolRunFields]), to, key.taskId, key.tool, key.attempt, ...before, ...this.fenceParams(key.taskId)];
    const changes = this.run(sql, params, 'run');
    return changes === undefined ? super.moveToolRun(key, to, fields) : Number((changes as BetterSqlite3.RunResult).changes) > 0;
  }

  override async updateToolRun(key: ToolRunKey, fields: ToolRunFields): Promise<void> {
    const set = settable(fields);
    if (!set || set.length === 0 || this.direct.database.inTransaction) return super.updateToolRun(key, fields);
    const sql = `update "tool_runs" set ${set.map((c) => `"${c}" = ?`).join(', ')} where "task_id" = ? and "tool" = ? and "attempt" = ?${this.fenceSql()}`;
    const params = [...set.map((c) => fields[c as keyof ToolRunFields]), key.taskId, key.tool, key.attempt, ...this.fenceParams(key.taskId)];
    if (this.run(sql, params, 'run') === undefined) return super.updateToolRun(key, fields);
  }

  override async getToolRun(key: ToolRunKey): Promise<ToolRunRow | undefined> {
    if (this.direct.database.inTransaction) return super.getToolRun(key);
    const sql = 'select * from "tool_runs" where "task_id" = ? and "tool" = ? and "attempt" = ?';
    const row = this.run(sql, [key.taskId, key.tool, key.attempt], 'get');
    return row === undefined ? super.getToolRun(key) : (row as { row: ToolRunRow | undefined }).row;
  }

  override async getTask(id: string): Promise<TaskRow | undefined> {
    if (this.direct.database.inTransaction) return super.getTask(id);
    const row = this.run('select * from "tasks" where "id" = ?', [id], 'get');
    return row === undefined ? super.getTask(id) : ((row as { row: unknown }).row as TaskRow | undefined);
  }

  override async findCachedRun(cacheKey: string): Promise<ToolRunRow | undefined> {
    if (this.direct.database.inTransaction) return super.findCachedRun(cacheKey);
    const sql = 'select * from "tool_runs" where "cache_key" = ? and "status" = ? and "outputs_json" is not null order by "finished_at" desc limit 1';
    const row = this.run(sql, [cacheKey, 'succeeded'], 'get');
    return row === undefined ? super.findCachedRun(cacheKey) : (row as { row: ToolRunRow | undefined }).row;
  }

  /** The fence condition of a fenced view (as `KyselyStore`'s `unfenced`), or nothing. */
  private fenceSql(): string {
    return this.fenceToken === undefined ? '' : ' and exists (select "tasks"."id" from "tasks" where "tasks"."id" = ? and "tasks"."fence_token" <= ?)';
  }

  private fenceParams(taskId: string): unknown[] {
    return this.fenceToken === undefined ? [] : [taskId, this.fenceToken];
  }

  /**
   * Runs one statement. @returns its result (`{ row }` for `get`), or undefined when it failed
   * transiently (the caller then goes through Kysely, which retries).
   * @throws the explained error (`explainSqlite`) for any other failure.
   */
  private run(sql: string, params: unknown[], how: 'run' | 'get'): BetterSqlite3.RunResult | { row: ToolRunRow | undefined } | undefined {
    try {
      const st = this.direct.prepare(sql);
      return how === 'run' ? st.run(...params) : { row: st.get(...params) as ToolRunRow | undefined };
    } catch (err) {
      if (this.errorRules.isTransient(err)) return undefined;
      throw this.errorRules.explain?.(err) ?? err;
    }
  }
}

/**
 * The columns of `fields` to set, in order, those whose value is undefined left out (as Kysely
 * does); null when a name is not a plain column name (Kysely then builds the statement).
 */
function settable(fields: ToolRunFields): string[] | null {
  const cols: string[] = [];
  for (const [c, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    if (!COLUMN.test(c) || c === 'status') return null;
    cols.push(c);
  }
  return cols;
}
