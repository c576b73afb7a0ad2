#!/usr/bin/env node
// Cluster-mode benchmark (issue 9 §8; part of `npm run bench`, or alone: `node bench/cluster.mjs`
// after `npm run build`). Everything on the built code (dist/), in this one run on this machine;
// the helpers are bench/cluster-*.mjs. Figures:
//
// 1. Reports per second one work manager takes. A task of 1,000 independent tools (+ one marker
//    tool) whose attempts are all running: its executor launches nothing and its attempts outlive
//    their driver (`attemptsOutliveDriver`, as Kubernetes Jobs), so they stay `running` and every
//    keepalive is acted on (watchdog re-armed, `tool.keepalive` published, handle-status writes
//    `last_heartbeat_at`). The work manager is served by the real `startReportServer`, in two set-ups:
//    - embedded: one process (`createRuntime`, SQLite, in-process bus) with the work manager, the
//      report server and every function, handle-status included;
//    - services: the work manager as `toolflow work-manager` runs it (runtime without functions,
//      report server, `resume`), on MariaDB + RabbitMQ + etcd; the functions in a second process.
//    Senders: BENCH_CLUSTER_SENDERS processes (default 2), each one `ReportClient` (one HTTP/2
//    connection) with BENCH_CLUSTER_IN_FLIGHT calls in flight (default 32), each loop sending the next
//    attempt's keepalive as soon as the previous one is answered, for BENCH_CLUSTER_FLOOD_S (default 8);
//    reports/s = reports answered OK within the window / window. CPU of each process over the flood
//    from /proc/<pid>/stat (user + system, all threads). Reference in the same run: the same
//    senders against the same `startReportServer` whose `deliver` only accepts (raw gRPC rate).
//    The 2-core machine is shared by senders and server: reports/s is bounded by the machine, so
//    the server CPU per report (µs) and its inverse (reports/s per core of the server) are given too.
//    "Drained": after the flood, a marker keepalive's time from send until handle-status wrote it.
// 2. CPU cost of 1,000 attempts sending a keepalive every 30 s. Same task; windows of
//    BENCH_CLUSTER_WINDOW_S (default 15 s) each, CPU of each process from /proc/<pid>/stat:
//    (a) idle: no sender connected; (b) 1,000 connections (one `ReportClient` each, own subchannel,
//    so own HTTP/2 connection and keepalive pings, as 1,000 sidecars), each having sent one keepalive
//    before, none in the window; (c) the same 1,000 channels each sending a keepalive every 30 s, at
//    evenly spread offsets (≈ 33 reports/s) from the sender processes. Per keepalive = ((c) − (b)) ×
//    window / keepalives. The work manager's own process does, per keepalive: the gRPC call, token
//    check, re-arming the watchdog, publishing `tool.keepalive` (embedded: in-process bus, plus
//    handle-status's SQLite write in the same process; services: to RabbitMQ with a publisher confirm,
//    handle-status's MariaDB write being in the functions process, shown on its own row). RabbitMQ's
//    and MariaDB's server processes are shown as context: they are shared with whatever else runs here.
// 3. Step latency through the cluster path: a chain of BENCH_CLUSTER_CHAIN no-op tools (default 20;
//    bench/dag-forms.mjs, each `true`) with `toolflow run` in cluster mode on the Kubernetes API test
//    double (test/support/cluster-stack.ts bundled with esbuild: MariaDB, RabbitMQ, etcd, s3rver, the
//    double running the work-manager Job and the tool Jobs' Pods as local processes; keepalive 30 s).
//    exit → next Job = the dependent's Job ADDED time in the double's journal − the tool's
//    `tool_runs.finished_at` (the sidecar's Exit report time: the mtime of the wrapper's `exit` file);
//    its parts from the events' times (recorded from the exchange): exit → `tool.exited` (sidecar
//    noticing the exit, uploading the logs to S3, the Exit report) → next `tool.ready` (handle-status,
//    `tool.succeeded`, the work manager) → Job ADDED (schedule-tool, the Kubernetes API). Pod start =
//    Job ADDED → `started_at` (the double's kubelet running the sidecar, staging, the tool's wrapper):
//    the double's cost, not toolflow's. The sidecar's share of exit → `tool.exited` comes from its own
//    log lines (`toolflow run` at level info, which its sidecars inherit; the work manager at warn):
//    exit → "outputs uploaded" → "exit reported" (the Exit sent, then the logs uploaded). Beside it, the same chain in services mode (local executor,
//    MariaDB + RabbitMQ + etcd) measured as bench/services.mjs does: a tool's `started_at` − its
//    predecessor's `finished_at`. p50 and p95 (nearest rank) over the chain's steps.
//
// Env: BENCH_MYSQL_URL (mysql://root@127.0.0.1:3306), BENCH_AMQP_URL (amqp://guest:guest@127.0.0.1:5672).
// Needs etcd on the PATH. Uses its own database `toolflow_b_cluster_<tag>`, broker namespace
// `benchcl<tag>` (the stack: its own `toolflow_t_*` database and namespace), temp folders, and
// removes them all at the end.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { writeDag } from './dag-forms.mjs';
import { measureWorkManager } from './cluster-reports.mjs';
import { closeStack, loadClusterStack, recordEvents, runChain, sidecarTimes, stepFigures } from './cluster-steps.mjs';
import { deleteAmqpNamespace, embeddedEnv, startEtcd } from './http-support.mjs';
import { printTables } from './cluster-tables.mjs';

