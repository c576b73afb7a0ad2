// Start-up cost (issue 8 §6): commands load only what they use. `toolflow --help`, `validate`, an
// embedded `run` and a function on K_SINK and SQLite never load a service's client (amqplib, etcd3,
// mysql2, @aws-sdk); a configured service does load its client (the control that the trace sees
// such modules at all).
// Times are measured by bench/startup.mjs, not asserted here (machines are noisy).
import { execFile, spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/tmp.js';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const BIN = join(root, 'bin/toolflow.js');
const TRACE = join(import.meta.dirname, '../support/module-trace.mjs');
const SERVICE_CLIENTS = ['amqplib', 'etcd3', 'mysql2', '@aws-sdk'];
const dir = tempDir();
let runs = 0;

/** Runs the compiled CLI with the module trace; returns its exit code, output and the packages it loaded. */
async function traced(args: string[], env: Record<string, string> = {}) {
  const n = runs++;
  const trace = join(dir, `trace-${n}.txt`);
  writeFileSync(trace, '');
  const childEnv: NodeJS.ProcessEnv = { ...process.env, TOOLFLOW_HOME: join(dir, `home-${n}`), TOOLFLOW_MODULE_TRACE: trace, ...env };
  // Embedded mode: none of the services' variables, whatever the test machine sets.
  for (const name of ['TOOLFLOW_DATABASE_URL', 'TOOLFLOW_AMQP_URL', 'TOOLFLOW_ETCD_ENDPOINTS', 'TOOLFLOW_S3_BUCKET', 'TOOLFLOW_S3_ENDPOINT', 'K_SINK']) {
    if (!(name in env)) delete childEnv[name];
  }
  let result: { code: number; stdout: string; stderr: string };
  try {
    const { stdout, stderr } = await exec('node', ['--import', TRACE, BIN, ...args], { env: childEnv, cwd: dir });
    result = { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    result = { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
  return { ...result, packages: packagesIn(trace) };
}

/**
 * The top-level packages whose files a trace lists: `node_modules/<name>/…` (a nested copy, such as
 * faas-js-runtime's own fastify, counts under its own name), every `@aws-sdk/*` as `@aws-sdk`.
 */
function packagesIn(trace: string): Set<string> {
  const packages = new Set<string>();
  for (const line of readFileSync(trace, 'utf8').split('\n')) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line);
    // ajv's small run-time helpers (ucs2length) serve the precompiled workflow validator: not ajv itself.
    if (m && !/node_modules\/ajv\/dist\/runtime\//.test(line)) packages.add(m[1]!.startsWith('@aws-sdk/') ? '@aws-sdk' : m[1]!);
  }
  return packages;
}

/** A TCP port free on loopback now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

const clientsIn = (packages: Set<string>) => SERVICE_CLIENTS.filter((p) => packages.has(p));

describe('what a command loads', () => {
  it('toolflow --help loads commander and no service client', async () => {
    const r = await traced(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('validate');
    expect(r.packages.has('commander')).toBe(true); // the trace sees packages
    expect(clientsIn(r.packages)).toEqual([]);
    // Nor the store, the executor or ajv: --help needs none of them.
    expect([...r.packages].filter((p) => ['kysely', 'better-sqlite3', 'pino', 'ajv', 'js-yaml', 'yaml'].includes(p))).toEqual([]);
  });

  it('toolflow validate of the example (embedded) loads no service client and no store', async () => {
    const r = await traced(['validate', join(root, 'examples/reads-qc/workflow.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid: 7 tools');
    expect(r.packages.has('js-yaml')).toBe(true);
    expect(clientsIn(r.packages)).toEqual([]);
    expect([...r.packages].filter((p) => ['kysely', 'better-sqlite3', 'ajv'].includes(p))).toEqual([]);
  });

  it('toolflow validate of an invalid workflow (the error path) loads no service client', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: bad\ntools:\n  - name: a\n    cmds: echo hi\n');
    const r = await traced(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('must be array');
    expect(clientsIn(r.packages)).toEqual([]);
  });

  it('toolflow run of a one-tool workflow in embedded mode loads no service client', async () => {
    const file = join(dir, 'one.yaml');
    writeFileSync(file, 'name: one\ntools:\n  - name: hello\n    cmds: [echo hi]\n');
    const r = await traced(['run', file, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'succeeded' });
    expect(r.packages.has('better-sqlite3')).toBe(true);
    expect(clientsIn(r.packages)).toEqual([]);
    // Kysely comes from its one-file bundle (scripts/bundle-dependencies.mjs), not its ~280 files.
    expect(r.packages.has('kysely'), 'dist/shared/store/kysely.js is not the bundle: run npm run build').toBe(false);
  });

  it('toolflow function handle-status with K_SINK and an SQLite store loads no service client', async () => {
    const n = runs++;
    const trace = join(dir, `trace-${n}.txt`);
    writeFileSync(trace, '');
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, TOOLFLOW_HOME: join(dir, `home-${n}`), TOOLFLOW_MODULE_TRACE: trace, K_SINK: `http://127.0.0.1:${await freePort()}/` };
    for (const name of ['TOOLFLOW_DATABASE_URL', 'TOOLFLOW_AMQP_URL', 'TOOLFLOW_ETCD_ENDPOINTS', 'TOOLFLOW_S3_BUCKET', 'TOOLFLOW_S3_ENDPOINT', 'TOOLFLOW_FUNCTION_SECRET']) delete env[name];
    const child = spawn('node', ['--import', TRACE, BIN, 'function', 'handle-status', '--port', String(port)], { env, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let ready = false;
    for (let i = 0; i < 600 && !ready && child.exitCode === null; i++) {
      ready = await fetch(`http://127.0.0.1:${port}/health/readiness`).then((r) => r.ok, () => false);
      if (!ready) await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGTERM');
    await exited;
    expect(ready, stderr).toBe(true);
    const packages = packagesIn(trace);
    expect(packages.has('faas-js-runtime')).toBe(true); // it did serve, under the Knative runtime
    expect(packages.has('better-sqlite3')).toBe(true);
    expect(clientsIn(packages)).toEqual([]);
  });

  it('a configured MySQL store does load mysql2 (and nothing else of the services)', async () => {
    // Port 1 on loopback refuses at once: the command fails on the store, after loading its client.
    const r = await traced(['status'], { TOOLFLOW_DATABASE_URL: 'mysql://root@127.0.0.1:1/toolflow' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot use MySQL at mysql://root@127.0.0.1:1/toolflow');
    expect(clientsIn(r.packages)).toEqual(['mysql2']);
  });
});
