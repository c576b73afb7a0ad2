// Events per second into handle-status, three ways, same store (a fresh MariaDB database), same
// events, same run (part of bench/http.mjs):
//   (a) in-process bus: the MemoryBus delivers to the handler in this process (one at a time, as in
//       embedded mode);
//   (b) plain AMQP bus: this process publishes to RabbitMQ and its own AmqpBus consumer
//       `handle-status` (prefetch and concurrency as `toolflow run` subscribes it) runs the handler;
//   (c) connector + HTTP function: this process publishes to RabbitMQ, a `toolflow connector`
//       process consumes the same queue and POSTs each CloudEvent to a `toolflow function
//       handle-status` process, which runs the handler (concurrency = the connector's prefetch).
// The events are `tool.keepalive` reports, each for one running attempt row that exists, which
// handle-status turns into one UPDATE (`last_heartbeat_at`), fenced by the work manager's token as
// real keepalives are: the cheapest event a real run sends most of. Every event is a different
// attempt (a different subject), so none waits for another of its subject.
// Timing: from the publish of the first event to the moment a separate connection sees all N rows
// updated (polled every 10 ms); each path gets a warm-up stream first (not counted).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import mysql from 'mysql2/promise';
import { pino } from 'pino';
import { deleteAmqpNamespace, embeddedEnv, freePort, startProcess } from './http-support.mjs';

const POLL_MS = 10;

/**
 * Measures the three paths.
 * @param {{ root: string, amqpUrl: string, mysqlUrl: string, home: string, events: number, rounds: number, warmup: number }} o
 *   `mysqlUrl` is a server URL (no database): a fresh database is made and dropped here; `home`
 *   is a scratch TOOLFLOW_HOME for the function process.
 * @returns {Promise<{ path: string, eventsPerSecond: number[] }[]>} one entry per path, a figure per round.
 */
export async function measureEvents(o) {
  const dist = (p) => import(pathToFileURL(join(o.root, 'dist', 'shared', p)).href);
  const [{ openStore }, { MemoryBus }, { AmqpBus }, { validatingBus }, { routeFunctions }, { handleStatus }, { EventType, makeEvent }, { newToolRun }] = await Promise.all([
    dist('store/open-store.js'),
    dist('events/memory-bus.js'),
    dist('events/amqp-bus.js'),
    dist('events/validating-bus.js'),
    dist('runtime/runtime.js'),
    dist('handlers/handle-status.js'),
    dist('events/catalog.js'),
    dist('store/store.js'),
  ]);
  const tag = randomBytes(3).toString('hex');
  const database = `toolflow_bench_events_${tag}`;
  const namespace = `benchevents${tag}`;
  const dbUrl = `${o.mysqlUrl.replace(/\/+$/, '')}/${database}`;
  const log = pino({ level: 'warn', base: { component: 'bench-events' } }, pino.destination(2));
  const admin = await mysql.createConnection(o.mysqlUrl);
  await admin.query(`CREATE DATABASE ${database}`);
  const cleanups = [];
  try {
    const store = await openStore(dbUrl);
    cleanups.push(() => store.close());
    const watcher = await mysql.createConnection(dbUrl);
    cleanups.push(() => watcher.end());

    // One task, claimed by a work manager's token, with `size` running attempts.
    const size = Math.max(o.events, o.warmup);
    const taskId = randomBytes(6).toString('hex');
    const now = Date.now();
    const names = Array.from({ length: size }, (_, k) => `t${String(k + 1).padStart(5, '0')}`);
    const runs = names.map((tool) => ({ ...newToolRun(taskId, tool, 1, { cpuMillicores: 1000, memBytes: 64e6, diskBytes: null, timeSeconds: null }), status: 'running', delivered_at: now, started_at: now, last_heartbeat_at: now }));
    await store.createTask({ id: taskId, owner: 'bench', name: `keepalive-${size}`, status: 'processing', spec: '{}', values_json: '{}', inputs_json: '{}', error: null, created_at: now, started_at: now, finished_at: null }, runs);
    const token = now * 1000;
    if (!(await store.claimTask(taskId, token))) throw new Error('bench: could not claim the benchmark task');

    let stamp = now;
    /** Publishes `count` keepalives through `bus` and waits until the store shows them all. @returns events/s. */
    async function stream(bus, count) {
      const at = ++stamp; // above every earlier value: each stream's UPDATEs change every row
      const events = names.slice(0, count).map((tool) => {
        const e = makeEvent(EventType.toolKeepalive, '/toolflow/work-manager', { taskId, tool, attempt: 1, at, memBytes: null });
        e.fencetoken = String(token);
        return e;
      });
      const t0 = performance.now();
      await bus.publish(events);
      for (let seen = 0; seen < count; ) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        const [[row]] = await watcher.query('SELECT COUNT(*) AS n FROM tool_runs WHERE task_id = ? AND last_heartbeat_at = ?', [taskId, at]);
        seen = Number(row.n);
        if (performance.now() - t0 > 600_000) throw new Error(`bench: only ${seen} of ${count} keepalives handled after 10 minutes`);
      }
      return count / ((performance.now() - t0) / 1000);
    }
    async function rounds(bus) {
      await stream(bus, o.warmup);
      const figures = [];
      for (let i = 0; i < o.rounds; i++) figures.push(await stream(bus, o.events));
      return figures;
    }
    /** What routeFunctions and handle-status use of the ports. */
    const ports = (bus) => ({ store, bus, log });
    const results = [];

    // (a) in-process bus.
    const memory = validatingBus(new MemoryBus(log));
    const offMemory = routeFunctions(ports(memory), [handleStatus]);
    results.push({ path: 'in-process bus → handler', eventsPerSecond: await rounds(memory) });
    offMemory();
    await memory.close();
    console.error('bench: events, in-process bus done');

    // (b) plain AMQP bus, consumer in this process.
    const amqpBus = validatingBus(await AmqpBus.connect({ url: o.amqpUrl, namespace, log }));
    cleanups.push(() => deleteAmqpNamespace(o.amqpUrl, namespace));
    cleanups.push(() => amqpBus.close());
    const offAmqp = routeFunctions(ports(amqpBus), [handleStatus]);
    results.push({ path: 'RabbitMQ → AmqpBus consumer → handler', eventsPerSecond: await rounds(amqpBus) });
    offAmqp();
    await amqpBus.idle();
    console.error('bench: events, AMQP bus done');

    // (c) connector → HTTP function, each its own process; this process only publishes.
    const env = embeddedEnv({ TOOLFLOW_HOME: o.home, TOOLFLOW_AMQP_URL: o.amqpUrl, TOOLFLOW_DATABASE_URL: dbUrl, TOOLFLOW_NAMESPACE: namespace });
    const bin = join(o.root, 'bin', 'toolflow.js');
    const port = await freePort();
    const fn = await startProcess([bin, 'function', 'handle-status', '--port', String(port)], env, /listening on http:/);
    cleanups.push(() => fn.stop());
    const connector = await startProcess([bin, 'connector', '--target', `handle-status=http://127.0.0.1:${port}/`], env, /delivering from RabbitMQ/);
    cleanups.push(() => connector.stop());
    results.push({ path: 'RabbitMQ → toolflow connector → HTTP → toolflow function', eventsPerSecond: await rounds(amqpBus) });
    console.error('bench: events, connector + HTTP function done');
    return results;
  } finally {
    for (const c of cleanups.reverse()) await Promise.resolve().then(c).catch((err) => console.error(`bench: cleanup: ${err.message}`));
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.end();
  }
}
