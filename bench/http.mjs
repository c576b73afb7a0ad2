#!/usr/bin/env node
// HTTP benchmark (issue 8 §8; part of `npm run bench`, or alone: `node bench/http.mjs` after
// `npm run build`), all in this one run on this machine:
//
// 1. HTTP submit → task finished for the fan-100 no-op DAG of bench/dag-forms.mjs (src, 100 tools
//    side by side, join), with a budget of 2 cpus (TOOLFLOW_CPUS=2) everywhere:
//    - `toolflow dev` in embedded mode (no variables) and in services mode (RabbitMQ, a fresh MariaDB
//      database, etcd when installed; its connector feeds the shared functions over HTTP);
//    - wall time from the POST /v1/tasks to the first GET /v1/tasks/<id> that answers `succeeded`
//      (polled again 20 ms after each answer), over a warm server (one submission first, not
//      counted), BENCH_HTTP_REPEAT runs (default 10): median and p95 (nearest rank);
//    - the reference: the same DAG through `toolflow run` with the same variables (a new process
//      each time, so its wall time includes node's start-up; its own task duration is given too).
// 2. Events per second into handle-status through the in-process bus, the plain AMQP bus and the
//    connector + HTTP function (bench/http-events.mjs): BENCH_HTTP_EVENTS events (default 2000),
//    BENCH_HTTP_EVENT_ROUNDS rounds (default 3), median.
//
// Env: BENCH_MYSQL_URL (mysql://root@127.0.0.1:3306), BENCH_AMQP_URL (amqp://guest:guest@127.0.0.1:5672).
// Each run uses namespaces and databases of its own (`benchhttp<tag>`, `toolflow_bench_http_<tag>`)
// and deletes them at the end.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { writeDag } from './dag-forms.mjs';
import { measureEvents } from './http-events.mjs';
import { deleteAmqpNamespace, embeddedEnv, pct, runProcess, startEtcd, startProcess } from './http-support.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'toolflow.js');
const MYSQL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const AMQP = process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const repeat = Number(process.env.BENCH_HTTP_REPEAT ?? 10);
const eventCount = Number(process.env.BENCH_HTTP_EVENTS ?? 2000);
const eventRounds = Number(process.env.BENCH_HTTP_EVENT_ROUNDS ?? 3);
const CPUS = '2';
const POLL_MS = 20;
const TASK_TIMEOUT_MS = 300_000;
const tag = randomBytes(3).toString('hex');
const namespace = `benchhttp${tag}`;
const database = `toolflow_bench_http_${tag}`;
const work = join(root, 'bench', 'out', `http-${tag}`);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => pct(xs, 50);
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;

/**
 * Submits `yaml` to the API at `base` and polls the task until it has finished.
 * @returns {Promise<{ wallMs: number, taskMs: number, polls: number }>} POST → `succeeded` seen, and
 *   the task's own duration (started → finished) as the API reports it.
 * @throws when the submission is refused or the task ends otherwise than `succeeded`.
 */
async function submitAndWait(base, token, yaml) {
  const auth = { authorization: `Bearer ${token}` };
  const t0 = performance.now();
  const res = await fetch(`${base}/v1/tasks`, { method: 'POST', headers: { ...auth, 'content-type': 'application/yaml' }, body: yaml });
  if (res.status !== 202) throw new Error(`bench: POST /v1/tasks answered ${res.status}: ${await res.text()}`);
  const { taskId } = await res.json();
  for (let polls = 1; ; polls++) {
    const r = await fetch(`${base}/v1/tasks/${taskId}`, { headers: auth });
    if (!r.ok) throw new Error(`bench: GET /v1/tasks/${taskId} answered ${r.status}: ${await r.text()}`);
    const task = await r.json();
    if (task.status === 'succeeded') return { wallMs: performance.now() - t0, taskMs: task.durationMs, polls };
    if (['failed', 'cancelled'].includes(task.status)) throw new Error(`bench: task ${taskId} ended ${task.status}: ${task.error}`);
    if (performance.now() - t0 > TASK_TIMEOUT_MS) throw new Error(`bench: task ${taskId} still ${task.status} after ${TASK_TIMEOUT_MS / 1000} s`);
    await sleep(POLL_MS);
  }
}

/** `repeat` timed submissions to a fresh `toolflow dev` with `env`, after one not counted. */
async function measureDev(env, yaml) {
  const token = (await runProcess([bin, 'token', 'create', '--owner', 'bench'], env)).stdout.trim();
  const dev = await startProcess([bin, 'dev', '--port', '0'], env, /listening on (http:\/\/[^\s]+)/);
  try {
    const base = dev.match[1];
    await submitAndWait(base, token, yaml);
    const runs = [];
    for (let i = 0; i < repeat; i++) runs.push(await submitAndWait(base, token, yaml));
    return runs;
  } finally {
    await dev.stop();
  }
}

