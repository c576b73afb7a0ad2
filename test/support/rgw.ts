/**
 * A real S3 server for tests that need what s3rver lacks (ListParts, ListMultipartUploads,
 * AbortMultipartUpload answer 405 there): Ceph's RADOS Gateway on a one-OSD in-memory cluster,
 * started by scripts/s3-server/start-rgw.sh (about 2 s cold). Needs Debian's
 * `radosgw ceph-mon ceph-osd ceph-common`.
 *
 * - startRgw(): a server of the caller's own, on a free port with a temporary data dir; stop()
 *   ends its daemons and removes the dir.
 * - ensureRgw(): one server shared by every test file (and by later runs) under /tmp/toolflow-rgw,
 *   started if it is not up; stop() is a no-op (stopSharedRgw() ends it).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPTS = fileURLToPath(new URL('../../scripts/s3-server/', import.meta.url));
const SHARED_DIR = join(tmpdir(), 'toolflow-rgw');

export interface Rgw {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The data dir of its ceph.conf, keyrings and logs (log/client.rgw.a.log). */
  dir: string;
  stop: () => Promise<void>;
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

function run(script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [join(SCRIPTS, script), ...args], { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${script} ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

async function start(dir: string, port: number, stop: () => Promise<void>): Promise<Rgw> {
  const out = await run('start-rgw.sh', [dir, String(port)]);
  const endpoint = /^endpoint=(\S+)$/m.exec(out)?.[1];
  if (!endpoint) throw new Error(`start-rgw.sh printed no endpoint: ${out}`);
  return { endpoint, accessKeyId: 'toolflow', secretAccessKey: 'toolflow-secret', dir, stop };
}

/** Starts a radosgw of the caller's own; stop() ends it and removes its data. */
export async function startRgw(): Promise<Rgw> {
  const dir = mkdtempSync(join(tmpdir(), 'toolflow-rgw-own-'));
  const stop = async () => {
    await run('stop-rgw.sh', [dir]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    return await start(dir, await freePort(), stop);
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The shared radosgw under /tmp/toolflow-rgw, started if it is not up (the script takes a lock,
 * so parallel test files start one). Tests should use buckets of their own and delete them.
 */
export async function ensureRgw(): Promise<Rgw> {
  const portFile = join(SHARED_DIR, 'rgw_port');
  const known = existsSync(portFile) ? Number(readFileSync(portFile, 'utf8').trim()) : 0;
  const stop = async () => undefined;
  if (known > 0) {
    try {
      return await start(SHARED_DIR, known, stop);
    } catch {
      // Its old port is taken by now: start it anew on a free one.
    }
  }
  return start(SHARED_DIR, await freePort(), stop);
}

/** Ends the shared radosgw of ensureRgw() (its files stay; the next ensureRgw() sets it up anew). */
export async function stopSharedRgw(): Promise<void> {
  await run('stop-rgw.sh', [SHARED_DIR]);
}
