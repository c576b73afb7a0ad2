/**
 * The migration history of the SQL store, one list for every dialect (Kysely's schema builder keeps
 * the SQL dialect-neutral: only portable types are used, and JSON is kept as text).
 */
import { sql, type Kysely, type Migration } from 'kysely';

/** Migrations by name; names sort in the order they run. */
export const migrations: Record<string, Migration> = {
  '0001_tasks_and_tool_runs': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('tasks')
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
      await db.schema.createIndex('tasks_created_at').on('tasks').column('created_at').execute();
      await db.schema
        .createTable('tool_runs')
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
      await db.schema.dropTable('tool_runs').execute();
      await db.schema.dropTable('tasks').execute();
    },
  },
  '0002_tasks_fence_token': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('tasks').addColumn('fence_token', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('tasks').dropColumn('fence_token').execute();
    },
  },
  '0003_time_limits_work_dirs_locks': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('tool_runs').addColumn('time_seconds', 'bigint').execute();
      await db.schema.alterTable('tasks').addColumn('work_dir', 'text').execute();
      await db.schema.alterTable('tasks').addColumn('cancel_requested_at', 'bigint').execute();
      // Task locks kept in the database itself, seen by every process that shares it (embedded mode,
      // and services mode without etcd): `store-locks.ts`.
      await db.schema
        .createTable('locks')
        .addColumn('name', 'varchar(191)', (c) => c.primaryKey())
        .addColumn('token', 'bigint', (c) => c.notNull())
        .addColumn('holder', 'varchar(255)', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('locks').execute();
      await db.schema.alterTable('tasks').dropColumn('cancel_requested_at').execute();
      await db.schema.alterTable('tasks').dropColumn('work_dir').execute();
      await db.schema.alterTable('tool_runs').dropColumn('time_seconds').execute();
    },
  },
};
