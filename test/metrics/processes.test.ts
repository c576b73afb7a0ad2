/**
 * `/metrics` in each kind of toolflow process, each run as a user would (the built CLI and function
 * entries, on loopback): `toolflow run` serves them only with `TOOLFLOW_METRICS_PORT` (and then
 * while it runs, without the server keeping it alive), and loads no prom-client without it; a
 * malformed value is refused; `toolflow dev` serves them on its port; an event function serves them
 * on its own server, under faas-js-runtime (`toolflow function`, whose own metrics move to
 * `/metrics/faas`) and as `node dist/functions/NAME/index.js`; `off` turns them off. With
 * `TOOLFLOW_METRICS_PORT=0` each says the address it bound (stderr, and its info log line).
 * Embedded mode: SQLite under a fresh TOOLFLOW_HOME, events to a K_SINK this test runs.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, startToolflow, until } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { binary, freePort, post, startFunctionProcess, startSink, submitted, type FunctionProcess, type Sink } from '../http/helpers.js';
import { get, scrape, type Family } from './scrape.js';

const exec = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const TRACE = join(ROOT, 'test/support/module-trace.mjs');
const dir = tempDir('toolflow-metrics-proc-');
const SERVICES = ['TOOLFLOW_DATABASE_URL', 'TOOLFLOW_AMQP_URL', 'TOOLFLOW_ETCD_ENDPOINTS', 'TOOLFLOW_S3_BUCKET', 'TOOLFLOW_S3_ENDPOINT', 'K_SINK', 'TOOLFLOW_METRICS_PORT', 'TOOLFLOW_FUNCTION_SECRET'];
let homes = 0;

/** The environment of a child in embedded mode, with a home of its own, whatever this machine sets. */
function embedded(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), TOOLFLOW_HOME: join(dir, `home-${homes++}`), ...extra };
  for (const name of SERVICES) if (!(name in extra)) delete env[name];
  return env;
}

const value = (f: Map<string, Family>, family: string, labels: Record<string, string> = {}, name = family) =>
  f.get(family)?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

let sink: Sink;
const procs: FunctionProcess[] = [];
beforeAll(async () => {
  sink = await startSink();
});
afterAll(async () => {
  for (const p of procs) p.child.kill('SIGKILL');
  await sink?.close();
});

