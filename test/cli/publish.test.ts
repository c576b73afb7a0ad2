/**
 * Publishing a task's results (issue 10 §4, shared/attempts/publish.ts): the layout (instances in a
 * folder of their own), which outputs (publish, or the sinks by default), hard links and the copy
 * fallback, replacing what an earlier run published, and every refusal (links, escapes, DIR inside
 * the work dir). Tasks and attempts are stored rows, and the attempts' files are written by the test.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkOutdir, localSource, publishedOutputs, publishedSegments, publishTask, type OutputSource } from '../../shared/attempts/publish.js';
import { publishCommand } from '../../shared/cli/publish-command.js';
import { LocalObjectStore } from '../../shared/objects/local-object-store.js';
import { attemptObjectKey } from '../../shared/sidecar/pod-layout.js';
import type { ToolSpec, WorkflowSpec } from '../../shared/spec/types.js';
import { openSqliteStore } from '../../shared/store/sqlite-store.js';
import { newToolRun, type Store, type ToolRunRow } from '../../shared/store/store.js';
import type { KyselyStore } from '../../shared/store/kysely-store.js';
import { tempDir } from '../support/tmp.js';

const base = tempDir('toolflow-publish-');
let n = 0;
/** A fresh folder for one test. */
const fresh = (what: string) => {
  const dir = join(base, `${what}-${n++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};

const retry = { maxAttempts: 1, on: [], grow: 2, capMemBytes: 1e9, capDiskBytes: 1e9, capTimeSeconds: 3600 };

/** A planned tool: outputs by name (`named`) or as a list (`list`). */
function tool(name: string, fields: Partial<ToolSpec> = {}): ToolSpec {
  const namedOutputs = fields.namedOutputs ?? {};
  return {
    name,
    description: '',
    output: '',
    cpuMillicores: 1000,
    memBytes: 64 * 2 ** 20,
    diskBytes: null,
    timeSeconds: null,
    image: null,
    outputs: fields.outputs ?? Object.values(namedOutputs),
    namedOutputs,
    scatter: null,
    publish: null,
    env: {},
    passEnv: [],
    options: [],
    cmds: ['true'],
    rely: [],
    retry,
    ...fields,
  };
}

/** An instance `template[key]` of a tool scattered over `samples`. */
function instance(template: string, key: string, index: number, fields: Partial<ToolSpec> = {}): ToolSpec {
  return tool(`${template}[${key}]`, { scatter: 'samples', instance: { tool: template, input: 'samples', key, index }, ...fields });
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

interface Attempt {
  tool: string;
  attempt?: number;
  status?: ToolRunRow['status'];
  /** Files the attempt wrote: relative path → content. */
  files?: Record<string, string>;
  /** Record outputs_json from `files` (default true). */
  record?: boolean;
}

let store: KyselyStore;
beforeEach(async () => {
  store = openSqliteStore(':memory:');
  await store.migrate();
});
afterEach(async () => {
  await store.close();
});

/** Stores task `id` running `tools`, with `attempts` (their files written in `<root>/<id>/<tool>/attempt-<n>/`). */
async function storeTask(s: Store, id: string, root: string, tools: ToolSpec[], attempts: Attempt[], status: 'succeeded' | 'failed' | 'processing' = 'succeeded') {
  const spec: WorkflowSpec = { name: 'w', description: '', inputs: [], tools };
  const runs = attempts.map((a) => {
    const attempt = a.attempt ?? 1;
    const dir = join(root, id, a.tool, `attempt-${attempt}`);
    mkdirSync(dir, { recursive: true });
    for (const [path, text] of Object.entries(a.files ?? {})) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const outputs = Object.entries(a.files ?? {}).map(([path, text]) => ({ path, bytes: Buffer.byteLength(text), sha256: sha(text) }));
    return {
      ...newToolRun(id, a.tool, attempt, { cpuMillicores: 1000, memBytes: 64 * 2 ** 20, diskBytes: null, timeSeconds: null }),
      status: a.status ?? 'succeeded',
      delivered_at: 1,
      started_at: 2,
      finished_at: 3,
      outputs_json: a.record === false || (a.status ?? 'succeeded') !== 'succeeded' ? null : JSON.stringify(outputs),
    };
  });
  await s.createTask({ id, owner: 'me', name: 'w', status, spec: JSON.stringify({ spec }), values_json: '{}', inputs_json: '{}', error: null, created_at: 1, started_at: 1, finished_at: status === 'processing' ? null : 4, work_dir: root }, runs);
}

/** The files below `dir`, as relative paths, sorted. */
function tree(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((d) => !d.isDirectory())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort();
}

/** A variant-calling plan: align[A], align[B] (bam, bai) gathered by call (calls.vcf). */
function variantPlan(publish: { align?: string[] | null; call?: string[] | null } = {}): ToolSpec[] {
  const align = (key: string, i: number) =>
    instance('align', key, i, {
      namedOutputs: { bam: `${key}.bam`, bai: `${key}.bam.bai` },
      outputs: [`${key}.bam`, `${key}.bam.bai`],
      publish: publish.align ?? null,
    });
  return [align('A', 0), align('B', 1), tool('call', { namedOutputs: { vcf: 'calls.vcf' }, rely: ['align[A]', 'align[B]'], publish: publish.call ?? null })];
}

const variantAttempts: Attempt[] = [
  { tool: 'align[A]', files: { 'A.bam': 'bam A', 'A.bam.bai': 'bai A' } },
  { tool: 'align[B]', files: { 'B.bam': 'bam B', 'B.bam.bai': 'bai B' } },
  { tool: 'call', files: { 'calls.vcf': 'vcf' } },
];

describe('which outputs are published', () => {
  it('without any publish in the workflow: every declared output of the tools nothing relies on (a gather sink is the gathering tool)', () => {
    expect([...publishedOutputs({ tools: variantPlan() })]).toEqual([['call', ['calls.vcf']]]);
    // A chain after the gather: only its end.
    const tools = [...variantPlan(), tool('stats', { outputs: ['stats.txt', 'out/./plot.png'], rely: ['call'] })];
    expect([...publishedOutputs({ tools })]).toEqual([['stats', ['stats.txt', 'out/plot.png']]]);
  });

  it('with publish: only the outputs it names (by name, or by path for the list form), and nothing of the tools without publish', () => {
    const tools = [...variantPlan({ align: ['bam'] }), tool('stats', { outputs: ['stats.txt', 'log.txt'], rely: ['call'], publish: ['stats.txt'] })];
    expect([...publishedOutputs({ tools })]).toEqual([
      ['align[A]', ['A.bam']],
      ['align[B]', ['B.bam']],
      ['stats', ['stats.txt']],
    ]);
  });

  it('maps a named output of an instance to its resolved path through its TF_OUT_ binding when the declared path is a template', () => {
    const a = instance('align', 'A', 0, { namedOutputs: { 'sorted-bam': '{sample}.bam' }, outputs: ['A.bam'], publish: ['sorted-bam'], bindings: [{ env: 'TF_OUT_sorted_bam', value: 'A.bam' }] });
    expect([...publishedOutputs({ tools: [a] })]).toEqual([['align[A]', ['A.bam']]]);
  });

  it('publish: [] is declared: the tool publishes nothing, and the sinks default is off', () => {
    expect([...publishedOutputs({ tools: variantPlan({ align: [] }) })]).toEqual([]);
  });
});

describe('the layout', () => {
  it('is DIR/<tool>/<file>, and DIR/<template>/<key>/<file> for an instance', () => {
    expect(publishedSegments(tool('call'), 'calls.vcf')).toEqual(['call', 'calls.vcf']);
    expect(publishedSegments(tool('stats'), 'out/./plot.png')).toEqual(['stats', 'out', 'plot.png']);
    expect(publishedSegments(instance('align', 'A', 0), 'A.bam')).toEqual(['align', 'A', 'A.bam']);
  });

  it('refuses a path that would leave its folder', () => {
    expect(() => publishedSegments(tool('t'), '../x')).toThrow(/tool t: output "\.\.\/x" is not a path inside the work dir/);
    expect(() => publishedSegments(tool('t'), '/etc/passwd')).toThrow(/not a path inside the work dir/);
    expect(() => publishedSegments(instance('align', '..', 0), 'A.bam')).toThrow('tool align[..]: ".." cannot be a folder name below --outdir; not published');
  });

  it('puts each instance in a folder of its own, and each file as a hard link to the work dir\'s', async () => {
    const root = fresh('work');
    const outdir = join(fresh('out'), 'results');
    await storeTask(store, 't1', root, variantPlan({ align: ['bam', 'bai'], call: ['vcf'] }), variantAttempts);
    const report = await publishTask(store, 't1', { outdir, source: localSource({ id: 't1', work_dir: root }, '/unused') });
    expect(report.errors).toEqual([]);
    expect(tree(outdir)).toEqual(['align/A/A.bam', 'align/A/A.bam.bai', 'align/B/B.bam', 'align/B/B.bam.bai', 'call/calls.vcf']);
    expect(readFileSync(join(outdir, 'align/B/B.bam'), 'utf8')).toBe('bam B');
    const src = statSync(join(root, 't1', 'align[A]', 'attempt-1', 'A.bam'));
    const dst = lstatSync(join(outdir, 'align/A/A.bam'));
    expect(dst.isFile()).toBe(true); // never a symbolic link
    expect([dst.ino, dst.nlink]).toEqual([src.ino, 2]);
    expect(report.files.map((f) => [f.tool, f.name, f.path, f.published, f.bytes, f.how])).toEqual([
      ['align[A]', 'bam', 'A.bam', join(outdir, 'align/A/A.bam'), 5, 'link'],
      ['align[A]', 'bai', 'A.bam.bai', join(outdir, 'align/A/A.bam.bai'), 5, 'link'],
      ['align[B]', 'bam', 'B.bam', join(outdir, 'align/B/B.bam'), 5, 'link'],
      ['align[B]', 'bai', 'B.bam.bai', join(outdir, 'align/B/B.bam.bai'), 5, 'link'],
      ['call', 'vcf', 'calls.vcf', join(outdir, 'call/calls.vcf'), 3, 'link'],
    ]);
    expect(report.files[0]!.source).toBe(join(root, 't1', 'align[A]', 'attempt-1', 'A.bam'));
  });

  it('reads the newest succeeded attempt, and publishes outputs in subfolders of the work dir', async () => {
    const root = fresh('work');
    const outdir = fresh('out');
    await storeTask(store, 't2', root, [tool('make', { outputs: ['out/x.txt'] })], [
      { tool: 'make', attempt: 1, status: 'failed', files: { 'out/x.txt': 'half' } },
      { tool: 'make', attempt: 2, files: { 'out/x.txt': 'whole' } },
    ]);
    const report = await publishTask(store, 't2', { outdir, source: localSource({ id: 't2', work_dir: root }, '/unused') });
    expect(tree(outdir)).toEqual(['make/out/x.txt']);
    expect(readFileSync(join(outdir, 'make/out/x.txt'), 'utf8')).toBe('whole');
    expect(report.files[0]).toMatchObject({ attempt: 2, name: null });
  });
});

describe('publishing again', () => {
  it('replaces a file published by an earlier run, whole, and replaces a symbolic link there instead of writing through it', async () => {
    const root = fresh('work');
    const outdir = fresh('out');
    const tools = [tool('call', { outputs: ['calls.vcf', 'notes.txt'] })];
    await storeTask(store, 'old', root, tools, [{ tool: 'call', files: { 'calls.vcf': 'old vcf', 'notes.txt': 'old notes' } }]);
    await publishTask(store, 'old', { outdir, source: localSource({ id: 'old', work_dir: root }, '/unused') });
    // Someone left a link where a file goes: publishing replaces the link, the file it points to stays as it was.
    const victim = join(fresh('elsewhere'), 'victim.txt');
    writeFileSync(victim, 'keep me');
    const notes = join(outdir, 'call/notes.txt');
    (await import('node:fs')).rmSync(notes);
    symlinkSync(victim, notes);

    await storeTask(store, 'new', root, tools, [{ tool: 'call', files: { 'calls.vcf': 'new vcf', 'notes.txt': 'new notes' } }]);
    const report = await publishTask(store, 'new', { outdir, source: localSource({ id: 'new', work_dir: root }, '/unused') });
    expect(report.errors).toEqual([]);
    expect(readFileSync(join(outdir, 'call/calls.vcf'), 'utf8')).toBe('new vcf');
    expect(lstatSync(notes).isSymbolicLink()).toBe(false);
    expect(readFileSync(notes, 'utf8')).toBe('new notes');
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
    // The old task's work dir keeps its own file (the earlier link was replaced, not written to).
    expect(readFileSync(join(root, 'old/call/attempt-1/calls.vcf'), 'utf8')).toBe('old vcf');
    expect(tree(outdir)).toEqual(['call/calls.vcf', 'call/notes.txt']); // no temporary file left
  });

  it('of the same task leaves the files as they are (already the same file) and no temporary file behind', async () => {
    const root = fresh('work');
    const outdir = fresh('out');
    await storeTask(store, 't3', root, [tool('call', { outputs: ['calls.vcf'] })], [{ tool: 'call', files: { 'calls.vcf': 'vcf' } }]);
    const source = localSource({ id: 't3', work_dir: root }, '/unused');
    await publishTask(store, 't3', { outdir, source });
    const again = await publishTask(store, 't3', { outdir, source });
    expect(again.files.map((f) => f.how)).toEqual(['unchanged']);
    expect(readdirSync(join(outdir, 'call'))).toEqual(['calls.vcf']);
  });
});

describe('hard link or copy', () => {
  it('copies when the link fails as across filesystems (EXDEV), and says so', async () => {
    const root = fresh('work');
    const outdir = fresh('out');
    await storeTask(store, 't4', root, [tool('call', { outputs: ['calls.vcf'] })], [{ tool: 'call', files: { 'calls.vcf': 'vcf' } }]);
    const exdev = vi.fn(async () => {
      throw Object.assign(new Error('EXDEV: cross-device link not permitted'), { code: 'EXDEV' });
    });
    const report = await publishTask(store, 't4', { outdir, source: localSource({ id: 't4', work_dir: root }, '/unused'), link: exdev });
    expect(exdev).toHaveBeenCalledTimes(1);
    expect(report.files.map((f) => f.how)).toEqual(['copy']);
    const dst = statSync(join(outdir, 'call/calls.vcf'));
    expect(dst.ino).not.toBe(statSync(join(root, 't4/call/attempt-1/calls.vcf')).ino);
    expect(readFileSync(join(outdir, 'call/calls.vcf'), 'utf8')).toBe('vcf');
  });

  it('does not copy after any other link error: the file is reported as not published', async () => {
    const root = fresh('work');
    const outdir = fresh('out');
    await storeTask(store, 't5', root, [tool('call', { outputs: ['calls.vcf'] })], [{ tool: 'call', files: { 'calls.vcf': 'vcf' } }]);
    const enospc = async () => {
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    };
    const report = await publishTask(store, 't5', { outdir, source: localSource({ id: 't5', work_dir: root }, '/unused'), link: enospc });
    expect(report.files).toEqual([]);
    expect(report.errors).toEqual([{ tool: 'call', path: 'calls.vcf', message: `${join(outdir, 'call', 'calls.vcf')}: ENOSPC: no space left on device` }]);
  });
});

describe('refusals', () => {
  it('never follows a symbolic link below DIR: a folder of the layout that is a link is refused, nothing is written where it leads', async () => {
    const root = fresh('work');
    const outdir = fresh('out');
    const elsewhere = fresh('elsewhere');
    symlinkSync(elsewhere, join(outdir, 'align'));
    await storeTask(store, 't6', root, variantPlan({ align: ['bam'], call: ['vcf'] }), variantAttempts);
    const report = await publishTask(store, 't6', { outdir, source: localSource({ id: 't6', work_dir: root }, '/unused') });
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(report.errors).toEqual([
      { tool: 'align[A]', path: 'A.bam', message: `${join(outdir, 'align')} is a symbolic link: refusing to publish through it (remove it)` },
      { tool: 'align[B]', path: 'B.bam', message: `${join(outdir, 'align')} is a symbolic link: refusing to publish through it (remove it)` },
    ]);
    expect(report.files.map((f) => f.tool)).toEqual(['call']); // the others are still published
  });

  it('refuses a file where a folder of the layout goes, and a folder where a file goes', async () => {
    const root = fresh('work');
    const outdir = fresh('out');
    writeFileSync(join(outdir, 'align'), 'a file');
    mkdirSync(join(outdir, 'call', 'calls.vcf'), { recursive: true });
    await storeTask(store, 't7', root, variantPlan({ align: ['bam'], call: ['vcf'] }), variantAttempts);
    const report = await publishTask(store, 't7', { outdir, source: localSource({ id: 't7', work_dir: root }, '/unused') });
    expect(report.errors.map((e) => e.message)).toEqual([
      `${join(outdir, 'align')} is not a folder: refusing to publish through it (remove it)`,
      `${join(outdir, 'align')} is not a folder: refusing to publish through it (remove it)`,
      `${join(outdir, 'call/calls.vcf')} is a folder: remove it to publish this file there`,
    ]);
  });

  it('refuses an output that is a link leading out of its attempt\'s work dir, one that is gone, and one that changed size since it was recorded', async () => {
    const root = fresh('work');
    const outdir = fresh('out');
    const secret = join(fresh('secret'), 'passwd');
    writeFileSync(secret, 'root:x:0:0');
    await storeTask(store, 't8', root, [tool('t', { outputs: ['leak.txt', 'gone.txt', 'grown.txt'], publish: ['leak.txt', 'gone.txt', 'grown.txt'] })], [
      { tool: 't', files: { 'gone.txt': 'g', 'grown.txt': 'small' } },
    ]);
    const dir = join(root, 't8/t/attempt-1');
    symlinkSync(secret, join(dir, 'leak.txt'));
    (await import('node:fs')).rmSync(join(dir, 'gone.txt'));
    writeFileSync(join(dir, 'grown.txt'), 'much bigger now');
    const report = await publishTask(store, 't8', { outdir, source: localSource({ id: 't8', work_dir: root }, '/unused') });
    expect(report.files).toEqual([]);
    expect(report.errors).toEqual([
      { tool: 't', path: 'leak.txt', message: `${join(dir, 'leak.txt')} leads outside its attempt's work dir (a symbolic link to ${secret}): not published` },
      { tool: 't', path: 'gone.txt', message: `${join(dir, 'gone.txt')} is gone (was the work dir removed?)` },
      { tool: 't', path: 'grown.txt', message: `${join(dir, 'grown.txt')} has 15 bytes, but its attempt recorded 5: it changed since; not published` },
    ]);
    expect(existsSync(join(outdir, 't'))).toBe(true); // its folder was made; nothing in it
    expect(readdirSync(join(outdir, 't'))).toEqual([]);
  });

  it('refuses DIR inside the work dir, DIR that is a file, and a task that has not ended', async () => {
    const root = fresh('work');
    await expect(checkOutdir(join(root, 'results'), root)).rejects.toThrow(`--outdir ${join(root, 'results')} is inside the work dir ${root}, whose tasks' folders may be removed`);
    await expect(checkOutdir(root, root)).rejects.toThrow('is inside the work dir');
    // Through a link to the work dir too.
    const link = join(fresh('links'), 'to-work');
    symlinkSync(root, link);
    await expect(checkOutdir(join(link, 'new', 'results'), root)).rejects.toThrow('is inside the work dir');
    const file = join(fresh('file'), 'f');
    writeFileSync(file, 'x');
    await expect(checkOutdir(file, root)).rejects.toThrow(`--outdir ${file} is not a folder`);
    expect(await checkOutdir('relative/results', root)).toBe(join(process.cwd(), 'relative/results'));

    await storeTask(store, 't9', root, [tool('call', { outputs: ['c'] })], [{ tool: 'call', status: 'running' }], 'processing');
    await expect(publishTask(store, 't9', { outdir: fresh('out'), source: localSource({ id: 't9', work_dir: root }, '/unused') })).rejects.toThrow('task t9 is processing: publish it once it has ended (toolflow status t9)');
    await expect(publishTask(store, 'nope', { outdir: fresh('out'), source: localSource({ id: 'nope', work_dir: root }, '/unused') })).rejects.toThrow('no task nope');
  });

  it('never writes into the work dir when it is inside DIR (a tool named as the work dir\'s folder)', async () => {
    const outdir = fresh('out');
    const root = join(outdir, 'work');
    await storeTask(store, 'ta', root, [tool('work', { outputs: ['ta'] })], [{ tool: 'work', files: { ta: 'x' } }]);
    const report = await publishTask(store, 'ta', { outdir, source: localSource({ id: 'ta', work_dir: root }, '/unused') });
    expect(report.errors.map((e) => e.message)).toEqual([`${join(outdir, 'work/ta')} would be inside the work dir ${root}: not published (rename the tool, or move --outdir)`]);
  });
});

