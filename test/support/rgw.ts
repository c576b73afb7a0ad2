/**
 * A real S3 server for tests that need what s3rver lacks (ListParts, ListMultipartUploads,
 * AbortMultipartUpload answer 405 there; every upload through tus needs them): Ceph's RADOS
 * Gateway on a one-OSD in-memory cluster, started by scripts/s3-server/start-rgw.sh (about 2 s
 * cold). Needs Debian's `radosgw ceph-mon ceph-osd ceph-common`.
 *
 * - ensureRgw(): the one server of this test run, shared by every test file: started by the first
 *   file that asks (the script's lock makes parallel workers start one), under the data dir the
 *   global setup gives (`rgwDir`), stopped and removed by its teardown. stop() is a no-op.
 *   `TOOLFLOW_TEST_RGW_DIR=/some/dir` keeps one server there across runs instead (never stopped by
 *   the run; `stopSharedRgw()` ends it). Outside vitest: /tmp/toolflow-rgw.
 * - startRgw(): a server of the caller's own, on a free port with a temporary data dir; stop()
 *   ends its daemons and removes the dir (for tests that stop or break the server).
 * - rgwBucket(): a bucket of the caller's own on a server, with what a test reads of it (keys, open
 *   multipart uploads) and its removal; rgwEnv(): a toolflow process's S3 variables for it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { inject } from 'vitest';

const SCRIPTS = fileURLToPath(new URL('../../scripts/s3-server/', import.meta.url));
const SHARED_DIR = join(tmpdir(), 'toolflow-rgw');

/** The data dir of ensureRgw()'s server: the global setup's, else /tmp/toolflow-rgw. */
function sharedDir(): string {
  let dir: string | undefined;
  try {
    dir = inject('rgwDir');
  } catch {
    // Not in a vitest worker (a script importing this file).
  }
  return dir || process.env.TOOLFLOW_TEST_RGW_DIR || SHARED_DIR;
}

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
 * The radosgw of this test run (see the module's doc), started if it is not up. Tests use buckets
 * of their own (`rgwBucket`) and remove them: the objects live in memory (2 GiB at most).
 * @throws naming the script's error when it cannot start (packages missing, ports taken).
 */
export async function ensureRgw(): Promise<Rgw> {
  const dir = sharedDir();
  const portFile = join(dir, 'rgw_port');
  const known = existsSync(portFile) ? Number(readFileSync(portFile, 'utf8').trim()) : 0;
  const stop = async () => undefined;
  if (known > 0) {
    try {
      return await start(dir, known, stop);
    } catch {
      // Its old port is taken by now: start it anew on a free one.
    }
  }
  return start(dir, await freePort(), stop);
}

/** Ends ensureRgw()'s radosgw (its files stay; the next ensureRgw() sets it up anew). @param dir its data dir (default: ensureRgw()'s). */
export async function stopSharedRgw(dir: string = sharedDir()): Promise<void> {
  await run('stop-rgw.sh', [dir]);
}

/**
 * An S3 client for `rgw`: path-style, region us-east-1, its keys, and checksums only where
 * required (as shared/objects/s3-object-store.ts: radosgw 16 takes no aws-chunked bodies with
 * checksum trailers, which the SDK's default sends for a stream).
 */
export function rgwClient(rgw: Rgw): S3Client {
  return new S3Client({
    endpoint: rgw.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A bucket of a test's own on radosgw (`rgwBucket`). */
export interface RgwBucket {
  /** The bucket's name. */
  name: string;
  /** A client of the server (destroyed by remove()). */
  s3: S3Client;
  /** Keys of the objects under `prefix` (every one when empty), sorted. */
  keys(prefix?: string): Promise<string[]>;
  /** `<key> <uploadId>` of each multipart upload still open under `prefix` (ListMultipartUploads), sorted. */
  openUploads(prefix?: string): Promise<string[]>;
  /** Aborts its open multipart uploads, deletes its objects and the bucket; a bucket already gone is fine. */
  remove(): Promise<void>;
}

/**
 * Creates the bucket `name` on `rgw` (S3 bucket naming: 3-63 lowercase letters, digits, dots and
 * hyphens; make it unique to the test file and run: the server is shared).
 * @throws the server's error (BucketAlreadyOwnedByYou when it exists).
 */
export async function rgwBucket(rgw: Rgw, name: string): Promise<RgwBucket> {
  const s3 = rgwClient(rgw);
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  const keys = async (prefix = ''): Promise<string[]> => {
    const found: string[] = [];
    let token: string | undefined;
    do {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: name, Prefix: prefix, ContinuationToken: token }));
      for (const o of out.Contents ?? []) found.push(o.Key!);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return found.sort();
  };
  const uploads = async (prefix = '') => (await s3.send(new ListMultipartUploadsCommand({ Bucket: name, Prefix: prefix }))).Uploads ?? [];
  return {
    name,
    s3,
    keys,
    openUploads: async (prefix) => (await uploads(prefix)).map((u) => `${u.Key} ${u.UploadId}`).sort(),
    async remove() {
      try {
        for (const u of await uploads()) await s3.send(new AbortMultipartUploadCommand({ Bucket: name, Key: u.Key!, UploadId: u.UploadId! }));
        for (let left = await keys(); left.length > 0; left = await keys()) {
          for (let i = 0; i < left.length; i += 1000) await s3.send(new DeleteObjectsCommand({ Bucket: name, Delete: { Objects: left.slice(i, i + 1000).map((Key) => ({ Key })) } }));
        }
        await s3.send(new DeleteBucketCommand({ Bucket: name }));
      } catch (err) {
        if ((err as { name?: string }).name !== 'NoSuchBucket') throw err;
      } finally {
        s3.destroy();
      }
    },
  };
}

/**
 * What a toolflow process needs in its environment to use `bucket` on `rgw`: TOOLFLOW_S3_BUCKET,
 * TOOLFLOW_S3_ENDPOINT, and the keys as the SDK's chain reads them (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY).
 */
export function rgwEnv(rgw: Rgw, bucket: string): Record<string, string> {
  return { TOOLFLOW_S3_BUCKET: bucket, TOOLFLOW_S3_ENDPOINT: rgw.endpoint, AWS_ACCESS_KEY_ID: rgw.accessKeyId, AWS_SECRET_ACCESS_KEY: rgw.secretAccessKey };
}
