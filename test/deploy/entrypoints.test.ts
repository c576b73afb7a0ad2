/**
 * The commands the manifests start are real: each Knative Service's args and each stack.yml
 * `fprocess` is run here as the image would run it (`/app` being this folder, `toolflow` the built
 * bin/toolflow.js), on a free port of loopback, in embedded mode (a temporary TOOLFLOW_HOME, and a
 * K_SINK for the event functions, which they only contact to publish). Each must become ready on
 * `GET /health/readiness`; the task-host functions must refuse to start, saying where they run
 * (why they are left out of `kubectl apply -f knative/` and of the README's `faas-cli up`). The
 * connector needs RabbitMQ, which these tests do not touch: it must refuse clearly without it.
 * Runs the compiled dist/ (`npm test` builds it first).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../shared/runtime/runtime.js';
import { tempDir } from '../support/tmp.js';
import { knativeAll, loadEnvironmentFile, loadStack, ofKind, ROOT, type Manifest } from './manifests.js';

const TASK_HOST = new Set(FUNCTIONS.filter((f) => f.placement === 'task-host').map((f) => f.name));
/** How long a process may take to become ready or to refuse, ms (generous: machines are noisy). */
const START_WITHIN_MS = 30_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A manifest's command made local: `toolflow` → node bin/toolflow.js, `/app/…` → this folder, the port → `port`. */
function localCommand(words: string[], port: number): string[] {
  const out = words.map((w) => (w.startsWith('/app/') ? join(ROOT, w.slice(5)) : w));
  const i = out.indexOf('--port');
  if (i >= 0) out[i + 1] = String(port);
  return out[0] === 'toolflow' ? [process.execPath, join(ROOT, 'bin/toolflow.js'), ...out.slice(1)] : out[0] === 'node' ? [process.execPath, ...out.slice(1)] : out;
}

/** What a started process did: became ready (then was stopped), or exited first. */
type Outcome = { ready: true; exitCode: number | null } | { ready: false; exitCode: number | null; stderr: string };

/** Starts `command` and waits until `port` answers readiness 200, or the process exits. */
async function start(command: string[], env: Record<string, string>, port: number): Promise<Outcome> {
  const child = spawn(command[0]!, command.slice(1), { cwd: ROOT, env: { PATH: process.env.PATH!, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + START_WITHIN_MS;
  let done: number | null | undefined;
  void exited.then((c) => (done = c));
  while (Date.now() < deadline && done === undefined) {
    const ok = await fetch(`http://127.0.0.1:${port}/health/readiness`).then((r) => r.status === 200, () => false);
    if (ok) {
      child.kill('SIGTERM');
      return { ready: true, exitCode: await exited };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (done === undefined) child.kill('SIGKILL');
  return { ready: false, exitCode: await exited, stderr };
}

/** The environment of a started function: embedded backends in a folder of its own, a sink for its events. */
function baseEnv(): Record<string, string> {
  return { TOOLFLOW_HOME: tempDir('toolflow-entry-'), TOOLFLOW_LOG_LEVEL: 'warn', K_SINK: 'http://127.0.0.1:9/', USER: 'test' };
}

/** Checks one function's outcome: ready (stopped cleanly by SIGTERM), or a task-host refusal. */
function expectOutcome(name: string, where: string, o: Outcome): void {
  if (TASK_HOST.has(name)) {
    expect(o.ready, where).toBe(false);
    expect(o.exitCode, where).toBe(2);
    expect((o as { stderr: string }).stderr, where).toContain('toolflow dev');
  } else {
    expect(o.ready, `${where}: ${o.ready ? '' : (o as { stderr: string }).stderr}`).toBe(true);
  }
}

describe('the commands the manifests start', () => {
  const services = ofKind(knativeAll(), 'Service').filter((s) => s.metadata.labels?.['app.kubernetes.io/component'] !== 'dead-letter-sink');

  it.each(services.map((s) => [s.metadata.name, s] as const))('Knative Service %s', async (name, s) => {
    const args = (s as Manifest & { spec: { template: { spec: { containers: { args: string[] }[] } } } }).spec.template.spec.containers[0]!.args;
    const port = await freePort();
    // Knative sets PORT to the container port; `--port` in the args, when there, says the same.
    const o = await start(localCommand(args, port), { ...baseEnv(), PORT: String(port) }, port);
    expectOutcome(name, s.where, o);
  });

  const stack = Object.entries(loadStack().functions).filter(([name]) => name !== 'connector');
  it.each(stack)('stack.yml function %s', async (name, f) => {
    const port = await freePort();
    // of-watchdog passes its environment on: the file's and the function's variables, with http_port moved.
    const env = { ...Object.assign({}, ...(f.environment_file ?? []).map(loadEnvironmentFile)), ...f.environment } as Record<string, string>;
    delete env.TOOLFLOW_ETCD_ENDPOINTS; // the services of the file are a cluster's: embedded here
    delete env.TOOLFLOW_S3_BUCKET;
    delete env.TOOLFLOW_S3_ENDPOINT;
    delete env.TOOLFLOW_HOME;
    const o = await start(localCommand(f.fprocess!.split(' '), port), { ...env, ...baseEnv(), http_port: String(port) }, port);
    expectOutcome(name, `stack.yml ${name}`, o);
  });

  it('stack.yml connector: its command and targets parse, and without a broker it refuses, naming TOOLFLOW_AMQP_URL', async () => {
    const f = loadStack().functions.connector!;
    const [command, ...args] = localCommand(f.fprocess!.split(' '), 0);
    const child = spawn(command!, args, {
      env: { PATH: process.env.PATH!, TOOLFLOW_CONNECTOR_TARGETS: f.environment!.TOOLFLOW_CONNECTOR_TARGETS! },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('TOOLFLOW_AMQP_URL');
  });
});