/** `repeat` timed `toolflow run`s with `env`, after one not counted. */
async function measureRun(env, file) {
  const once = async () => {
    const r = await runProcess([bin, 'run', file, '--quiet', '--json'], env);
    const out = JSON.parse(r.stdout);
    if (out.status !== 'succeeded') throw new Error(`bench: toolflow run ended ${out.status}`);
    return { wallMs: r.ms, taskMs: out.durationMs };
  };
  await once();
  const runs = [];
  for (let i = 0; i < repeat; i++) runs.push(await once());
  return runs;
}

const summary = (runs) => ({ p50: median(runs.map((r) => r.wallMs)), p95: pct(runs.map((r) => r.wallMs), 95), task: median(runs.map((r) => r.taskMs)) });

async function main() {
  mkdirSync(work, { recursive: true });
  const dagDir = join(work, 'fan-100');
  writeDag('fan', 100, dagDir);
  const file = join(dagDir, 'workflow.yaml');
  const yaml = readFileSync(file, 'utf8');
  const admin = await mysql.createConnection(MYSQL);
  await admin.query(`CREATE DATABASE ${database}`);
  let etcd = null;
  try {
    etcd = await startEtcd();
    const embedded = (home) => embeddedEnv({ TOOLFLOW_HOME: join(work, home), TOOLFLOW_CPUS: CPUS });
    const services = (home) => ({
      ...embedded(home),
      TOOLFLOW_AMQP_URL: AMQP,
      TOOLFLOW_DATABASE_URL: `${MYSQL.replace(/\/+$/, '')}/${database}`,
      TOOLFLOW_NAMESPACE: namespace,
      ...(etcd ? { TOOLFLOW_ETCD_ENDPOINTS: etcd.endpoint } : {}),
    });
    // The run references go first in each mode: no dev server (and so no connector) is up then.
    const rows = [];
    for (const [mode, envOf] of [['embedded', embedded], ['services', services]]) {
      const run = summary(await measureRun(envOf(`run-${mode}`), file));
      console.error(`bench: http, toolflow run (${mode}) done`);
      const dev = summary(await measureDev(envOf(`dev-${mode}`), yaml));
      console.error(`bench: http, toolflow dev (${mode}) done`);
      rows.push({ mode, run, dev });
    }

    const events = await measureEvents({ root, amqpUrl: AMQP, mysqlUrl: MYSQL, home: join(work, 'function'), events: eventCount, rounds: eventRounds, warmup: Math.min(200, eventCount) });

    const servicesLabel = `RabbitMQ, MariaDB${etcd ? ', etcd' : ''}`;
    console.log(`\nHTTP submit → task finished, fan-100 no-op DAG, TOOLFLOW_CPUS=2; POST /v1/tasks to the first GET /v1/tasks/<id> answering succeeded (polled ${POLL_MS} ms after each answer), ${repeat} runs on a warm server; reference: toolflow run (a new process each run), same variables, same run. Services mode: ${servicesLabel}, dev's connector feeding its /functions/<name> over HTTP:\n`);
    console.log('| mode | how | wall p50 | wall p95 | task started → finished p50 | dev wall / run wall (p50) | dev wall / run task duration (p50) |');
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    for (const r of rows) {
      console.log(`| ${r.mode} | toolflow run | ${s(r.run.p50)} | ${s(r.run.p95)} | ${s(r.run.task)} | | |`);
      console.log(`| ${r.mode} | toolflow dev, HTTP | ${s(r.dev.p50)} | ${s(r.dev.p95)} | ${s(r.dev.task)} | ${(r.dev.p50 / r.run.p50).toFixed(2)}x | ${(r.dev.p50 / r.run.task).toFixed(2)}x |`);
    }
    const [emb, svc] = rows;
    console.log(`\nservices / embedded, HTTP wall p50: ${(svc.dev.p50 / emb.dev.p50).toFixed(2)}x (toolflow run: ${(svc.run.p50 / emb.run.p50).toFixed(2)}x).`);

    console.log(`\nEvents per second into handle-status: ${eventCount} tool.keepalive events (one UPDATE each, fenced, each a different attempt row), same MariaDB database, median of ${eventRounds} rounds after a warm-up, from the first publish until all ${eventCount} rows show it:\n`);
    console.log('| path | events/s (median) | rounds | × in-process bus | × AMQP bus |');
    console.log('| --- | --- | --- | --- | --- |');
    const rate = (e) => median(e.eventsPerSecond);
    const [memory, amqpBus] = events.map(rate);
    for (const e of events) {
      console.log(`| ${e.path} | ${rate(e).toFixed(0)} | ${e.eventsPerSecond.map((x) => x.toFixed(0)).join(', ')} | ${(rate(e) / memory).toFixed(2)}x | ${(rate(e) / amqpBus).toFixed(2)}x |`);
    }
  } finally {
    etcd?.stop();
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.end();
    await deleteAmqpNamespace(AMQP, namespace).catch((err) => console.error(`bench: could not delete the broker namespace ${namespace}: ${err.message}`));
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
