#!/usr/bin/env node
// Start-up cost (issue 8 §6; part of `npm run bench`, or alone: `node bench/startup.mjs` after
// `npm run build`). A function that scales from zero pays its start-up on the first event, so, in
// this one run, on this machine:
// - commands: wall time of `node -e 0` (bare node, the floor), `toolflow --help`, `toolflow
//   validate` of the main example and an embedded `toolflow run` of a one-tool workflow; median of
//   BENCH_STARTUP_REPEAT runs (default 7), each a new process, and the ratio to bare node;
// - functions: time from spawning the process to its first successful `GET /health/readiness`
//   (polled every 5 ms), and its resident memory (VmRSS) after 1 s idle, for a hello-world
//   faas-js-runtime function (the Knative Functions Node template) and for toolflow's handle-status
//   event function, both as `toolflow function handle-status` runs it (the figure the target is
//   checked on) and as a Knative image runs it (faas-js-runtime's CLI on
//   dist/functions/handle-status/index.js), median of the runs, interleaved.
//   handle-status runs in services mode (MariaDB and RabbitMQ on loopback: BENCH_MYSQL_URL,
//   BENCH_AMQP_URL) when they answer, else with an SQLite store and K_SINK (no broker), as labelled.
// Targets (issue 8): --help ≤ 3× bare node; a function ready to serve ≤ 300 ms; idle RSS ≤ 80 MB.
// BENCH_STARTUP_BASELINE=DIR also times the commands of another built checkout (with node_modules)
// in the same run, e.g. the tree before a change.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './http-support.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repeat = Number(process.env.BENCH_STARTUP_REPEAT ?? 7);
const MYSQL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const AMQP = process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const IDLE_MS = 1000;
const READY_TIMEOUT_MS = 30_000;
const TARGET = { helpRatio: 3, readyMs: 300, rssMB: 80 };

const work = mkdtempSync(join(tmpdir(), 'toolflow-bench-startup-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${Math.round(x)} ms`;
const mb = (x) => (x === null ? '-' : `${x.toFixed(1)} MB`);
const meets = (ok) => (ok ? 'yes' : '**no**');

/** An environment without toolflow's service variables (embedded mode), plus `extra`. */
function embeddedEnv(extra = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('TOOLFLOW_') || k === 'K_SINK') delete env[k];
  return { ...env, TOOLFLOW_HOME: join(work, 'home'), ...extra };
}

/** Wall time of one process in ms. @throws when it exits non-zero. */
function timeOnce(args, env) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env, cwd: work });
  const t = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed (${r.status}): ${String(r.stderr).slice(-2000)}`);
  return t;
}

/** Resident memory of a process, MB (Linux /proc), or null where there is no /proc. */
function rssMB(pid) {
  try {
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Spawns a server and polls GET /health/readiness until it answers 2xx.
 * @returns ms from spawn to that answer, and VmRSS after IDLE_MS idle; the process is then stopped.
 * @throws when it exits first or is not ready within READY_TIMEOUT_MS (with its stderr).
 */
async function readyOnce(args, env, port) {
  let stderr = '';
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env, cwd: work });
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
  let gone;
  void exited.then((e) => (gone = e));
  try {
    for (;;) {
      if (gone) throw new Error(`node ${args.join(' ')} exited (${gone.code ?? gone.signal}) before it was ready: ${stderr}`);
      if (performance.now() - t0 > READY_TIMEOUT_MS) throw new Error(`node ${args.join(' ')} not ready within ${READY_TIMEOUT_MS} ms: ${stderr}`);
      const ok = await fetch(`http://127.0.0.1:${port}/health/readiness`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const readyMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, IDLE_MS));
    return { readyMs, rss: rssMB(child.pid) };
  } finally {
    if (!gone) {
      child.kill('SIGTERM');
      const stopped = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 5000))]);
      if (!stopped) child.kill('SIGKILL');
    }
  }
}

/**
 * Ready times and idle RSS of several servers, median of `repeat` runs each, interleaved (one run
 * of each in turn, so that a slow moment of the machine hits all).
 * @param servers `{ args(port, run), env(run) }` each. @returns `{ readyMs, rss }` each, in order.
 */
