// The Kubernetes executor's `reuse` (a cache hit, issue 10): the recorded outputs' objects copied to
// the new attempt's keys after a head shows each with its recorded size; no API call (the kube
// config points nowhere). Against the local folder store and S3 (s3rver).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutputRecord } from '../../shared/events/catalog.js';
import { KubernetesExecutor } from '../../shared/executor/kubernetes/kubernetes-executor.js';
import { LocalObjectStore } from '../../shared/objects/local-object-store.js';
import type { ObjectStore } from '../../shared/objects/object-store.js';
import { S3ObjectStore } from '../../shared/objects/s3-object-store.js';
import { attemptObjectPrefix } from '../../shared/sidecar/pod-layout.js';
import { tempDir } from '../support/tmp.js';
import { requestFor, settingsFrom } from './fixtures.js';

const dir = tempDir('toolflow-kube-reuse-');
let s3rver: S3rver;
let s3: S3ObjectStore;
beforeAll(async () => {
  s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dir, 's3rver'), configureBuckets: [{ name: 'toolflow', configs: [] }] });
  const { port } = (await s3rver.run()) as unknown as { port: number };
  s3 = new S3ObjectStore({ bucket: 'toolflow', endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
});
afterAll(async () => {
  await s3?.close();
  await s3rver?.close();
});

/** A kube config whose API server does not exist: reuse must not call it. */
function nowhere(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'c', server: 'https://127.0.0.1:1' }], users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
  return kc;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
let n = 0;

describe.each([
  { name: 'local folder', store: (): ObjectStore => new LocalObjectStore(join(dir, 'objects')) },
  { name: 's3', store: (): ObjectStore => s3 },
])('KubernetesExecutor.reuse: $name', ({ store }) => {
  /** An earlier attempt's outputs put in the store, and their records. */
  async function earlier(files: Record<string, string>) {
    const objects = store();
    const from = { taskId: `old${++n}`.padEnd(12, '0'), tool: 'align[A]', attempt: 2 };
    const outputs: OutputRecord[] = [];
    for (const [path, content] of Object.entries(files)) {
      const file = join(dir, `f${n}-${outputs.length}`);
      writeFileSync(file, content);
      await objects.putFile(attemptObjectPrefix(from.taskId, from.tool, from.attempt) + path, file);
      outputs.push({ path, bytes: Buffer.byteLength(content), sha256: sha(content) });
    }
    const executor = new KubernetesExecutor(settingsFrom(), { kubeConfig: nowhere(), objects, log: pino({ level: 'silent' }) });
    const request = requestFor({ taskId: `new${n}`.padEnd(12, '0'), tool: 'align[A]', attempt: 1 });
    const to = attemptObjectPrefix(request.taskId, request.tool, 1);
    return { objects, from, outputs, executor, request, to };
  }

  it('copies each output to the new attempt, nested paths too, with a cached-from note', async () => {
    const e = await earlier({ 'A.bam': 'bam', 'sub/A.bai': 'bai' });
    expect(await e.executor.reuse(e.request, e.from, e.outputs)).toBe(true);
    expect(await e.objects.list(e.to)).toEqual([`${e.to}A.bam`, `${e.to}cached-from.txt`, `${e.to}sub/A.bai`]);
    expect(await e.objects.head(`${e.to}A.bam`)).toEqual({ key: `${e.to}A.bam`, size: 3 });
    const out = join(dir, `note-${n}`);
    await e.objects.getToFile(`${e.to}cached-from.txt`, out);
    expect(readFileSync(out, 'utf8')).toBe(
      `toolflow: this attempt did not run: its outputs are those of task ${e.from.taskId}, tool align[A], attempt 2 (${attemptObjectPrefix(e.from.taskId, 'align[A]', 2)}), whose cache key was the same.\n${sha('bam')}  3  A.bam\n${sha('bai')}  3  sub/A.bai\n`,
    );
  });

  it('copies every object of the attempt: undeclared files and the logs too', async () => {
    // The design-doc-tool example's make_words: words.txt is uploaded, never declared; its dependent reads it.
    const e = await earlier({ 'A.bam': 'bam' });
    const fromPrefix = attemptObjectPrefix(e.from.taskId, e.from.tool, 2);
    for (const [name, content] of Object.entries({ 'words.txt': 'w1', 'notes/n.txt': 'n', 'stdout.log': 'out\n', 'stderr.log': 'err\n', 'command.sh': 'echo out' })) {
      const file = join(dir, `extra-${n}-${name.replace('/', '_')}`);
      writeFileSync(file, content);
      await e.objects.putFile(fromPrefix + name, file);
    }
    expect(await e.executor.reuse(e.request, e.from, e.outputs)).toBe(true);
    expect(await e.objects.list(e.to)).toEqual(
      ['A.bam', 'cached-from.txt', 'command.sh', 'notes/n.txt', 'stderr.log', 'stdout.log', 'words.txt'].map((k) => e.to + k),
    );
    const out = join(dir, `words-${n}`);
    await e.objects.getToFile(`${e.to}words.txt`, out);
    expect(readFileSync(out, 'utf8')).toBe('w1');
    await e.objects.getToFile(`${e.to}stdout.log`, out);
    expect(readFileSync(out, 'utf8')).toBe('out\n');
  });

  it('an undeclared cached-from.txt of the earlier attempt is copied, no note written over it', async () => {
    const e = await earlier({ 'A.bam': 'bam' });
    const file = join(dir, `cf-${n}`);
    writeFileSync(file, 'earlier note');
    await e.objects.putFile(attemptObjectPrefix(e.from.taskId, e.from.tool, 2) + 'cached-from.txt', file);
    expect(await e.executor.reuse(e.request, e.from, e.outputs)).toBe(true);
    const out = join(dir, `cf-out-${n}`);
    await e.objects.getToFile(`${e.to}cached-from.txt`, out);
    expect(readFileSync(out, 'utf8')).toBe('earlier note');
  });

  it('a declared output gone: false, and no undeclared object is copied either', async () => {
    const e = await earlier({ 'A.bam': 'bam', 'words.txt': 'w' });
    await e.objects.delete(attemptObjectPrefix(e.from.taskId, e.from.tool, 2) + 'A.bam');
    expect(await e.executor.reuse(e.request, e.from, [e.outputs[0]!])).toBe(false);
    expect(await e.objects.list(e.to)).toEqual([]);
  });

  it('an output gone: false, nothing copied', async () => {
    const e = await earlier({ 'A.bam': 'bam', 'B.bam': 'bee' });
    await e.objects.delete(attemptObjectPrefix(e.from.taskId, e.from.tool, 2) + 'B.bam');
    expect(await e.executor.reuse(e.request, e.from, e.outputs)).toBe(false);
    expect(await e.objects.list(e.to)).toEqual([]);
  });

  it('an output of another size than recorded: false, nothing copied', async () => {
    const e = await earlier({ 'A.bam': 'bam' });
    expect(await e.executor.reuse(e.request, e.from, [{ ...e.outputs[0]!, bytes: 4 }])).toBe(false);
    expect(await e.objects.list(e.to)).toEqual([]);
  });

  it('an output path out of the work dir is refused', async () => {
    const e = await earlier({ 'A.bam': 'bam' });
    await expect(e.executor.reuse(e.request, e.from, [{ path: '../../x', bytes: 1, sha256: sha('x') }])).rejects.toThrow('is not a path inside the work dir');
  });
});

