/**
 * The migration history of the SQL store, one list for every dialect (Kysely's schema builder keeps
 * the SQL dialect-neutral: only portable types are used, and JSON is kept as text).
 *
 * Every migration is safe to run again over a partial run of itself: MySQL/MariaDB commit each DDL
 * statement on its own ("Statements That Cause an Implicit Commit" in the MySQL reference), so a
 * connection killed in the middle of a migration leaves the statements before it applied and the
 * migration unrecorded, and the retry runs it again from the top. Tables are created `IF NOT
 * EXISTS`; indexes and added columns are checked first (MySQL has no `ADD COLUMN IF NOT EXISTS`
 * and no `CREATE INDEX IF NOT EXISTS`; MariaDB and SQLite have some of them).
 */
import { MysqlAdapter, sql, type ColumnDataType, type ColumnDefinitionBuilder, type Expression, type Kysely, type Migration } from './kysely.js';

/** The columns `table` has now (empty when it does not exist). */
async function columnsOf(db: Kysely<unknown>, table: string): Promise<Set<string>> {
  const tables = await db.introspection.getTables();
  return new Set(tables.find((t) => t.name === table)?.columns.map((c) => c.name) ?? []);
}

/** Adds a column unless the table has it already (a partial run of the migration added it). */
async function addColumnIfAbsent(
  db: Kysely<unknown>,
  table: string,
  column: string,
  type: ColumnDataType | Expression<unknown>,
  build: (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder = (c) => c,
): Promise<void> {
  if ((await columnsOf(db, table)).has(column)) return;
  await db.schema.alterTable(table).addColumn(column, type, build).execute();
}

/** Drops a column if the table has it. */
async function dropColumnIfPresent(db: Kysely<unknown>, table: string, column: string): Promise<void> {
  if (!(await columnsOf(db, table)).has(column)) return;
  await db.schema.alterTable(table).dropColumn(column).execute();
}

/**
 * Creates an index on `table` unless one of that name exists: a duplicate is recognised by its
 * error (MySQL/MariaDB errno 1061 ER_DUP_KEYNAME, SQLite "index … already exists").
 */
async function createIndexIfAbsent(db: Kysely<unknown>, name: string, table: string, column: string | string[]): Promise<void> {
  try {
    await db.schema.createIndex(name).on(table).columns(typeof column === 'string' ? [column] : column).execute();
  } catch (err) {
    const e = err as { errno?: number; message?: string };
    if (e?.errno === 1061 || /already exists/i.test(e?.message ?? '')) return;
    throw err;
  }
}

/** Migrations by name; names sort in the order they run. */
export const migrations: Record<string, Migration> = {
  '0001_tasks_and_tool_runs': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('tasks')
        .ifNotExists()
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('owner', 'varchar(128)', (c) => c.notNull())
        .addColumn('name', 'varchar(128)', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('spec', sql`mediumtext`, (c) => c.notNull())
        .addColumn('values_json', 'text', (c) => c.notNull())
        .addColumn('inputs_json', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('started_at', 'bigint')
        .addColumn('finished_at', 'bigint')
        .execute();
      await createIndexIfAbsent(db, 'tasks_created_at', 'tasks', 'created_at');
      await db.schema
        .createTable('tool_runs')
        .ifNotExists()
        .addColumn('task_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('tool', 'varchar(64)', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('cpu_millicores', 'integer', (c) => c.notNull())
        .addColumn('mem_bytes', 'bigint', (c) => c.notNull())
        .addColumn('disk_bytes', 'bigint')
        .addColumn('job_name', 'varchar(128)')
        .addColumn('exit_code', 'integer')
        .addColumn('signal', 'varchar(16)')
        .addColumn('reason', 'varchar(16)')
        .addColumn('message', 'text')
        .addColumn('peak_mem_bytes', 'bigint')
        .addColumn('delivered_at', 'bigint')
        .addColumn('started_at', 'bigint')
        .addColumn('last_heartbeat_at', 'bigint')
        .addColumn('finished_at', 'bigint')
        .addPrimaryKeyConstraint('tool_runs_pk', ['task_id', 'tool', 'attempt'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('tool_runs').ifExists().execute();
      await db.schema.dropTable('tasks').ifExists().execute();
    },
  },
  '0002_tasks_fence_token': {
    async up(db: Kysely<unknown>): Promise<void> {
      await addColumnIfAbsent(db, 'tasks', 'fence_token', 'bigint', (c) => c.notNull().defaultTo(0));
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await dropColumnIfPresent(db, 'tasks', 'fence_token');
    },
  },
  '0003_time_limits_work_dirs_locks': {
    async up(db: Kysely<unknown>): Promise<void> {
      await addColumnIfAbsent(db, 'tool_runs', 'time_seconds', 'bigint');
      await addColumnIfAbsent(db, 'tasks', 'work_dir', 'text');
      await addColumnIfAbsent(db, 'tasks', 'cancel_requested_at', 'bigint');
      // Task locks kept in the database itself, seen by every process that shares it (embedded mode,
      // and services mode without etcd): `store-locks.ts`.
      await db.schema
        .createTable('locks')
        .ifNotExists()
        .addColumn('name', 'varchar(191)', (c) => c.primaryKey())
        .addColumn('token', 'bigint', (c) => c.notNull())
        .addColumn('holder', 'varchar(255)', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('locks').ifExists().execute();
      await dropColumnIfPresent(db, 'tasks', 'cancel_requested_at');
      await dropColumnIfPresent(db, 'tasks', 'work_dir');
      await dropColumnIfPresent(db, 'tool_runs', 'time_seconds');
    },
  },
  '0004_api_tokens': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Bearer tokens of the user API (`shared/api/`), kept as the SHA-256 hex of the token.
      await db.schema
        .createTable('api_tokens')
        .ifNotExists()
        .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
        .addColumn('owner', 'varchar(128)', (c) => c.notNull())
        .addColumn('token_hash', 'char(64)', (c) => c.notNull().unique())
        .addColumn('label', 'varchar(255)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      // Tasks are listed by owner, newest first (the API's GET /v1/tasks).
      await createIndexIfAbsent(db, 'tasks_owner_created_at', 'tasks', ['owner', 'created_at']);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('tasks_owner_created_at').on('tasks').execute().catch(() => undefined); // absent: nothing to drop
      await db.schema.dropTable('api_tokens').ifExists().execute();
    },
  },
  '0005_attempt_evidence': {
    async up(db: Kysely<unknown>): Promise<void> {
      // What an attempt's outcome was read from when the platform, not the tool, told it (Kubernetes
      // Pod status: OOMKilled, evicted, image pull errors): `ExitDetails.evidence`.
      await addColumnIfAbsent(db, 'tool_runs', 'evidence', 'text');
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await dropColumnIfPresent(db, 'tool_runs', 'evidence');
    },
  },
  '0006_cache_and_outputs': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Cached reruns and recorded outputs (issue 10): the attempt's cache key and its parts, its
      // outputs with their checksums, and the attempt it reused on a cache hit.
      await addColumnIfAbsent(db, 'tool_runs', 'cache_key', 'varchar(64)');
      // mediumtext: the parts of a gathering tool name each of its dependencies (1,000 instances of up
      // to 160 characters, each with a hash, pass MySQL's 64 KiB `text`).
      await addColumnIfAbsent(db, 'tool_runs', 'cache_parts', sql`mediumtext`);
      await addColumnIfAbsent(db, 'tool_runs', 'outputs_json', sql`mediumtext`);
      await addColumnIfAbsent(db, 'tool_runs', 'cached_from', 'varchar(255)');
      await createIndexIfAbsent(db, 'tool_runs_cache_key', 'tool_runs', 'cache_key');
      // Instances of scattered tools are named `tool[key]`: up to 63 + 2 + 64 characters. SQLite does
      // not enforce varchar lengths; MySQL/MariaDB need the column widened (idempotent).
      if (db.getExecutor().adapter instanceof MysqlAdapter) {
        await sql`ALTER TABLE tool_runs MODIFY tool varchar(160) NOT NULL`.execute(db);
      }
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('tool_runs_cache_key').on('tool_runs').execute().catch(() => undefined);
      for (const c of ['cache_key', 'cache_parts', 'outputs_json', 'cached_from']) await dropColumnIfPresent(db, 'tool_runs', c);
    },
  },
  '0007_input_checksums': {
    async up(db: Kysely<unknown>): Promise<void> {
      // The SHA-256 of embedded-mode input files by file identity (`runtime/input-checksums.ts`): a
      // run of a file whose inode, size, modification and change times are as recorded here does not
      // read it again. One row per file (host, device, inode); numbers that may pass 2^53 (device,
      // inode, nanosecond times) are decimal text. The key fits MySQL's 767-byte index limit in utf8mb4.
      await db.schema
        .createTable('input_checksums')
        .ifNotExists()
        .addColumn('host', 'varchar(128)', (c) => c.notNull())
        .addColumn('dev', 'varchar(24)', (c) => c.notNull())
        .addColumn('ino', 'varchar(24)', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('mtime_ns', 'varchar(24)', (c) => c.notNull())
        .addColumn('ctime_ns', 'varchar(24)', (c) => c.notNull())
        .addColumn('sha256', 'char(64)', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('hashed_at', 'bigint', (c) => c.notNull())
        .addColumn('seen_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('input_checksums_pk', ['host', 'dev', 'ino'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('input_checksums').ifExists().execute();
    },
  },
  '0008_attempt_cpu_time': {
    async up(db: Kysely<unknown>): Promise<void> {
      // The cpu time an attempt used, ms (`ExitDetails.cpuTimeMs`), for `toolflow status` and
      // `toolflow report` (issue 12 §6); null where it was not measured (and on older rows).
      await addColumnIfAbsent(db, 'tool_runs', 'cpu_time_ms', 'bigint');
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await dropColumnIfPresent(db, 'tool_runs', 'cpu_time_ms');
    },
  },
};