describe('a failed task', () => {
  it('publishes what succeeded and lists the tools that did not, with their status', async () => {
    const root = fresh('work');
    const outdir = fresh('out');
    const tools = [...variantPlan({ align: ['bam'], call: ['vcf'] })];
    await storeTask(store, 'tf', root, tools, [variantAttempts[0]!, { tool: 'align[B]', status: 'failed' }, { tool: 'call', status: 'skipped' }], 'failed');
    const report = await publishTask(store, 'tf', { outdir, source: localSource({ id: 'tf', work_dir: root }, '/unused') });
    expect(tree(outdir)).toEqual(['align/A/A.bam']);
    expect(report.notPublished).toEqual([
      { tool: 'align[B]', status: 'failed' },
      { tool: 'call', status: 'skipped' },
    ]);
  });
});

describe('cluster mode', () => {
  it('downloads the outputs from the object store (attempts/<task>/<tool>/attempt-<n>/<path>)', async () => {
    const objectsDir = fresh('objects');
    const objects = new LocalObjectStore(objectsDir);
    const outdir = fresh('out');
    await storeTask(store, 'tk', fresh('pods'), variantPlan({ align: ['bam'], call: ['vcf'] }), variantAttempts);
    const src = join(fresh('src'), 'f');
    for (const [tool, path, text] of [['align[A]', 'A.bam', 'bam A'], ['align[B]', 'B.bam', 'bam B'], ['call', 'calls.vcf', 'vcf']] as const) {
      writeFileSync(src, text);
      await objects.putFile(attemptObjectKey('tk', tool, 1, path), src);
    }
    const source: OutputSource = { kind: 'objects', objects };
    const report = await publishTask(store, 'tk', { outdir, source });
    expect(report.errors).toEqual([]);
    expect(tree(outdir)).toEqual(['align/A/A.bam', 'align/B/B.bam', 'call/calls.vcf']);
    expect(report.files.map((f) => [f.source, f.how])).toEqual([
      ['attempts/tk/align[A]/attempt-1/A.bam', 'download'],
      ['attempts/tk/align[B]/attempt-1/B.bam', 'download'],
      ['attempts/tk/call/attempt-1/calls.vcf', 'download'],
    ]);
    await objects.delete(attemptObjectKey('tk', 'call', 1, 'calls.vcf'));
    const again = await publishTask(store, 'tk', { outdir, source });
    expect(again.errors).toEqual([{ tool: 'call', path: 'calls.vcf', message: 'object attempts/tk/call/attempt-1/calls.vcf is gone: not published' }]);
    expect(readFileSync(join(outdir, 'call/calls.vcf'), 'utf8')).toBe('vcf'); // what was there stays
  });
});

