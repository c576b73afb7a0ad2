// Figures 1 and 2 of the cluster benchmark (bench/cluster.mjs): what keepalive reports cost one work
// manager, and how many it takes per second. The processes are bench/cluster-wm.mjs (the work
// manager, the functions, or the bare report server) and bench/cluster-client.mjs (the senders).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuTimes, forkChild } from './cluster-ipc.mjs';
import { freePort } from './http-support.mjs';

const here = new URL('.', import.meta.url);
const WM = new URL('cluster-wm.mjs', here).pathname;
const CLIENT = new URL('cluster-client.mjs', here).pathname;
const dist = new URL('../dist/shared/', import.meta.url);
const { ReportClient } = await import(new URL('reports/report-client.js', dist).href);
const { attemptToken } = await import(new URL('reports/attempt-token.js', dist).href);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const SECRET = 'bench-cluster-report-secret-0123456789abcdef';
/** Keepalive period of a sidecar (TOOLFLOW_KEEPALIVE_SECONDS' default), ms. */
const PERIOD_MS = 30_000;

/**
 * CPU of each process of `watched` (`[name, pid]` pairs) while `ms` pass and `during` settles, in %
 * of one core: `{ [name]: { total, user, sys } }` (user and system time of all its threads over the
 * wall time).
 */
async function cpuOver(watched, ms, during = Promise.resolve()) {
  const before = watched.map(([, pid]) => cpuTimes(pid));
  const t0 = performance.now();
  await Promise.all([sleep(ms), during]);
  const wall = performance.now() - t0;
  return Object.fromEntries(
    watched.map(([name, pid], i) => {
      const now = cpuTimes(pid);
      const user = (100 * (now.user - before[i].user)) / wall;
      const sys = (100 * (now.sys - before[i].sys)) / wall;
      return [name, { total: user + sys, user, sys }];
    }),
  );
}

/**
 * Sends keepalives of the marker tool `a0000` (no other sender uses it) from this process, over one
 * channel kept open. `latency()` sends one and waits until handle-status has written it (the row's
 * last_heartbeat_at, asked of `holder` every 10 ms): @returns ms from the send to the row seen.
 */
function marker(address, holder, taskId) {
  const ref = { taskId, tool: 'a0000', attempt: 1 };
  const client = new ReportClient({ address });
  const token = attemptToken(SECRET, ref);
  let last = 0;
  return {
    async latency() {
      const at = Math.max(Date.now(), last + 1);
      last = at;
      const t0 = performance.now();
      const outcome = await client.send({ kind: 'keepalive', ...ref, at, memBytes: null }, token);
      if (outcome !== 'accepted') throw new Error(`bench: the marker keepalive was ${outcome}`);
      for (;;) {
        if ((await holder.call('heartbeat', ref)) === at) return performance.now() - t0;
        if (performance.now() - t0 > 300_000) throw new Error('bench: the marker keepalive was not written within 5 min');
        await sleep(10);
      }
    },
    close: () => client.close(),
  };
}

/** Floods `address` from every client process. @returns reports/s accepted, the senders' latencies, their CPU. */
async function flood(clients, address, attempts, o) {
  const parts = clients.map((c, k) => c.call('flood', { address, secret: SECRET, attempts: attempts.filter((_, j) => j % clients.length === k), concurrency: o.concurrency, ms: o.floodMs }));
  const results = await Promise.all(parts);
  const accepted = results.reduce((n, r) => n + r.accepted, 0);
  const other = results.reduce((n, r) => n + r.other, 0);
  return { rate: accepted / (o.floodMs / 1000), accepted, other, p50: Math.max(...results.map((r) => r.p50)), p99: Math.max(...results.map((r) => r.p99)) };
}

/** Forks `n` sender processes. */
const startClients = (n) => Array.from({ length: n }, () => forkChild(CLIENT, [], process.env));

/**
 * Figures 1 and 2 for one mode. `mode`: `embedded` (one process: work manager, report server and
 * every function, SQLite, in-process bus), `services` (the work manager and its report server as
 * `toolflow work-manager` runs them, the functions in another process, on MariaDB + RabbitMQ +
 * etcd from `env`), or `raw` (the report server alone, `deliver` only accepting: no idle window,
 * no rows). `o`: { tools, clients, windowMs, floodMs, concurrency, services } (`services`: more
 * `[name, pid]` pairs watched in every window, e.g. the broker's and the database's processes). Windows, in order: idle (no
 * sender connected), connected (one channel per attempt, each sent one keepalive before, none
 * now: only HTTP/2 pings), paced (a keepalive per attempt every 30 s, evenly spread), then the
 * flood from `o.clients` channels.
 * @returns CPU of each window by process (`wm`: the work manager's or the raw server's,
 *   `functions`: services mode, the functions', then `o.services`; the flood adds `senders`, all
 *   sender processes together), `{ total, user, sys }` in % of one core; keepalive → row latencies
 *   (idle, after the paced window, after the flood: its drain) and the flood's rate and latencies.
 */
