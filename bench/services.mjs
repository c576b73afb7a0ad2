#!/usr/bin/env node
// Services-mode benchmark (part of `npm run bench`, or alone: `node bench/services.mjs`): the
// fan-500 and chain-200 DAGs of bench/dag-forms.mjs through `toolflow run` on RabbitMQ,
// MariaDB and etcd with the local executor, against the same DAGs in embedded mode and a raw
// amqplib round trip on the same broker, all in this one run.
//
// Figures, from the rows the runs leave (times are the executor's start and exit reports):
// - tools/s on fan-500: tools / (last exit − first start);
// - step latency on chain-200: a tool's start − its predecessor's exit, p50 and p95;
// - reference: a sequential publish → consume round trip with raw amqplib, p50 and p95, (a) as light
//   as it gets (transient queue, no confirm, auto-ack) and (b) as toolflow sends events (persistent,
//   durable quorum queue, publisher confirm, manual ack).
// Env: BENCH_MYSQL_URL (mysql://root@127.0.0.1:3306), BENCH_AMQP_URL (amqp://guest:guest@127.0.0.1:5672).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import mysql from 'mysql2/promise';
import { writeDag } from './dag-forms.mjs';
import { startEtcd } from './http-support.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out');
const MYSQL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const AMQP = process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const cpus = 2;
const tag = randomBytes(3).toString('hex');
const namespace = `bench${tag}`;
const database = `toolflow_bench_${tag}`;

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};


/** Round trips publish → consume, sequential. @returns ms per trip, each. */
async function amqpRoundTrips(n, durable) {
  const conn = await amqp.connect(AMQP, { noDelay: true });
  const ch = durable ? await conn.createConfirmChannel() : await conn.createChannel();
  const q = `${namespace}.ping.${durable ? 'durable' : 'light'}`;
  await ch.assertQueue(q, durable ? { durable: true, arguments: { 'x-queue-type': 'quorum' } } : { durable: false, autoDelete: true });
  const times = [];
  let waiting;
  await ch.consume(q, (m) => {
    if (!m) return; // cancelled when the queue is deleted
    if (durable) ch.ack(m);
    waiting?.();
  }, { noAck: !durable });
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const got = new Promise((r) => (waiting = r));
    if (durable) await new Promise((res, rej) => ch.sendToQueue(q, Buffer.from('{"i":1}'), { persistent: true }, (err) => (err ? rej(err) : res())));
    else ch.sendToQueue(q, Buffer.from('{"i":1}'));
    await got;
    times.push(performance.now() - t0);
  }
  await ch.deleteQueue(q);
  await conn.close();
  return times.slice(Math.floor(n / 10)); // the first tenth warms up
}

