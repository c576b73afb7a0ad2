/**
 * Vitest global setup: starts the services the tests need that no machine of this kind runs by
 * itself: etcd, on free loopback ports with a temporary data dir (stopped and removed afterwards).
 * `TOOLFLOW_TEST_ETCD_ENDPOINTS` points the tests at an etcd already running instead; a run told to
 * skip etcd (`TOOLFLOW_TEST_SKIP=etcd`) starts none. An etcd that cannot start fails the run, naming it.
 *
 * radosgw (the S3 server of the upload tests, test/support/rgw.ts): this run's data dir (`rgwDir`),
 * where the first test file that calls `ensureRgw()` starts it; the teardown stops its daemons and
 * removes the dir, so no run leaves one behind, and runs side by side do not share one.
 * `TOOLFLOW_TEST_RGW_DIR` names a dir whose server outlives the run instead (not stopped here).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    etcdEndpoints: string;
    /** The data dir of this run's radosgw (`ensureRgw()`). */
    rgwDir: string;
  }
}

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

let etcd: ChildProcess | undefined;
let dataDir: string | undefined;
/** This run's radosgw data dir, when the teardown is to stop and remove it. */
let rgwDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  const keptRgw = process.env.TOOLFLOW_TEST_RGW_DIR;
  if (!keptRgw) rgwDir = mkdtempSync(join(tmpdir(), 'toolflow-rgw-run-'));
  project.provide('rgwDir', keptRgw || rgwDir!);
  const skip = (process.env.TOOLFLOW_TEST_SKIP ?? '').split(',').map((s) => s.trim());
  if (process.env.TOOLFLOW_TEST_ETCD_ENDPOINTS || skip.includes('etcd')) {
    project.provide('etcdEndpoints', process.env.TOOLFLOW_TEST_ETCD_ENDPOINTS ?? '');
    return;
  }
  const [client, peer] = [await freePort(), await freePort()];
  dataDir = mkdtempSync(join(tmpdir(), 'toolflow-etcd-'));
  const c = `http://127.0.0.1:${client}`;
  const p = `http://127.0.0.1:${peer}`;
  const log = join(dataDir, 'etcd.log');
  etcd = spawn(
    'etcd',
    ['--name', 'test', '--data-dir', join(dataDir, 'data'), '--listen-client-urls', c, '--advertise-client-urls', c, '--listen-peer-urls', p, '--initial-advertise-peer-urls', p, '--initial-cluster', `test=${p}`, '--logger', 'zap', '--log-outputs', log],
    { stdio: 'ignore' },
  );
  const failed = new Promise<Error>((resolve) => {
    etcd!.on('error', (err) => resolve(err));
    etcd!.on('exit', (code) => resolve(new Error(`it exited with code ${code}: ${tailOf(log)}`)));
  });
  for (let i = 0; i < 100; i++) {
    const ok = await Promise.race([
      fetch(`${c}/health`).then((r) => r.ok, () => false),
      failed.then((err) => {
        throw new Error(`etcd could not start (${err.message}); install it (apt-get install -y etcd-server), or set TOOLFLOW_TEST_SKIP=etcd to skip its tests`);
      }),
    ]);
    if (ok) {
      project.provide('etcdEndpoints', c);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`etcd did not answer on ${c} within 10 s\n${tailOf(log)}`);
}

function tailOf(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2000);
  } catch {
    return '(no log)';
  }
}

/** Stops the radosgw daemons of `dir` (scripts/s3-server/stop-rgw.sh: by its pid files only); none running is fine. */
function stopRgw(dir: string): Promise<void> {
  const script = fileURLToPath(new URL('../../scripts/s3-server/stop-rgw.sh', import.meta.url));
  return new Promise((resolve) => execFile('bash', [script, dir], { timeout: 30_000 }, () => resolve()));
}

export async function teardown(): Promise<void> {
  etcd?.kill('SIGTERM');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (rgwDir) {
    await stopRgw(rgwDir);
    rmSync(rgwDir, { recursive: true, force: true });
  }
}
