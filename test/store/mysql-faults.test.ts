import { createConnection, createPool } from 'mysql2/promise';
import { createPool as createCallbackPool } from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../shared/store/open-store.js';
import { MYSQL_ERROR_RULES, withAcquireTimeout } from '../../shared/store/mysql-store.js';
import { newToolRun, type Store } from '../../shared/store/store.js';
import { freshMysqlDatabase, skipped } from '../support/services.js';

/** Faults of the MySQL store against the real MariaDB: killed connections, lock waits, a full pool. */
describe.skipIf(skipped('mysql'))('MySQL store under faults', () => {
  let db: Awaited<ReturnType<typeof freshMysqlDatabase>>;
  let store: Store;
  let admin: Awaited<ReturnType<typeof createConnection>>;
  const dbName = () => new URL(db.url).pathname.slice(1);
  /** KILLs every connection the store has open on its database; @returns how many. */
  const killStoreConnections = async (): Promise<number> => {
    const [rows] = await admin.query('SELECT id FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()', [dbName()]);
    for (const { id } of rows as { id: number }[]) await admin.query(`KILL ${Number(id)}`);
    return (rows as unknown[]).length;
  };

  beforeAll(async () => {
    db = await freshMysqlDatabase();
    store = await openStore(db.url);
    admin = await createConnection(db.url);
    const now = Date.now();
    await store.createTask(
      { id: 'k1', owner: 'me', name: 'w', status: 'queued', spec: '{}', values_json: '{}', inputs_json: '{}', error: null, created_at: now, started_at: null, finished_at: null },
      ['a', 'b', 'c'].map((t) => newToolRun('k1', t, 1, { cpuMillicores: 1000, memBytes: 1e9, diskBytes: null, timeSeconds: null })),
    );
  });
  afterAll(async () => {
    await store?.close();
    await admin?.end();
    await db?.drop();
  });

  it('goes on after its idle connections are KILLed', async () => {
    await Promise.all([store.getTask('k1'), store.listToolRuns('k1'), store.getTask('k1')]);
    expect(await killStoreConnections()).toBeGreaterThan(0);
    expect(await store.moveToolRun({ taskId: 'k1', tool: 'a', attempt: 1 }, 'ready')).toBe(true);
    expect((await store.getToolRun({ taskId: 'k1', tool: 'a', attempt: 1 }))!.status).toBe('ready');
  });

  it('retries a statement whose connection is KILLed while it waits, on a fresh connection', async () => {
    // The admin holds the row's lock, so the store's update waits on it; then its connection is killed.
    await admin.query('START TRANSACTION');
    await admin.query("SELECT * FROM tool_runs WHERE task_id = 'k1' AND tool = 'b' FOR UPDATE");
    const move = store.moveToolRun({ taskId: 'k1', tool: 'b', attempt: 1 }, 'ready');
    let waiting: { id: number }[] = [];
    for (let i = 0; i < 200 && waiting.length === 0; i++) {
      const [rows] = await admin.query("SELECT id FROM information_schema.processlist WHERE db = ? AND info LIKE 'update `tool_runs`%'", [dbName()]);
      waiting = rows as { id: number }[];
      if (!waiting.length) await new Promise((r) => setTimeout(r, 10));
    }
    expect(waiting).toHaveLength(1);
    await admin.query(`KILL ${Number(waiting[0]!.id)}`);
    await new Promise((r) => setTimeout(r, 50));
    await admin.query('COMMIT');
    expect(await move).toBe(true);
    expect((await store.getToolRun({ taskId: 'k1', tool: 'b', attempt: 1 }))!.status).toBe('ready');
  });

  it('fails a connection request that waits past the acquire timeout, with a code the store retries', async () => {
    const pool = createCallbackPool({ uri: db.url, connectionLimit: 1 });
    const timed = withAcquireTimeout(pool, 100);
    const held = await new Promise<{ release(): void }>((resolve, reject) => timed.getConnection((err, c) => (err ? reject(err) : resolve(c))));
    const err = await new Promise<unknown>((resolve) => timed.getConnection((e) => resolve(e)));
    expect(err).toMatchObject({ code: 'POOL_ACQUIRE_TIMEOUT' });
    expect(MYSQL_ERROR_RULES.isTransient(err)).toBe(true);
    held.release();
    await new Promise((r) => pool.end(r));
  });

  it('tells a real deadlock, as MariaDB reports it, from errors not worth a retry', async () => {
    // Provoke a real deadlock between two transactions to get the server's own error object.
    const pools = [createPool({ uri: db.url, connectionLimit: 1 }), createPool({ uri: db.url, connectionLimit: 1 })];
    const [a, b] = await Promise.all(pools.map((p) => p.getConnection()));
    if (!a || !b) throw new Error('no connection');
    await a.query('START TRANSACTION');
    await b.query('START TRANSACTION');
    await a.query("UPDATE tool_runs SET message = 'a' WHERE task_id = 'k1' AND tool = 'a'");
    await b.query("UPDATE tool_runs SET message = 'b' WHERE task_id = 'k1' AND tool = 'c'");
    const first = a.query("UPDATE tool_runs SET message = 'a' WHERE task_id = 'k1' AND tool = 'c'").catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    const second = await b.query("UPDATE tool_runs SET message = 'b' WHERE task_id = 'k1' AND tool = 'a'").catch((e: unknown) => e);
    const errors = [await first, second].filter((e) => e instanceof Error);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ errno: 1213 });
    expect(MYSQL_ERROR_RULES.isTransient(errors[0])).toBe(true);
    expect(MYSQL_ERROR_RULES.isTransient(Object.assign(new Error('Duplicate entry'), { errno: 1062 }))).toBe(false);
    expect(MYSQL_ERROR_RULES.isTransient(Object.assign(new Error('syntax'), { errno: 1064 }))).toBe(false);
    await a.query('ROLLBACK');
    await b.query('ROLLBACK');
    a.release();
    b.release();
    await Promise.all(pools.map((p) => p.end()));
  });
});