describe('KubernetesExecutor.reuse: an output removed between its head and its copy', () => {
  it('false, and what was copied before it is removed', async () => {
    const inner = new LocalObjectStore(join(dir, 'racing'));
    const from = { taskId: 'race00000000', tool: 'x', attempt: 1 };
    const prefix = attemptObjectPrefix(from.taskId, 'x', 1);
    for (const f of ['a.txt', 'b.txt']) {
      writeFileSync(join(dir, f), f);
      await inner.putFile(prefix + f, join(dir, f));
    }
    // The second copy finds its source gone (another process cleaned it up meanwhile).
    const objects: ObjectStore = Object.assign(Object.create(inner) as LocalObjectStore, {
      copy: async (fromKey: string, toKey: string) => {
        if (fromKey.endsWith('b.txt')) await inner.delete(fromKey);
        return inner.copy(fromKey, toKey);
      },
    });
    const executor = new KubernetesExecutor(settingsFrom(), { kubeConfig: nowhere(), objects, log: pino({ level: 'silent' }) });
    const request = requestFor({ taskId: 'race11111111', tool: 'x', attempt: 1 });
    const outputs = ['a.txt', 'b.txt'].map((p) => ({ path: p, bytes: 5, sha256: sha(p) }));
    expect(await executor.reuse(request, from, outputs)).toBe(false);
    expect(await inner.list(attemptObjectPrefix('race11111111', 'x', 1))).toEqual([]);
  });
});

describe('KubernetesExecutor.reuse: an output removed between its head and the listing', () => {
  it('false, nothing copied', async () => {
    const inner = new LocalObjectStore(join(dir, 'racing-list'));
    const from = { taskId: 'race22222222', tool: 'x', attempt: 1 };
    const prefix = attemptObjectPrefix(from.taskId, 'x', 1);
    for (const f of ['a.txt', 'words.txt']) {
      writeFileSync(join(dir, f), f);
      await inner.putFile(prefix + f, join(dir, f));
    }
    // The listing no longer has a.txt (another process cleaned it up after its head).
    const objects: ObjectStore = Object.assign(Object.create(inner) as LocalObjectStore, {
      list: async (p: string) => {
        await inner.delete(prefix + 'a.txt');
        return inner.list(p);
      },
    });
    const executor = new KubernetesExecutor(settingsFrom(), { kubeConfig: nowhere(), objects, log: pino({ level: 'silent' }) });
    const request = requestFor({ taskId: 'race33333333', tool: 'x', attempt: 1 });
    expect(await executor.reuse(request, from, [{ path: 'a.txt', bytes: 5, sha256: sha('a.txt') }])).toBe(false);
    expect(await inner.list(attemptObjectPrefix('race33333333', 'x', 1))).toEqual([]);
  });
});