async function readyMedians(servers) {
  const runs = servers.map(() => []);
  for (let i = 0; i < repeat; i++) {
    for (const [k, s] of servers.entries()) {
      const port = await freePort();
      runs[k].push(await readyOnce(s.args(port, i), s.env(i), port));
    }
  }
  return runs.map((r) => {
    const rss = r.map((x) => x.rss).filter((x) => x !== null);
    return { readyMs: median(r.map((x) => x.readyMs)), rss: rss.length ? median(rss) : null };
  });
}

/** Services for handle-status: a fresh database and namespace when MariaDB and RabbitMQ answer, else null. */
async function openServices() {
  if (process.env.BENCH_SERVICES === '0') return null;
  const tag = randomBytes(3).toString('hex');
  const database = `toolflow_bench_startup_${tag}`;
  const namespace = `benchstartup${tag}`;
  try {
    const [{ default: mysql }, { default: amqp }] = await Promise.all([import('mysql2/promise'), import('amqplib')]);
    const admin = await mysql.createConnection({ uri: MYSQL, connectTimeout: 3000 });
    const conn = await amqp.connect(AMQP, { timeout: 3000 });
    await admin.query(`CREATE DATABASE ${database}`);
    return {
      label: 'services mode (MariaDB, RabbitMQ)',
      env: { TOOLFLOW_DATABASE_URL: `${MYSQL.replace(/\/+$/, '')}/${database}`, TOOLFLOW_AMQP_URL: AMQP, TOOLFLOW_NAMESPACE: namespace },
      async close() {
        await admin.query(`DROP DATABASE IF EXISTS ${database}`).catch(() => undefined);
        await admin.end();
        const ch = await conn.createChannel();
        let queues = [];
        try {
          queues = spawnSync('rabbitmqctl', ['-q', 'list_queues', '--no-table-headers', 'name'], { encoding: 'utf8', timeout: 30_000 })
            .stdout.split('\n')
            .map((l) => l.trim())
            .filter((q) => q.startsWith(`${namespace}.`));
        } catch {
          // no rabbitmqctl here: the usual names below still go
        }
        for (const q of new Set([...queues, `${namespace}.handle-status`, `${namespace}.dead-letters`])) await ch.deleteQueue(q).catch(() => undefined);
        await ch.deleteExchange(`${namespace}.events`).catch(() => undefined);
        await ch.deleteExchange(`${namespace}.dead-letter`).catch(() => undefined);
        await conn.close();
      },
    };
  } catch (err) {
    console.error(`bench startup: services not reachable (${err.message}); handle-status runs with SQLite and K_SINK`);
    return null;
  }
}

function checkBuilt(dir) {
  if (!existsSync(join(dir, 'dist', 'shared', 'cli', 'main.js'))) throw new Error(`${dir} is not built: run npm run build there first`);
}

checkBuilt(root);
const baseline = process.env.BENCH_STARTUP_BASELINE ? resolve(process.env.BENCH_STARTUP_BASELINE) : null;
if (baseline) checkBuilt(baseline);

const example = join(root, 'examples', 'reads-qc', 'workflow.yaml');
const oneTool = join(work, 'one-tool.yaml');
writeFileSync(oneTool, 'name: one-tool\ntools:\n  - name: hello\n    cmds: [echo hello]\n');
const hello = join(work, 'hello.mjs');
// The Knative Functions Node template's function, minus its logging.
writeFileSync(hello, "export function handle(context, body) {\n  return 'hello';\n}\n");
const faasCli = join(root, 'node_modules', 'faas-js-runtime', 'bin', 'cli.js');