describe('toolflow publish TASK --outdir DIR', () => {
  it('publishes a stored task from the configured store, prints what it did, and exits 1 when something was not published', async () => {
    const home = fresh('home');
    const root = join(home, 'work');
    const saved = { ...process.env };
    process.env.TOOLFLOW_HOME = home;
    for (const name of ['TOOLFLOW_DATABASE_URL', 'TOOLFLOW_WORKDIR', 'TOOLFLOW_EXECUTOR', 'TOOLFLOW_AMQP_URL', 'TOOLFLOW_ETCD_ENDPOINTS', 'TOOLFLOW_S3_BUCKET']) delete process.env[name];
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    try {
      const { openStore } = await import('../../shared/store/open-store.js');
      const { loadConfig } = await import('../../shared/runtime/config.js');
      const db = await openStore(loadConfig(process.env).databasePath);
      await storeTask(db, 'tc', root, variantPlan(), variantAttempts);
      await storeTask(db, 'td', root, variantPlan(), [variantAttempts[0]!, variantAttempts[1]!, { tool: 'call', status: 'failed' }], 'failed');
      await db.close();
      const outdir = fresh('out');
      expect(await publishCommand('tc', { outdir })).toBe(0);
      expect(written.join('')).toBe(`published 1 file to ${outdir} (hard links)\n`);
      written.length = 0;
      expect(await publishCommand('tc', { outdir, json: true })).toBe(0);
      expect(JSON.parse(written.join(''))).toMatchObject({ taskId: 'tc', status: 'succeeded', outdir, files: [{ tool: 'call', name: 'vcf', path: 'calls.vcf', published: join(outdir, 'call/calls.vcf'), bytes: 3, how: 'unchanged' }], notPublished: [], errors: [] });
      written.length = 0;
      expect(await publishCommand('td', { outdir: fresh('out') })).toBe(1);
      expect(written.join('')).toMatch(/^published nothing to .*\nthe task failed: only what succeeded was published; not published: call \(failed\)\n$/);
      await expect(publishCommand('tc', { outdir: join(root, 'x') })).rejects.toThrow('is inside the work dir');
    } finally {
      write.mockRestore();
      process.env = saved;
    }
  });
});

