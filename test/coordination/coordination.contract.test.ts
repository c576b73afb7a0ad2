import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { Coordination } from '../../shared/coordination/coordination.js';
import { EtcdCoordination } from '../../shared/coordination/etcd-coordination.js';
import { MemoryCoordination } from '../../shared/coordination/memory-coordination.js';
import { StoreCoordination } from '../../shared/coordination/store-coordination.js';
import { openStore } from '../../shared/store/open-store.js';
import { LeaseLostError, ServiceUnavailableError } from '../../shared/errors.js';
import { uploadFile, type UploadDoc } from '../../shared/handlers/upload.js';
import { LocalObjectStore } from '../../shared/objects/local-object-store.js';
import { skipped } from '../support/services.js';
import { tempDir } from '../support/tmp.js';

const log = pino({ level: 'silent' });
const endpoints = inject('etcdEndpoints');
const run = randomBytes(4).toString('hex');
const opened: Coordination[] = [];
const until = async (test: () => boolean, ms = 15_000) => {
  const t0 = Date.now();
  while (!test()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

const ADAPTERS = [
  { name: 'memory', open: async (): Promise<Coordination> => new MemoryCoordination() },
  {
    name: 'store',
    open: async (): Promise<Coordination> => {
      const store = await openStore(join(tempDir(), 'toolflow.db'));
      const c = new StoreCoordination(store, { log });
      opened.push({ close: async () => (await c.close(), await store.close()) } as Coordination);
      return c;
    },
  },
  {
    name: 'etcd',
    open: async (): Promise<Coordination> => {
      const c = await EtcdCoordination.connect({ endpoints, log });
      opened.push(c);
      return c;
    },
  },
];
afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
});

