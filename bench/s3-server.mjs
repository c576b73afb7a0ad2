// The S3 server of bench/uploads.mjs, on loopback, behind one function (`startS3`): Ceph radosgw
// (scripts/s3-server/start-rgw.sh; Debian's radosgw, ceph-mon, ceph-osd, ceph-common), else s3rver.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './http-support.mjs';

const scripts = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'scripts', 's3-server');
const run = promisify(execFile);

/**
 * The S3 server of the benchmark, on loopback: radosgw (scripts/s3-server/start-rgw.sh, its own
 * data dir `<work>/rgw`, its in-memory object store raised to `capacityBytes`) unless BENCH_S3=s3rver
 * or it cannot start; else s3rver in this process (no ListParts: toolflow's tus store cannot use it).
 * `bucket`: the one bucket whose requests `partRequests` reads from radosgw's log.
 * @returns {Promise<{ kind: 'radosgw' | 's3rver', endpoint: string, credentials: { accessKeyId: string, secretAccessKey: string },
 *   why?: string, partRequests: ((key: string) => { sent: number, ok: number, distinct: number, incomplete: number }) | null,
 *   collectGarbage: () => Promise<void>, stop: () => Promise<void> }>} `partRequests`: the UploadPart
 *   requests the server logged for `key` (all, answered 200, distinct part numbers; and the PUTs of
 *   its incomplete-part object, the tail of an interrupted PATCH), null when the server keeps no
 *   log; `collectGarbage` frees deleted objects' space now.
 */
export async function startS3(capacityBytes, work, bucket) {
  let why = 'BENCH_S3=s3rver';
  if (process.env.BENCH_S3 !== 's3rver') {
    try {
      return await startRadosgw(capacityBytes, join(work, 'rgw'), bucket);
    } catch (err) {
      why = `radosgw could not start: ${err.message.split('\n')[0]}`;
      console.error(`bench: ${why}; s3rver instead (reference only)`);
    }
  }
  const { default: S3rver } = await import('s3rver');
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(work, 's3rver') });
  const { port } = await server.run();
  return { kind: 's3rver', why, endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, partRequests: null, collectGarbage: async () => {}, stop: () => server.close() };
}

async function startRadosgw(capacityBytes, dir, bucket) {
  const conf = join(dir, 'ceph.conf');
  const stop = () => run('bash', [join(scripts, 'stop-rgw.sh'), dir]).then(() => undefined, () => undefined);
  let endpoint;
  try {
    const { stdout } = await run('bash', [join(scripts, 'start-rgw.sh'), dir, String(await freePort())], { timeout: 120_000 });
    endpoint = /^endpoint=(\S+)$/m.exec(stdout)?.[1];
    if (!endpoint) throw new Error(`start-rgw.sh printed no endpoint: ${stdout}`);
    // start-rgw.sh gives its memstore 2 GiB; MemStore reads the setting at every statfs, so raise it for big files.
    await run('ceph', ['-c', conf, '--connect-timeout', '20', 'tell', 'osd.0', 'config', 'set', 'memstore_device_bytes', String(capacityBytes)], { timeout: 60_000 });
  } catch (err) {
    await stop();
    throw err;
  }
  const log = join(dir, 'log', 'client.rgw.a.log');
  return {
    kind: 'radosgw',
    endpoint,
    credentials: { accessKeyId: 'toolflow', secretAccessKey: 'toolflow-secret' },
    partRequests(key) {
      // beast's access line: … "PUT /<bucket>/<key>?partNumber=N&uploadId=U&x-id=UploadPart HTTP/1.1" <status> …
      const path = `/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}?`;
      // toolflow's tus store keeps the tail of an interrupted PATCH (< 1 part) as `_tus/<owner>/<uploadId>.part`.
      const [owner, uploadId] = key.split('/');
      const incompletePath = `/${bucket}/_tus/${encodeURIComponent(owner)}/${uploadId}.part`;
      let sent = 0;
      let ok = 0;
      let incomplete = 0;
      const parts = new Set();
      for (const line of readFileSync(log, 'utf8').split('\n')) {
        const m = /"PUT (\S+) HTTP\/1\.1" (\d+)/.exec(line);
        if (m && m[2] === '200' && m[1].split('?')[0] === incompletePath) incomplete++;
        if (!m || !m[1].startsWith(path) || !m[1].includes('x-id=UploadPart')) continue;
        const q = new URLSearchParams(m[1].slice(path.length));
        sent++;
        if (m[2] === '200') {
          ok++;
          parts.add(`${q.get('uploadId')}:${q.get('partNumber')}`);
        }
      }
      return { sent, ok, distinct: parts.size, incomplete };
    },
    async collectGarbage() {
      await run('radosgw-admin', ['-c', conf, '-n', 'client.admin', 'gc', 'process', '--include-all'], { timeout: 300_000 });
    },
    stop,
  };
}