// Read-only outputs (dependencies' outputs are made read-only when recorded) publish as well.
describe('read-only outputs', () => {
  it('are linked like any other', async () => {
    const root = fresh('work');
    const outdir = fresh('out');
    await storeTask(store, 'tr', root, [tool('call', { outputs: ['calls.vcf'] })], [{ tool: 'call', files: { 'calls.vcf': 'vcf' } }]);
    chmodSync(join(root, 'tr/call/attempt-1/calls.vcf'), 0o444);
    const report = await publishTask(store, 'tr', { outdir, source: localSource({ id: 'tr', work_dir: root }, '/unused') });
    expect(report.files.map((f) => f.how)).toEqual(['link']);
  });
});

describe('toolflow run --outdir DIR', () => {
  const env = (home: string) => ({ TOOLFLOW_HOME: home, TOOLFLOW_WORKDIR: join(home, 'work') });
  const workflow = (fail: boolean) =>
    [
      'name: pub',
      'tools:',
      '  - name: make',
      '    outputs: {txt: made.txt}',
      '    publish: true',
      '    cmds: [\'echo made > "$TF_OUT_txt"\']',
      '  - name: final',
      '    rely: [make]',
      '    outputs: [result.txt]',
      '    publish: true',
      `    cmds: ['${fail ? 'exit 3' : 'cat "$TF_DEP_make_txt" > result.txt'}']`,
    ].join('\n') + '\n';

  it('publishes the outputs of the tools that succeeded, says where in the JSON, and exits 1 for a failed task', async () => {
    const { toolflow } = await import('../support/cli.js');
    const dir = fresh('run');
    writeFileSync(join(dir, 'ok.yaml'), workflow(false));
    writeFileSync(join(dir, 'bad.yaml'), workflow(true));
    const outdir = join(dir, 'results');
    const ok = await toolflow(['run', join(dir, 'ok.yaml'), '--outdir', outdir, '--json', '--no-cache'], env(join(dir, 'home')));
    expect(ok.code, ok.stderr).toBe(0);
    const json = JSON.parse(ok.stdout) as { published: { files: number }; tools: { name: string; outputs: { name: string | null; published: string | null; sha256: string | null }[] }[] };
    expect(json.published).toMatchObject({ outdir, files: 2, notPublished: [], errors: [], error: null });
    expect(json.tools.map((t) => t.outputs.map((o) => [o.name, o.published]))).toEqual([[['txt', join(outdir, 'make/made.txt')]], [[null, join(outdir, 'final/result.txt')]]]);
    expect(json.tools[1]!.outputs[0]!.sha256).toBe(sha('made\n'));
    expect(readFileSync(join(outdir, 'final/result.txt'), 'utf8')).toBe('made\n');

    const bad = await toolflow(['run', join(dir, 'bad.yaml'), '--outdir', outdir], env(join(dir, 'home')));
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(new RegExp(`published 1 file to ${outdir} \\([^)]+\\)\\nthe task failed: only what succeeded was published; not published: final \\(failed\\)`));
    // The failed tool's earlier result stays as it was.
    expect(readFileSync(join(outdir, 'final/result.txt'), 'utf8')).toBe('made\n');
  });

  it('refuses DIR inside the work dir before anything runs', async () => {
    const { toolflow } = await import('../support/cli.js');
    const dir = fresh('run');
    writeFileSync(join(dir, 'ok.yaml'), workflow(false));
    const home = join(dir, 'home');
    const r = await toolflow(['run', join(dir, 'ok.yaml'), '--outdir', join(home, 'work', 'results')], env(home));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`toolflow: --outdir ${join(home, 'work', 'results')} is inside the work dir ${join(home, 'work')}`);
    // No task ran: none is in the store, and the work dir (made before the check) is empty.
    expect(readdirSync(join(home, 'work'))).toEqual([]);
    expect((await toolflow(['status', '--json'], env(home))).stdout).toBe('[]\n');
  });
});
