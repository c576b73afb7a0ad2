// A process of the cluster benchmark (bench/cluster.mjs) holding toolflow's real work manager, or the
// bare report server, on the built code (dist/). Started by bench/cluster-reports.mjs with
// bench/cluster-ipc.mjs's forkChild; `node bench/cluster-wm.mjs ROLE`, configured by toolflow's own
// variables (TOOLFLOW_HOME, TOOLFLOW_DATABASE_URL, TOOLFLOW_AMQP_URL…) plus BENCH_TOOLS,
// BENCH_REPORT_ADDRESS. Roles:
//
// - `embedded`: one process as `toolflow run` in embedded mode (SQLite store, in-process bus, every
//   function here), with the report server of `toolflow work-manager` in front of its
//   `Runtime.deliverReport`. It submits a task of BENCH_TOOLS independent tools; its executor
//   (`RunningExecutor`) launches nothing: an attempt "runs" from its start report on, for ever, as a
//   Kubernetes Job whose Pod outlives its driver. Sends `{ event: 'ready', port, taskId }` once every
//   tool's row is `running`.
// - `services-functions`: the shared functions on RabbitMQ + MariaDB (as `toolflow serve` runs them;
//   in cluster mode start-workflow and schedule-tool are shared too). It submits the task; its
//   start-workflow's "launch the work-manager Job" is `{ event: 'launch', taskId }` to the parent,
//   which starts the `services-wm` process; its executor sends each attempt's Start over gRPC to the
//   work manager (BENCH_REPORT_ADDRESS), as a sidecar does.
// - `services-wm`: `toolflow work-manager TASK` (shared/cli/work-manager-command.ts) with the
//   executor above in place of the Kubernetes one: the runtime without functions, the report server
//   on TOOLFLOW_REPORT_LISTEN, `resume(taskId)`. Sends `{ event: 'ready', port }` once resumed.
// - `raw`: the same report server whose `deliver` does nothing but accept (the reference).
//
// Commands (IPC): `heartbeat { taskId, tool }` → the row's last_heartbeat_at; `running { taskId }` →
// how many rows are `running`.
import { pino } from 'pino';
import { serveCommands } from './cluster-ipc.mjs';

const dist = new URL('../dist/shared/', import.meta.url);
const { createRuntime } = await import(new URL('runtime/runtime.js', dist).href);
const { loadConfig } = await import(new URL('runtime/config.js', dist).href);
const { startReportServer } = await import(new URL('reports/report-server.js', dist).href);
const { remoteReportSink } = await import(new URL('reports/report-client.js', dist).href);

const role = process.argv[2];
const tools = Number(process.env.BENCH_TOOLS ?? 1000);

/**
 * An executor whose attempts outlive their driver (`attemptsOutliveDriver`, as Kubernetes Jobs) and
 * run until the end of the benchmark: `start` reports the attempt started (to `remote` when given:
 * over gRPC, as a sidecar), `cancel` does nothing. Capacity: room for every tool at once.
 */
class RunningExecutor {
  attemptsOutliveDriver = true;
  capacity = { cpuMillicores: (tools + 1) * 1000, memBytes: 1e15, diskBytes: null };
  started = new Set();
  constructor(remote) {
    this.remote = remote;
  }
  async start(req, sink) {
    const key = `${req.taskId}/${req.tool}/${req.attempt}`;
    if (this.started.has(key)) return;
    this.started.add(key);
    (this.remote ?? sink)({ kind: 'start', taskId: req.taskId, tool: req.tool, attempt: req.attempt, at: Date.now() });
  }
  async cancel() {}
  async stopLeftover() {
    return false;
  }
  workDirOf(taskId, tool, attempt) {
    return `bench://${taskId}/${tool}/${attempt}`;
  }
  async close() {
    this.remote?.close();
  }
}

/** BENCH_TOOLS independent tools, `a0001`…; the tool used for drain markers is `a0000`. */
function workflowText() {
  const lines = [`name: running-${tools}\ndescription: ${tools} tools whose attempts keep running, for the report benchmark\ntools:\n`];
  for (let i = 0; i <= tools; i++) lines.push(`  - name: a${String(i).padStart(4, '0')}\n    cpu: 1\n    mem: 64M\n    cmds:\n      - "true"\n`);
  return lines.join('');
}

const submission = () => ({ owner: 'bench', workflowFile: 'running.yaml', workflowText: workflowText(), values: [], inputs: {} });

/** Resolves once every row of the task is `running` (polled every 100 ms, at most 5 min). */
async function allRunning(store, taskId) {
  for (const t0 = Date.now(); Date.now() - t0 < 300_000; await new Promise((r) => setTimeout(r, 100))) {
    const rows = await store.listToolRuns(taskId);
    if (rows.length === tools + 1 && rows.every((r) => r.status === 'running')) return;
  }
  throw new Error(`the ${tools + 1} tools of task ${taskId} were not all running within 5 min`);
}

const closers = [];
process.once('SIGTERM', async () => {
  for (const c of closers.reverse()) await c().catch(() => undefined);
  process.exit(0);
});

if (role === 'raw') {
  const log = pino({ level: 'warn' }, pino.destination(2));
  const server = await startReportServer({ listen: '127.0.0.1:0', secret: process.env.TOOLFLOW_REPORT_SECRET, deliver: () => 'accepted', log });
  closers.push(() => server.close());
  serveCommands({});
  process.send({ event: 'ready', port: server.port });
} else {
  const config = loadConfig(process.env);
  const remote = role === 'services-functions' ? remoteReportSink(process.env.BENCH_REPORT_ADDRESS, config.reportSecret, pino({ level: 'warn' }, pino.destination(2))) : undefined;
  const runtime = await createRuntime(config, { executor: new RunningExecutor(remote), routeShared: role !== 'services-wm' });
  closers.push(() => runtime.close());
  const store = runtime.ports.store;
  serveCommands({
    heartbeat: async ({ taskId, tool }) => Number((await store.getToolRun({ taskId, tool, attempt: 1 }))?.last_heartbeat_at ?? 0),
    running: async ({ taskId }) => (await store.listToolRuns(taskId)).filter((r) => r.status === 'running').length,
  });
  const deliver = (r) => runtime.deliverReport(r);
  if (role === 'embedded') {
    const server = await startReportServer({ listen: '127.0.0.1:0', secret: config.reportSecret, deliver, log: runtime.ports.log });
    closers.push(() => server.close());
    const taskId = await runtime.submit(submission());
    await allRunning(store, taskId);
    process.send({ event: 'ready', port: server.port, taskId });
  } else if (role === 'services-functions') {
    // start-workflow's launch: what the Kubernetes launcher does by creating the work-manager Job.
    runtime.ports.workManagers = { launch: async (taskId) => void process.send({ event: 'launch', taskId }) };
    const taskId = await runtime.submit(submission());
    process.send({ event: 'submitted', taskId });
    await allRunning(store, taskId);
    process.send({ event: 'ready', taskId });
  } else if (role === 'services-wm') {
    const taskId = process.env.BENCH_TASK;
    const server = await startReportServer({ listen: config.reportListen, secret: config.reportSecret, deliver, log: runtime.ports.log });
    closers.push(() => server.close());
    await runtime.resume(taskId);
    process.send({ event: 'ready', port: server.port });
  } else {
    throw new Error(`unknown role ${role}: embedded, services-functions, services-wm or raw`);
  }
}
