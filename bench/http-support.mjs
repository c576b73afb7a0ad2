// Helpers of the HTTP benchmark (bench/http.mjs, bench/http-events.mjs): percentiles, free ports,
// child processes that announce readiness on stderr, etcd on loopback, and cleaning a broker
// namespace. Nothing here closes connections it did not open.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';

/**
 * Nearest-rank percentile (the smallest value with at least p % of the values at or below it).
 * @param {number[]} xs at least one value
 * @param {number} p 0 to 100
 */
export function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** A TCP port free on 127.0.0.1 now (another process may take it before it is used). */
export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer().once('error', rej).listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** An environment without toolflow's service variables (embedded mode), plus `extra`. */
export function embeddedEnv(extra = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('TOOLFLOW_') || k === 'K_SINK') delete env[k];
  return { ...env, ...extra };
}

/**
 * Spawns `node args…` and waits until a line of its stderr matches `ready`.
 * @returns {{ match: RegExpMatchArray, stop: () => Promise<void>, stderr: () => string }} `stop`
 *   sends SIGTERM and waits for the exit (SIGKILL after 20 s).
 * @throws when the process exits first or is not ready within `timeoutMs`, with its stderr's tail.
 */
export async function startProcess(args, env, ready, timeoutMs = 60_000) {
  let tail = '';
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  const exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
  let gone;
  void exited.then((e) => (gone = e));
  const match = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`node ${args.join(' ')} not ready within ${timeoutMs} ms: ${tail}`)), timeoutMs);
    child.stderr.on('data', (d) => {
      tail = (tail + d).slice(-8000);
      const m = ready.exec(tail);
      if (m) {
        clearTimeout(timer);
        res(m);
      }
    });
    void exited.then((e) => {
      clearTimeout(timer);
      rej(new Error(`node ${args.join(' ')} exited (${e.code ?? e.signal}) before it was ready: ${tail}`));
    });
  }).catch((err) => {
    if (!gone) child.kill('SIGKILL');
    throw err;
  });
  return {
    match,
    stderr: () => tail,
    async stop() {
      if (gone) return;
      child.kill('SIGTERM');
      const stopped = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 20_000))]);
      if (!stopped) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/**
 * Runs `node args…` to its end.
 * @returns {Promise<{ ms: number, stdout: string }>} its wall time (spawn to exit) and stdout.
 * @throws when it exits non-zero, with its stderr's tail.
 */
export function runProcess(args, env) {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    child.once('exit', (code, signal) => {
      const ms = performance.now() - t0;
      if (code === 0) res({ ms, stdout });
      else rej(new Error(`node ${args.join(' ')} failed (${code ?? signal}): ${stderr}`));
    });
  });
}

/** Starts etcd on free loopback ports in a temp dir, or returns null when `etcd` is not installed. */
export async function startEtcd() {
  if (spawnSync('sh', ['-c', 'command -v etcd']).status !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'toolflow-bench-etcd-'));
  const [c, p] = [`http://127.0.0.1:${await freePort()}`, `http://127.0.0.1:${await freePort()}`];
  const child = spawn('etcd', ['--name', 'b', '--data-dir', join(dir, 'd'), '--listen-client-urls', c, '--advertise-client-urls', c, '--listen-peer-urls', p, '--initial-advertise-peer-urls', p, '--initial-cluster', `b=${p}`, '--logger', 'zap', '--log-outputs', join(dir, 'log')], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${c}/health`).then((r) => r.ok, () => false)) {
      return { endpoint: c, stop: () => (child.kill(), rmSync(dir, { recursive: true, force: true })) };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  rmSync(dir, { recursive: true, force: true });
  throw new Error('bench: etcd did not start');
}

/**
 * Deletes what a run declared under `namespace` on the broker at `url`, as the tests'
 * `deleteAmqpNamespace` does: every queue named `<namespace>.…` (listed with rabbitmqctl, when it
 * is here), the usual consumers' queues, the dead-letter queue and both exchanges. Only its own
 * connection is opened and closed.
 */
export async function deleteAmqpNamespace(url, namespace) {
  let listed = [];
  try {
    listed = spawnSync('rabbitmqctl', ['-q', 'list_queues', '--no-table-headers', 'name'], { encoding: 'utf8', timeout: 30_000 })
      .stdout.split('\n')
      .map((l) => l.trim())
      .filter((q) => q.startsWith(`${namespace}.`));
  } catch {
    // no rabbitmqctl here (a remote broker): the usual names below still go
  }
  const conn = await amqp.connect(url);
  const ch = await conn.createChannel();
  for (const q of new Set([...listed, ...['enqueue', 'handle-status', 'rerun-policy', 'dead-letters'].map((c) => `${namespace}.${c}`)])) await ch.deleteQueue(q);
  await ch.deleteExchange(`${namespace}.events`);
  await ch.deleteExchange(`${namespace}.dead-letter`);
  await conn.close();
}