try {
  // Commands. Interleaved (one run of each in turn) so that a slow moment of the machine hits all.
  const trees = [{ name: '', dir: root }, ...(baseline ? [{ name: ' (baseline)', dir: baseline }] : [])];
  const commands = [{ label: 'node -e 0', args: ['-e', '0'] }];
  for (const t of trees) {
    const bin = join(t.dir, 'bin', 'toolflow.js');
    commands.push(
      { label: `toolflow --help${t.name}`, args: [bin, '--help'], help: !t.name },
      { label: `toolflow validate (reads-qc)${t.name}`, args: [bin, 'validate', example] },
      { label: `toolflow run (one tool, embedded)${t.name}`, args: [bin, 'run', oneTool, '--quiet'], run: true },
    );
  }
  const times = commands.map(() => []);
  for (let i = 0; i < repeat; i++) {
    commands.forEach((c, k) => {
      if (c.run) rmSync(join(work, 'home'), { recursive: true, force: true });
      times[k].push(timeOnce(c.args, embeddedEnv()));
    });
  }
  const bare = median(times[0]);
  console.log(`\nStart-up of commands, median of ${repeat} runs (wall time of a new process; ratio to bare node in this run):\n`);
  console.log('| command | time | × bare node |');
  console.log('| --- | --- | --- |');
  commands.forEach((c, k) => console.log(`| ${c.label} | ${ms(median(times[k]))} | ${(median(times[k]) / bare).toFixed(2)}x |`));
  const helpRatio = median(times[commands.findIndex((c) => c.help)]) / bare;

  // Functions: the hello world, then handle-status as `toolflow function` runs it (when that
  // command exists) and as a Knative image runs it (faas-js-runtime's CLI on its module).
  const services = await openServices();
  let rows;
  try {
    const hasFunctionCommand = spawnSync(process.execPath, [join(root, 'bin', 'toolflow.js'), 'function', '--help'], { encoding: 'utf8' }).status === 0;
    const sink = await freePort(); // K_SINK is only posted to on an event: nothing needs to listen for readiness
    const fnEnv = (i) => embeddedEnv(services ? services.env : { TOOLFLOW_HOME: join(work, `fn-home-${i}`), K_SINK: `http://127.0.0.1:${sink}/` });
    const mode = services ? services.label : 'SQLite store, K_SINK';
    const servers = [{ label: 'hello-world faas-js-runtime function', args: (port) => [faasCli, hello, '--port', String(port)], env: () => embeddedEnv() }];
    if (hasFunctionCommand) servers.push({ label: `toolflow function handle-status, ${mode}`, target: true, args: (port) => [join(root, 'bin', 'toolflow.js'), 'function', 'handle-status', '--port', String(port)], env: fnEnv });
    servers.push({ label: `faas-js-runtime dist/functions/handle-status/index.js, ${mode}`, target: !hasFunctionCommand, args: (port) => [faasCli, join(root, 'dist', 'functions', 'handle-status', 'index.js'), '--port', String(port)], env: fnEnv });
    const measured = await readyMedians(servers);
    rows = servers.map((s, k) => ({ ...s, ...measured[k] }));
  } finally {
    await services?.close();
  }
  const [helloRow] = rows;
  const functionRow = rows.find((r) => r.target);

  console.log(`\nFunctions ready to serve, median of ${repeat} runs (spawn → first 2xx of GET /health/readiness; VmRSS after ${IDLE_MS / 1000} s idle):\n`);
  console.log('| function | ready | × hello world | idle RSS |');
  console.log('| --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.label} | ${ms(r.readyMs)} | ${(r.readyMs / helloRow.readyMs).toFixed(2)}x | ${mb(r.rss)} |`);

  console.log('\nTargets (issue 8 §6):\n');
  console.log('| target | measured | met |');
  console.log('| --- | --- | --- |');
  console.log(`| toolflow --help ≤ ${TARGET.helpRatio}× bare node | ${helpRatio.toFixed(2)}x | ${meets(helpRatio <= TARGET.helpRatio)} |`);
  console.log(`| a function ready to serve ≤ ${TARGET.readyMs} ms (${functionRow.label.split(',')[0]}) | ${ms(functionRow.readyMs)} | ${meets(functionRow.readyMs <= TARGET.readyMs)} |`);
  console.log(`| idle RSS of a function ≤ ${TARGET.rssMB} MB | ${mb(functionRow.rss)} | ${functionRow.rss === null ? '-' : meets(functionRow.rss <= TARGET.rssMB)} |`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