const MYSQL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const AMQP = process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
// The tests' stack (bundled) reads its services from the tests' variables.
process.env.TOOLFLOW_TEST_MYSQL_URL ??= MYSQL;
process.env.TOOLFLOW_TEST_AMQP_URL ??= AMQP;
const o = {
  tools: 1000,
  clients: Number(process.env.BENCH_CLUSTER_SENDERS ?? 2),
  concurrency: Number(process.env.BENCH_CLUSTER_IN_FLIGHT ?? 32),
  windowMs: Number(process.env.BENCH_CLUSTER_WINDOW_S ?? 15) * 1000,
  floodMs: Number(process.env.BENCH_CLUSTER_FLOOD_S ?? 8) * 1000,
};
const chainLength = Number(process.env.BENCH_CLUSTER_CHAIN ?? 20);
const tag = randomBytes(3).toString('hex');
const namespace = `benchcl${tag}`;
const database = `toolflow_b_cluster_${tag}`;

/** The pid of the one process named `name` (`pgrep -x`), or undefined. */
function pidOf(name) {
  const pids = spawnSync('pgrep', ['-x', name], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
  return pids.length === 1 ? Number(pids[0]) : undefined;
}

async function main() {
  const etcd = await startEtcd();
  if (!etcd) throw new Error('bench: cluster mode needs etcd on the PATH (the stack and the work manager\'s task lock)');
  const admin = await mysql.createConnection(MYSQL);
  await admin.query(`CREATE DATABASE ${database}`);
  const dbUrl = `${MYSQL.replace(/\/$/, '')}/${database}`;
  const pool = mysql.createPool(dbUrl);
  const work = mkdtempSync(join(tmpdir(), 'toolflow-bench-chain-'));
  const servicesEnv = embeddedEnv({ TOOLFLOW_DATABASE_URL: dbUrl, TOOLFLOW_AMQP_URL: AMQP, TOOLFLOW_NAMESPACE: namespace, TOOLFLOW_ETCD_ENDPOINTS: etcd.endpoint });
  const services = [
    ['rabbitmq', pidOf('beam.smp')],
    ['mariadb', pidOf('mariadbd') ?? pidOf('mysqld')],
  ].filter(([, pid]) => pid !== undefined);
  let stack;
  try {
    const reports = {};
    for (const mode of ['raw', 'embedded', 'services']) {
      reports[mode] = await measureWorkManager(mode, mode === 'services' ? servicesEnv : embeddedEnv(), { ...o, services });
      console.error(`bench: cluster reports, ${mode} done`);
    }

    writeDag('chain', chainLength, work);
    const file = join(work, 'workflow.yaml');
    const steps = {};
    const servicesRecorder = await recordEvents(AMQP, namespace);
    try {
      const taskId = await runChain(file, { ...servicesEnv, TOOLFLOW_HOME: join(work, 'services'), TOOLFLOW_CPUS: '2' });
      const [rows] = await pool.query('SELECT tool, job_name, started_at, finished_at FROM tool_runs WHERE task_id = ?', [taskId]);
      steps.services = stepFigures(rows, await servicesRecorder.events());
    } finally {
      await servicesRecorder.close();
    }
    console.error('bench: cluster steps, services done');

    const { startClusterStack } = await loadClusterStack(tag);
    stack = await startClusterStack(etcd.endpoint, { keepaliveSeconds: 30, lostAfterSeconds: 90 });
    const clusterRecorder = await recordEvents(AMQP, stack.env.TOOLFLOW_NAMESPACE);
    try {
      // info: the sidecars (their level is schedule-tool's, here) log when the uploads were done; the work manager stays at warn.
      const taskId = await runChain(file, { ...stack.env, TOOLFLOW_LOG_LEVEL: 'info' }).catch((err) => {
        throw new Error(`${err.message}\n${stack.dump()}`);
      });
      const store = await stack.store();
      try {
        steps.cluster = stepFigures(await store.listToolRuns(taskId), await clusterRecorder.events(), stack.kube.journal(), sidecarTimes(stack));
      } finally {
        await store.close();
      }
    } finally {
      await clusterRecorder.close();
    }
    console.error('bench: cluster steps, cluster done');
    printTables({ o, reports, steps, chainLength });
  } finally {
    await closeStack(stack).catch((err) => console.error(`bench: closing the cluster stack: ${err.message}`));
    etcd.stop();
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.end();
    await deleteAmqpNamespace(AMQP, namespace);
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