describe('toolflow run', () => {
  it('with TOOLFLOW_METRICS_PORT serves /metrics while the task runs, then exits as soon as it ends', async () => {
    const go = join(dir, 'go');
    const wf = join(dir, 'wait.yaml');
    writeFileSync(wf, `name: wait\ntools:\n  - name: waiter\n    cmds: ['while [ ! -e ${go} ]; do sleep 0.05; done']\n`);
    const port = await freePort();
    const child = spawn('node', [BIN, 'run', wf, '--json'], { env: embedded({ TOOLFLOW_METRICS_PORT: `127.0.0.1:${port}` }), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const url = `http://127.0.0.1:${port}/metrics`;
    let families: Map<string, Family> | undefined;
    let text = '';
    for (const t0 = Date.now(); ; await new Promise((r) => setTimeout(r, 50))) {
      const got = await scrape(url).catch(() => undefined);
      if (got && value(got.families, 'toolflow_tools_running') === 1) {
        ({ families, text } = got);
        break;
      }
      if (Date.now() - t0 > 30_000) throw new Error('the tool did not show as running');
    }
    expect(value(families, 'toolflow_tasks_submitted_total')).toBe(1);
    expect(value(families, 'toolflow_work_manager_reports_total', { kind: 'start' })).toBe(1);
    expect(value(families, 'toolflow_event_handling_seconds', { function: 'enqueue' }, 'toolflow_event_handling_seconds_count')).toBe(1);
    writeFileSync(go, '');
    expect(await exited).toBe(0);
    const summary = JSON.parse(stdout) as { taskId: string; status: string };
    expect(summary.status).toBe('succeeded');
    expect(text).not.toContain(summary.taskId);
  });

  it('without it loads no prom-client and serves nothing; a malformed value is refused (exit 2)', async () => {
    const wf = join(dir, 'one.yaml');
    writeFileSync(wf, 'name: one\ntools:\n  - name: hello\n    cmds: [echo hi]\n');
    const trace = join(dir, 'trace.txt');
    writeFileSync(trace, '');
    await exec('node', ['--import', TRACE, BIN, 'run', wf, '--quiet'], { env: { ...embedded(), TOOLFLOW_MODULE_TRACE: trace } });
    expect(readFileSync(trace, 'utf8')).not.toMatch(/node_modules\/prom-client\//);
    expect(readFileSync(trace, 'utf8')).toMatch(/metrics\/record\.js/); // the trace sees toolflow's own modules
    const bad = await exec('node', [BIN, 'run', wf, '--quiet'], { env: embedded({ TOOLFLOW_METRICS_PORT: '94x' }) }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('TOOLFLOW_METRICS_PORT=94x: give a port (9464), HOST:PORT (127.0.0.1:9464) or off');
  });
});

describe('toolflow dev', () => {
  it('serves /metrics on its one port, with the tasks counted in its store', async () => {
    const port = await freePort();
    const run = startToolflow(['dev', '--port', String(port)], embedded());
    try {
      await until(() => run.stderr().includes('listening on'), 30_000, 'toolflow dev to listen');
      const { families } = await scrape(`http://127.0.0.1:${port}/metrics`);
      expect(Object.fromEntries(families.get('toolflow_tasks')!.samples.map((s) => [s.labels.status, s.value]))).toEqual({ queued: 0, processing: 0, succeeded: 0, failed: 0, cancelled: 0 });
      expect(families.get('toolflow_process_cpu_user_seconds_total')?.type).toBe('counter');
    } finally {
      run.child.kill('SIGTERM');
      await run.exitCode;
    }
  });
});

describe('an event function\'s own server', () => {
  it('toolflow function (faas-js-runtime): toolflow\'s metrics at /metrics, the runtime\'s at /metrics/faas', async () => {
    const fn = await startFunctionProcess((port) => [BIN, 'function', 'enqueue', '--port', String(port)], embedded({ K_SINK: sink.url }));
    procs.push(fn);
    expect(fn.stderr()).toContain('GET /health/liveness, /health/readiness, /metrics)');
    const sub = submitted();
    expect((await post(fn.url, binary(sub))).status).toBe(202);
    const { families, text } = await scrape(`${fn.url}/metrics`);
    expect(value(families, 'toolflow_tasks_submitted_total')).toBe(1);
    expect(value(families, 'toolflow_event_handling_seconds', { function: 'enqueue' }, 'toolflow_event_handling_seconds_count')).toBe(1);
    expect(text).not.toContain(sub.data.taskId);
    expect(text).not.toContain('faas_invocations');
    const faas = await get(`${fn.url}/metrics/faas`);
    expect(faas.status).toBe(200);
    expect(faas.text).toContain('faas_invocations');
  });

  it('node dist/functions/NAME/index.js (the raw server): /metrics beside the function; off: none', async () => {
    const entry = join(ROOT, 'dist/functions/enqueue/index.js');
    const fn = await startFunctionProcess(() => [entry], embedded({ K_SINK: sink.url }));
    procs.push(fn);
    const sub = submitted();
    expect((await post(fn.url, binary(sub))).status).toBe(202);
    const { families, text } = await scrape(`${fn.url}/metrics`);
    expect(value(families, 'toolflow_event_handling_seconds', { function: 'enqueue' }, 'toolflow_event_handling_seconds_count')).toBe(1);
    expect(text).not.toContain(sub.data.taskId);

    const off = await startFunctionProcess(() => [entry], embedded({ K_SINK: sink.url, TOOLFLOW_METRICS_PORT: 'off' }));
    procs.push(off);
    const r = await get(`${off.url}/metrics`);
    expect(r.status).toBe(405); // the event function's answer to a GET: nothing serves /metrics there
    expect(r.text).not.toContain('toolflow_');
  });

  it('with TOOLFLOW_METRICS_PORT, on that port instead of the function\'s', async () => {
    const entry = join(ROOT, 'dist/functions/enqueue/index.js');
    const metricsPort = await freePort();
    const fn = await startFunctionProcess(() => [entry], embedded({ K_SINK: sink.url, TOOLFLOW_METRICS_PORT: `127.0.0.1:${metricsPort}` }));
    procs.push(fn);
    expect((await get(`${fn.url}/metrics`)).status).toBe(405);
    const { families } = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(families.get('toolflow_event_handling_seconds')?.type).toBe('histogram');
  });
});

describe('TOOLFLOW_METRICS_PORT=0 (any free port) tells the address it bound', () => {
  const SERVING = /metrics: serving \/metrics on (http:\/\/127\.0\.0\.1:(\d+)\/metrics)/;
  /** The JSON log lines of `text` (pino's), parsed. */
  const jsonLines = (text: string) => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  /** The URL `text` says, after checking it is a port really chosen (not 0) and the info log line names it. */
  const told = (text: string, prefix: string) => {
    const m = new RegExp(`${prefix}: ${SERVING.source}`).exec(text);
    expect(m, text).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThan(0);
    expect(jsonLines(text)).toContainEqual(expect.objectContaining({ level: 30, msg: expect.stringMatching(/^metrics: serving \/metrics on http:\/\/127\.0\.0\.1:\d+\/metrics/), metricsUrl: m![1] }));
    return m![1]!;
  };

  it('toolflow run: on stderr and in its info log, and that address serves the metrics while it runs', async () => {
    const go = join(dir, 'go-port0');
    const wf = join(dir, 'wait-port0.yaml');
    writeFileSync(wf, `name: wait\ntools:\n  - name: waiter\n    cmds: ['while [ ! -e ${go} ]; do sleep 0.05; done']\n`);
    const child = spawn('node', [BIN, 'run', wf, '--json'], { env: embedded({ TOOLFLOW_METRICS_PORT: '127.0.0.1:0', TOOLFLOW_LOG_LEVEL: 'info' }), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await until(() => SERVING.test(stderr) && stderr.includes('"metricsUrl"'), 30_000, 'toolflow run to say where its metrics are');
      const url = told(stderr, 'toolflow');
      const { families } = await scrape(url);
      expect(value(families, 'toolflow_tools_running')).toBeDefined();
    } finally {
      writeFileSync(go, '');
    }
    expect(await exited).toBe(0);
  });

  it('toolflow dev: on stderr after its listening line, and in its info log (stdout)', async () => {
    const run = startToolflow(['dev', '--port', '0'], embedded({ TOOLFLOW_METRICS_PORT: '127.0.0.1:0', TOOLFLOW_LOG_LEVEL: 'info' }));
    try {
      await until(() => SERVING.test(run.stderr()) && run.stdout().includes('"metricsUrl"'), 30_000, 'toolflow dev to say where its metrics are');
      expect(run.stderr()).toMatch(/toolflow dev: listening on .*\ntoolflow dev: metrics: serving/);
      const url = told(`${run.stderr()}\n${run.stdout()}`, 'toolflow dev');
      const { families } = await scrape(url);
      expect(families.get('toolflow_tasks')?.type).toBe('gauge');
    } finally {
      run.child.kill('SIGTERM');
      await run.exitCode;
    }
  });

  it('node dist/functions/NAME/index.js with a bare 0: every interface, said so', async () => {
    const entry = join(ROOT, 'dist/functions/enqueue/index.js');
    const fn = await startFunctionProcess(() => [entry], embedded({ K_SINK: sink.url, TOOLFLOW_METRICS_PORT: '0', TOOLFLOW_LOG_LEVEL: 'info' }));
    procs.push(fn);
    await until(() => fn.stderr().includes('"metricsUrl"'), 30_000, 'the function to log where its metrics are');
    const url = told(fn.stderr(), 'toolflow function enqueue');
    expect(fn.stderr()).toContain(`toolflow function enqueue: metrics: serving /metrics on ${url} (every interface)\n`);
    expect((await scrape(url)).families.get('toolflow_event_handling_seconds')?.type).toBe('histogram');
  });

  it('toolflow function (faas-js-runtime)', async () => {
    const fn = await startFunctionProcess((port) => [BIN, 'function', 'enqueue', '--port', String(port)], embedded({ K_SINK: sink.url, TOOLFLOW_METRICS_PORT: '127.0.0.1:0', TOOLFLOW_LOG_LEVEL: 'info' }));
    procs.push(fn);
    await until(() => SERVING.test(fn.stderr()) && fn.stderr().includes('"metricsUrl"'), 30_000, 'the function to say where its metrics are');
    const url = told(fn.stderr(), 'toolflow function enqueue');
    expect((await scrape(url)).families.get('toolflow_event_handling_seconds')?.type).toBe('histogram');
  });
});
