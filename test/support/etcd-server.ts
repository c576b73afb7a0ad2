/**
 * An etcd of a test's own, on free loopback ports with a temporary data dir, for tests that change
 * the server itself (turn authentication on), which the suite's shared etcd (global-setup.ts) must
 * not see. Needs the `etcd` binary (Debian's `etcd-server`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/**
 * Starts etcd and waits for its health check (at most 10 s).
 * @returns its client URL and a function that stops it and removes its data.
 * @throws Error naming etcd when it does not start.
 */
export async function startEtcd(): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const [client, peer] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'toolflow-etcd-own-'));
  const c = `http://127.0.0.1:${client}`;
  const p = `http://127.0.0.1:${peer}`;
  const etcd = spawn('etcd', ['--name', 'own', '--data-dir', join(dir, 'data'), '--listen-client-urls', c, '--advertise-client-urls', c, '--listen-peer-urls', p, '--initial-advertise-peer-urls', p, '--initial-cluster', `own=${p}`], { stdio: 'ignore' });
  let failed = false;
  const exited = new Promise<void>((r) => {
    etcd.once('exit', () => r());
    etcd.once('error', () => ((failed = true), r()));
  });
  const stop = async () => {
    etcd.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${c}/health`).then((r) => r.ok, () => false)) return { endpoint: c, stop };
    if (etcd.exitCode !== null || failed) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`etcd did not start on ${c}; install it (apt-get install -y etcd-server)`);
}