export async function measureWorkManager(mode, env, o) {
  const home = mkdtempSync(join(tmpdir(), 'toolflow-bench-cluster-'));
  const base = {
    ...env,
    TOOLFLOW_HOME: home,
    TOOLFLOW_REPORT_SECRET: SECRET,
    BENCH_TOOLS: String(o.tools),
    TOOLFLOW_LOST_AFTER_SECONDS: '3600',
    TOOLFLOW_START_TIMEOUT_SECONDS: '3600',
    TOOLFLOW_LOG_LEVEL: 'warn',
  };
  const procs = [];
  const fork = (role, extra = {}) => {
    const p = forkChild(WM, [role], { ...base, ...extra });
    procs.push(p);
    return p;
  };
  try {
    let wm;
    let fns;
    let address;
    let taskId = 'benchraw0000';
    const t0 = performance.now();
    if (mode === 'services') {
      address = `127.0.0.1:${await freePort()}`;
      fns = fork('services-functions', { BENCH_REPORT_ADDRESS: address });
      ({ taskId } = await fns.next('launch', 120_000));
      wm = fork('services-wm', { BENCH_TASK: taskId, TOOLFLOW_REPORT_LISTEN: address });
      await wm.next('ready', 120_000);
      await fns.next('ready', 300_000);
    } else {
      wm = fork(mode);
      const ready = await wm.next('ready', 300_000);
      address = `127.0.0.1:${ready.port}`;
      taskId = ready.taskId ?? taskId;
    }
    const r = { mode, setupMs: performance.now() - t0 };
    const watched = [['wm', wm.pid], ...(fns ? [['functions', fns.pid]] : []), ...(mode === 'raw' ? [] : (o.services ?? []))];
    const tools = Array.from({ length: o.tools }, (_, i) => ({ taskId, tool: `a${String(i + 1).padStart(4, '0')}`, attempt: 1 }));
    const mark = mode === 'raw' ? undefined : marker(address, fns ?? wm, taskId);
    await mark?.latency(); // its channel connects
    await sleep(2_000); // what the set-up left queued settles
    if (mark) {
      r.idleKeepaliveToRowMs = await mark.latency();
      r.idle = await cpuOver(watched, o.windowMs);
    }

    const clients = startClients(o.clients);
    procs.push(...clients);
    const mine = (k) => tools.filter((_, j) => j % clients.length === k);
    const connected = await Promise.all(clients.map((c, k) => c.call('connect', { address, secret: SECRET, attempts: mine(k), spreadMs: 5_000 })));
    if (connected.some((c) => c.other > 0)) throw new Error(`bench: some first keepalives were not accepted: ${JSON.stringify(connected)}`);
    await sleep(1_000);
    r.connected = await cpuOver(watched, o.windowMs);

    const paced = Promise.all(clients.map((c, k) => c.call('pace', { periodMs: PERIOD_MS, ms: o.windowMs, slot: k, slots: clients.length, total: o.tools })));
    r.paced = await cpuOver(watched, o.windowMs, paced);
    const sent = await paced;
    r.pacedAccepted = sent.reduce((n, x) => n + x.accepted, 0);
    r.pacedOther = sent.reduce((n, x) => n + x.other, 0);
    r.pacedLateMs = Math.max(...sent.map((x) => x.lateMs));
    if (mark) r.pacedKeepaliveToRowMs = await mark.latency();
    await Promise.all(clients.map((c) => c.call('close')));

    let f;
    const cpu = await cpuOver([...watched, ...clients.map((c, k) => [`sender${k}`, c.pid])], 0, flood(clients, address, tools, o).then((x) => (f = x)));
    const senders = clients.map((_, k) => cpu[`sender${k}`]);
    for (let k = 0; k < clients.length; k++) delete cpu[`sender${k}`];
    cpu.senders = { total: senders.reduce((n, c) => n + c.total, 0), user: senders.reduce((n, c) => n + c.user, 0), sys: senders.reduce((n, c) => n + c.sys, 0) };
    r.flood = { ...f, cpu };
    if (mark) {
      r.drainMs = await mark.latency();
      mark.close();
    }
    return r;
  } finally {
    await Promise.all(procs.reverse().map((p) => p.stop()));
    rmSync(home, { recursive: true, force: true });
  }
}
