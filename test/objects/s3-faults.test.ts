import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCoordination } from '../../shared/coordination/memory-coordination.js';
import { ConfigError, ServiceUnavailableError } from '../../shared/errors.js';
import { uploadFile, type UploadDoc } from '../../shared/handlers/upload.js';
import { S3ObjectStore, type S3Options } from '../../shared/objects/s3-object-store.js';
import { startStallingProxy } from '../support/stalling-proxy.js';
import { tempDir } from '../support/tmp.js';

/** Faults of the S3 adapter against s3rver on loopback and servers that misbehave in front of it. */
const dir = tempDir();
const KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
let s3rver: S3rver;
let s3Port: number;
let direct: S3ObjectStore;
const opened: S3ObjectStore[] = [];
const store = (options: Partial<S3Options> & { port: number }): S3ObjectStore => {
  const { port, ...rest } = options;
  const s = new S3ObjectStore({ bucket: 'toolflow', endpoint: `http://127.0.0.1:${port}`, credentials: KEYS, ...rest });
  opened.push(s);
  return s;
};

/** A server that takes every TCP connection and never sends a byte. */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

beforeAll(async () => {
  s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dir, 's3rver'), configureBuckets: [{ name: 'toolflow', configs: [] }] });
  s3Port = ((await s3rver.run()) as unknown as { port: number }).port;
  direct = store({ port: s3Port });
});
afterAll(async () => {
  for (const s of opened) await s.close();
  await s3rver?.close();
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** Files left in `dir` whose name starts with `name` (a partial download's `.part-<pid>` included). */
const leftovers = (name: string) => readdirSync(dir).filter((f) => f.startsWith(name));

describe('S3 that does not answer', () => {
  it('fails a download from a server that accepts and never answers, naming the server, and leaves no file', async () => {
    const silent = await silentServer();
    try {
      const s3 = store({ port: silent.port, idleTimeoutMs: 300 });
      const err = await s3.getToFile('me/u1/reads.fq', join(dir, 'hung.fq')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ServiceUnavailableError);
      expect((err as Error).message).toBe(
        `S3 bucket toolflow at http://127.0.0.1:${silent.port} is unreachable while downloading me/u1/reads.fq: no answer for 300 ms (the server took the connection and went silent)`,
      );
      expect(leftovers('hung.fq')).toEqual([]);
    } finally {
      await silent.close();
    }
  });

  it('fails the start-up check against that server within its bound, naming it', async () => {
    const silent = await silentServer();
    try {
      const s3 = store({ port: silent.port, idleTimeoutMs: 60_000, checkTimeoutMs: 500 });
      const err = await s3.check().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ServiceUnavailableError);
      expect((err as Error).message).toBe(`S3 bucket toolflow at http://127.0.0.1:${silent.port} is unreachable: no answer within 500 ms`);
    } finally {
      await silent.close();
    }
  });

  it('fails a download whose server goes silent in the middle of the body, and removes the partial file', async () => {
    const src = join(dir, 'mid.bin');
    writeFileSync(src, randomBytes(2 * 1024 * 1024));
    await direct.putFile('me/u2/mid.bin', src);
    const proxy = await startStallingProxy('127.0.0.1', s3Port);
    proxy.stallResponseAfter = 256 * 1024;
    try {
      const s3 = store({ port: proxy.port, idleTimeoutMs: 300 });
      const err = await s3.getToFile('me/u2/mid.bin', join(dir, 'mid-out.bin')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ServiceUnavailableError);
      expect((err as Error).message).toMatch(new RegExp(`^S3 bucket toolflow at http://127\\.0\\.0\\.1:${proxy.port} is unreachable while downloading me/u2/mid\\.bin: no answer for 300 ms`));
      expect(leftovers('mid-out.bin')).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('streams an object for longer than the idle timeout while its bytes keep coming', async () => {
    const data = randomBytes(1024 * 1024);
    writeFileSync(join(dir, 'slow.bin'), data);
    await direct.putFile('me/u3/slow.bin', join(dir, 'slow.bin'));
    const proxy = await startStallingProxy('127.0.0.1', s3Port);
    // 16 chunks 150 ms apart: the transfer lasts about 2.4 s, each silence 150 ms, under the 1 s idle timeout.
    proxy.throttle = { chunkBytes: 64 * 1024, everyMs: 150 };
    try {
      const s3 = store({ port: proxy.port, idleTimeoutMs: 1000 });
      const out = join(dir, 'slow-out.bin');
      await s3.getToFile('me/u3/slow.bin', out);
      expect(sha(readFileSync(out))).toBe(sha(data));
    } finally {
      await proxy.close();
    }
  });

  it('names a server that refuses the connection', async () => {
    const gone = await silentServer();
    const port = gone.port;
    await gone.close();
    const s3 = store({ port });
    const err = await s3.getToFile('me/u1/reads.fq', join(dir, 'refused.fq')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect((err as Error).message).toMatch(new RegExp(`^S3 bucket toolflow at http://127\\.0\\.0\\.1:${port} is unreachable while downloading me/u1/reads\\.fq: .*ECONNREFUSED`));
    expect(existsSync(join(dir, 'refused.fq'))).toBe(false);
  });
});

describe('S3 that refuses access', () => {
  // s3rver checks the access key id but not v4 signatures, so an unknown key is the 403 it gives.
  it('tells a 403 (an unknown access key) from an outage, at start-up and while downloading, never printing the secret', async () => {
    const credentials = { accessKeyId: 'NOSUCHKEY', secretAccessKey: 'not-the-secret-4f9a' };
    const s3 = store({ port: s3Port, credentials });
    const checked = await s3.check().catch((e: unknown) => e);
    expect(checked).toBeInstanceOf(ConfigError);
    expect((checked as Error).message).toMatch(
      new RegExp(`^S3 bucket toolflow at http://127\\.0\\.0\\.1:${s3Port} refused access \\(403( \\w+)?\\): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`),
    );
    const src = join(dir, 'mine.txt');
    writeFileSync(src, 'mine');
    await direct.putFile('me/u4/mine.txt', src);
    const got = await s3.getToFile('me/u4/mine.txt', join(dir, 'denied.txt')).catch((e: unknown) => e);
    expect(got).toBeInstanceOf(ConfigError);
    expect((got as Error).message).toMatch(/refused access \(403 \w+\) while downloading me\/u4\/mine\.txt: check AWS_ACCESS_KEY_ID/);
    for (const e of [checked, got]) expect((e as Error).message).not.toContain('not-the-secret-4f9a');
  });

  it('says a bucket that does not exist does not exist', async () => {
    const s3 = new S3ObjectStore({ bucket: 'no-such-bucket', endpoint: `http://127.0.0.1:${s3Port}`, credentials: KEYS });
    opened.push(s3);
    const err = await s3.check().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(new RegExp(`^S3 bucket no-such-bucket at http://127\\.0\\.0\\.1:${s3Port} does not exist \\(404( \\w+)?\\): create it, or set TOOLFLOW_S3_BUCKET`));
  });
});

describe('S3 without the multipart calls uploads need', () => {
  // s3rver answers ListParts and AbortMultipartUpload with 405 MethodNotAllowed; @tus/s3-store
  // calls ListParts before every write (the upload tests use radosgw, test/support/rgw.ts).
  it('fails an upload with a ConfigError naming the server and what it lacks, the upload marked failed', async () => {
    const coordination = new MemoryCoordination();
    const src = join(dir, 'reads.fastq');
    writeFileSync(src, '@r1\nACGT\n+\nIIII\n');
    const err = await uploadFile({ objects: direct, coordination }, 'me', src).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(
      `S3 bucket toolflow at http://127.0.0.1:${s3Port} does not implement ListParts (405 MethodNotAllowed), which uploads need (resumable S3 multipart uploads): use an S3 server that has it with AbortMultipartUpload (AWS S3, Ceph radosgw, MinIO; not s3rver)`,
    );
    const docs = (await coordination.list<UploadDoc>('uploads/me/')).map(([, d]) => d);
    // Its multipart upload could not be aborted either (405 again): the reason says so.
    expect(docs.map((d) => [d.status, d.error])).toEqual([['failed', `${(err as Error).message} (what it stored could not be removed: The specified method is not allowed against this resource.)`]]);
    expect((await direct.list('me/')).filter((k) => k.endsWith('/reads.fastq'))).toEqual([]);
  });
});