/** Runs a workflow with `env`; @returns its task's rows and the wall time. */
async function runWorkflow(file, env, rowsOf) {
  const t0 = performance.now();
  const r = spawnSync('node', [join(root, 'bin', 'toolflow.js'), 'run', file, '--cpus', String(cpus), '--quiet', '--json'], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`bench: toolflow run failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const { taskId } = JSON.parse(r.stdout);
  return { wall, rows: await rowsOf(taskId) };
}

function figures(shape, rows) {
  const start = Math.min(...rows.map((r) => Number(r.started_at)));
  const end = Math.max(...rows.map((r) => Number(r.finished_at)));
  const f = { tools: rows.length, span: (end - start) / 1000 };
  if (shape === 'chain') {
    const byName = [...rows].sort((a, b) => (a.tool < b.tool ? -1 : 1));
    const steps = byName.slice(1).map((r, i) => Number(r.started_at) - Number(byName[i].finished_at));
    Object.assign(f, { p50: pct(steps, 50), p95: pct(steps, 95) });
  }
  return f;
}

async function main() {
  const admin = await mysql.createConnection(MYSQL);
  await admin.query(`CREATE DATABASE ${database}`);
  const dbUrl = `${MYSQL.replace(/\/$/, '')}/${database}`;
  const pool = mysql.createPool(dbUrl);
  const etcd = await startEtcd();
  const sqliteRows = (home) => async (taskId) => {
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(home, 'toolflow.db'), { readonly: true });
    const rows = db.prepare('SELECT tool, started_at, finished_at FROM tool_runs WHERE task_id = ?').all(taskId);
    db.close();
    return rows;
  };
  const mysqlRows = async (taskId) => (await pool.query('SELECT tool, started_at, finished_at FROM tool_runs WHERE task_id = ?', [taskId]))[0];
  const results = [];
  try {
    for (const [shape, n] of [['fan', 500], ['chain', 200]]) {
      const dir = join(out, `${shape}-${n}`);
      writeDag(shape, n, dir);
      const file = join(dir, 'workflow.yaml');
      const home = join(dir, `.toolflow-services-${tag}`);
      const embedded = await runWorkflow(file, { ...process.env, TOOLFLOW_HOME: home }, sqliteRows(home));
      const services = await runWorkflow(
        file,
        {
          ...process.env,
          TOOLFLOW_HOME: join(home, 's'),
          TOOLFLOW_DATABASE_URL: dbUrl,
          TOOLFLOW_AMQP_URL: AMQP,
          TOOLFLOW_NAMESPACE: namespace,
          ...(etcd ? { TOOLFLOW_ETCD_ENDPOINTS: etcd.endpoint } : {}),
        },
        mysqlRows,
      );
      rmSync(home, { recursive: true, force: true });
      results.push({ shape: `${shape}-${n}`, embedded: { wall: embedded.wall, ...figures(shape, embedded.rows) }, services: { wall: services.wall, ...figures(shape, services.rows) } });
      console.error(`bench: services ${shape}-${n} done`);
    }
    const light = await amqpRoundTrips(2000, false);
    const durable = await amqpRoundTrips(1000, true);

    console.log(`\nServices mode (RabbitMQ, MariaDB${etcd ? ', etcd' : ''}; local executor, ${cpus} cpu slots) against embedded mode, same DAGs, this run:\n`);
    console.log('| DAG | mode | wall (process start included) | first start → last exit | tools/s | step latency p50 | p95 |');
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    for (const r of results) {
      for (const mode of ['embedded', 'services']) {
        const f = r[mode];
        const steps = f.p50 === undefined ? '- | -' : `${f.p50} ms | ${f.p95} ms`;
        console.log(`| ${r.shape} | ${mode} | ${f.wall.toFixed(2)} s | ${f.span.toFixed(2)} s | ${(f.tools / f.span).toFixed(0)} | ${steps} |`);
      }
    }
    console.log('\nReference, same broker: raw amqplib publish → consume round trip, sequential:\n');
    console.log('| message path | p50 | p95 |');
    console.log('| --- | --- | --- |');
    console.log(`| transient queue, no confirm, auto-ack | ${pct(light, 50).toFixed(2)} ms | ${pct(light, 95).toFixed(2)} ms |`);
    console.log(`| durable quorum queue, persistent, confirm, manual ack (as toolflow) | ${pct(durable, 50).toFixed(2)} ms | ${pct(durable, 95).toFixed(2)} ms |`);
    const chain = results.find((r) => r.shape.startsWith('chain')).services;
    const fan = results.find((r) => r.shape.startsWith('fan')).services;
    console.log(`\nchain-200 step p50 = ${(chain.p50 / pct(durable, 50)).toFixed(1)} durable round trips; fan-500: ${(fan.tools / fan.span).toFixed(0)} tools/s (target ≥ 300), chain-200 p50 ${chain.p50} ms (target ≤ 50 ms).`);
  } finally {
    etcd?.stop();
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.end();
    const conn = await amqp.connect(AMQP);
    const ch = await conn.createChannel();
    for (const q of ['enqueue', 'handle-status', 'rerun-policy', 'dead-letters']) await ch.deleteQueue(`${namespace}.${q}`);
    await ch.deleteExchange(`${namespace}.events`);
    await ch.deleteExchange(`${namespace}.dead-letter`);
    await conn.close();
  }
}

await main();