/** The coordination contract: the same suite against every adapter. */
describe.each(ADAPTERS.filter((a) => !skipped(a.name)))('coordination contract: $name', ({ open }) => {
  it('a lock has one holder at a time; a new holder gets a larger fencing token', async () => {
    const c = await open();
    const key = `locks/task/${run}-one`;
    const first = await c.tryLock(key, 5);
    expect(first).not.toBeNull();
    expect(await c.tryLock(key, 5)).toBeNull();
    await first!.release();
    const second = await c.tryLock(key, 5);
    expect(second!.token).toBeGreaterThan(first!.token);
    expect(second!.lost).toBe(false);
    await second!.release();
  });

  it('a write fenced by a lease happens while it holds the lock, and is refused once another holder has it', async () => {
    const c = await open();
    const key = `locks/task/${run}-fence`;
    const doc = `docs/${run}-fence`;
    const first = (await c.tryLock(key, 5))!;
    await c.put(doc, { by: 'first' }, { fence: first });
    expect(await c.get(doc)).toEqual({ by: 'first' });
    await first.release();
    const second = (await c.tryLock(key, 5))!;
    await expect(c.put(doc, { by: 'first, too late' }, { fence: first })).rejects.toBeInstanceOf(LeaseLostError);
    await c.put(doc, { by: 'second' }, { fence: second });
    expect(await c.get(doc)).toEqual({ by: 'second' });
    await second.release();
  });

  it('stores JSON documents and tells watchers of later puts under their prefix only', async () => {
    const c = await open();
    const seen: [string, unknown][] = [];
    const stop = c.watch(`uploads/${run}/`, (k, v) => seen.push([k, v]));
    await c.put(`uploads/${run}/u1`, { status: 'ongoing' });
    await c.put(`other/${run}/u1`, { status: 'ongoing' });
    await c.put(`uploads/${run}/u1`, { status: 'successful', size: 5 });
    await until(() => seen.length === 2);
    expect(seen).toEqual([
      [`uploads/${run}/u1`, { status: 'ongoing' }],
      [`uploads/${run}/u1`, { status: 'successful', size: 5 }],
    ]);
    expect(await c.get(`uploads/${run}/u1`)).toEqual({ status: 'successful', size: 5 });
    expect(await c.get(`uploads/${run}/none`)).toBeUndefined();
    stop();
    await c.put(`uploads/${run}/u1`, { status: 'failed' });
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toHaveLength(2);
  });

  it('lists the documents under a prefix, sorted by key, and only those', async () => {
    const c = await open();
    const p = `uploads/${run}-list`;
    await c.put(`${p}/bo/2`, { n: 2 });
    await c.put(`${p}/ann/b`, { n: 'b' });
    await c.put(`${p}/ann/a`, { n: 'a' });
    await c.put(`${p}/ann2/x`, { n: 'x' }); // shares the text "ann" but not the prefix "ann/"
    await c.put(`${p}-other/ann/a`, { n: 'elsewhere' });
    expect(await c.list(`${p}/ann/`)).toEqual([
      [`${p}/ann/a`, { n: 'a' }],
      [`${p}/ann/b`, { n: 'b' }],
    ]);
    expect((await c.list(`${p}/`)).map(([k]) => k)).toEqual([`${p}/ann/a`, `${p}/ann/b`, `${p}/ann2/x`, `${p}/bo/2`]);
    await c.put(`${p}/ann/a`, { n: 'a2' });
    expect(await c.list(`${p}/ann/a`)).toEqual([[`${p}/ann/a`, { n: 'a2' }]]);
    expect(await c.list(`${p}/nobody/`)).toEqual([]);
  });

  it('lists more documents than one answer of etcd may carry (gRPC\'s 4 MiB: 1,200 documents of 4 KB)', async () => {
    const c = await open();
    const p = `uploads/${run}-many/`;
    const pad = 'x'.repeat(4096);
    const keys = Array.from({ length: 1200 }, (_, i) => `${p}${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 100) await Promise.all(keys.slice(i, i + 100).map((k, j) => c.put(k, { i: i + j, pad })));
    const listed = await c.list<{ i: number }>(p);
    expect(listed.map(([k]) => k)).toEqual(keys);
    expect(listed.every(([, v], i) => v.i === i)).toBe(true);
  });

  it('keeps the upload status documents of the design doc (ongoing → successful)', async () => {
    const c = await open();
    const dir = tempDir();
    writeFileSync(join(dir, 'in.txt'), 'hello');
    const seen: string[] = [];
    const stop = c.watch('uploads/', (_k, v) => seen.push((v as UploadDoc).status));
    const stored = await uploadFile({ objects: new LocalObjectStore(join(dir, 'objects')), coordination: c }, 'me', join(dir, 'in.txt'));
    expect(await c.get<UploadDoc>(`uploads/me/${stored.uploadId}`)).toMatchObject({ status: 'successful', size: 5 });
    await until(() => seen.length >= 2);
    expect(seen.slice(0, 2)).toEqual(['ongoing', 'successful']);
    stop();
  });
});

describe('memory coordination', () => {
  it('tells the holder when its lease ends without a release', async () => {
    const c = new MemoryCoordination();
    const lease = (await c.tryLock('locks/x'))!;
    let told = false;
    lease.onLost(() => (told = true));
    c.expire('locks/x');
    expect(told && lease.lost).toBe(true);
    expect(await c.tryLock('locks/x')).not.toBeNull();
  });
});

/** Tries the lock every 100 ms until it is free (at most 15 s). */
async function lockWhenFree(c: Coordination, key: string, ttl: number) {
  for (const t0 = Date.now(); Date.now() - t0 < 15_000; await new Promise((r) => setTimeout(r, 100))) {
    const lease = await c.tryLock(key, ttl);
    if (lease) return lease;
  }
  throw new Error(`the lock ${key} was never freed`);
}

describe.skipIf(skipped('etcd'))('etcd coordination', () => {
  function holder(key: string, ttl: number): { child: ChildProcessWithoutNullStreams; lines: Record<string, unknown>[] } {
    const child = spawn(process.execPath, [join(__dirname, '../support/lock-holder.mjs'), endpoints, key, String(ttl)]);
    const lines: Record<string, unknown>[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => lines.push(JSON.parse(l) as Record<string, unknown>));
    return { child, lines };
  }

  it('a holder paused past its lease learns it lost, and its later fenced writes change nothing', async () => {
    const c = (await ADAPTERS.find((a) => a.name === 'etcd')!.open()) as EtcdCoordination;
    const key = `locks/task/${run}-paused`;
    const doc = `docs/${run}-paused`;
    const first = holder(key, 2);
    await until(() => first.lines.some((l) => 'token' in l));
    const firstToken = first.lines.find((l) => 'token' in l)!.token as number;
    first.child.kill('SIGSTOP');
    const second = await lockWhenFree(c, key, 10);
    expect(second.token).toBeGreaterThan(firstToken);
    await c.put(doc, 'second', { fence: second });
    first.child.kill('SIGCONT');
    first.child.stdin.write(`write ${doc} first\n`);
    await until(() => first.lines.some((l) => 'write' in l) && first.lines.some((l) => 'lost' in l));
    expect(first.lines.find((l) => 'write' in l)).toEqual({ write: 'refused' });
    expect(await c.get(doc)).toBe('second');
    first.child.kill('SIGKILL');
    await second.release();
  });

  it('a holder killed outright frees its lock after the TTL', async () => {
    const c = (await ADAPTERS.find((a) => a.name === 'etcd')!.open()) as EtcdCoordination;
    const key = `locks/task/${run}-killed`;
    const h = holder(key, 2);
    await until(() => h.lines.some((l) => 'token' in l));
    expect(await c.tryLock(key, 2)).toBeNull();
    h.child.kill('SIGKILL');
    const lease = await lockWhenFree(c, key, 2);
    await lease.release();
  });

  it('fails at start-up naming the endpoints, credentials masked', async () => {
    const err = await EtcdCoordination.connect({ endpoints: 'http://root:pw@127.0.0.1:1', log, callTimeoutMs: 500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect((err as Error).message).toMatch(/^etcd at http:\/\/root:\*\*\*@127\.0\.0\.1:1 is unreachable/);
  });
});
