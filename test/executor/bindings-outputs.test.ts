// Issue 10, executor side (local): the environment from bindings, dependency outputs staged as links,
// item files staged under _inputs/<input>/<key>/<column>/, outputs checksummed and made read-only
// on success, and reuse (a cache hit) of an earlier attempt's outputs by hard link or copy.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { OutputRecord } from '../../shared/events/catalog.js';
import type { AttemptRequest } from '../../shared/executor/executor.js';
import { commandEnv } from '../../shared/executor/local/command-script.js';
import { inputFolder, LocalExecutor } from '../../shared/executor/local/local-executor.js';
import { CACHED_FROM_FILE, recordOutputs } from '../../shared/executor/local/outputs.js';
import { LocalObjectStore } from '../../shared/objects/local-object-store.js';
import type { Binding } from '../../shared/spec/types.js';
import { tempDir } from '../support/tmp.js';
import { request, runAttempt } from './helpers.js';

const dir = tempDir();
const objects = new LocalObjectStore(join(dir, 'objects'));
const root = join(dir, 'work');
const executor = new LocalExecutor({ root, objects });
afterAll(() => executor.close());

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** A request whose spec has `bindings` (and `outputs`). */
function planned(cmds: string[], bindings: Binding[], extra: Partial<AttemptRequest> & { outputs?: string[] } = {}): AttemptRequest {
  const { outputs = [], ...rest } = extra;
  const req = request(cmds, rest);
  req.spec = { ...req.spec, outputs, bindings };
  return req;
}

/** Runs a tool that writes `files` (name → content) and declares them; returns its request and exit. */
async function producer(files: Record<string, string>, tool?: string) {
  const cmds = Object.entries(files).map(([name, content]) => `mkdir -p "$(dirname '${name}')" && printf '%s' '${content}' > '${name}'`);
  const req = planned(cmds, [], { outputs: Object.keys(files), ...(tool ? { tool } : {}) });
  const { exit } = await runAttempt(executor, req);
  expect(exit.exitCode).toBe(0);
  return { req, exit, workDir: executor.workDirOf(req.taskId, req.tool, 1) };
}

describe('environment from bindings (commandEnv)', () => {
  const base = request(['true']);
  const paths = { workDir: '/w', inputs: { ref: '/in/ref.fa', 'samples/A/fastq': '/in/samples/A/fastq/A.fq' }, deps: { 'index-ref': '/w/index', 'align[A]': '/w/align' } };

  it('without bindings (a task stored before issue 10): TF_INPUT_ for every input, TF_DEP_ for every dependency', () => {
    const env = commandEnv(base, { workDir: '/w', inputs: { ref: '/in/ref.fa' }, deps: { 'index-ref': '/w/index' } }, {});
    expect(env).toMatchObject({ TF_INPUT_ref: '/in/ref.fa', TF_DEP_index_ref: '/w/index' });
  });

  it('with bindings: TF_INPUT_ only for names without "/", no TF_DEP_ per dependency, each binding as its variable', () => {
    const req = { ...base, spec: { ...base.spec, bindings: [
      { env: 'TF_ITEM_sample', value: 'A' },
      { env: 'TF_OUT_bam', value: 'A.bam' },
      { env: 'TF_ITEM_fastq', input: 'samples/A/fastq' },
      { env: 'TF_DEP_index_ref', dir: 'index-ref' },
      { env: 'TF_DEP_align_bam', outputs: [{ tool: 'align[A]', path: 'A.bam' }, { tool: 'align[B]', path: 'sub/B.bam' }] },
    ] } } satisfies AttemptRequest;
    const env = commandEnv(req, paths, {});
    const tf = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('TF_INPUT_') || k.startsWith('TF_ITEM') || k.startsWith('TF_OUT_') || k.startsWith('TF_DEP_')));
    expect(tf).toEqual({
      TF_INPUT_ref: '/in/ref.fa',
      TF_ITEM_sample: 'A',
      TF_OUT_bam: 'A.bam',
      TF_ITEM_fastq: '/in/samples/A/fastq/A.fq',
      TF_DEP_index_ref: '/w/index',
      TF_DEP_align_bam: 'A.bam B.bam',
    });
  });

  it.each([
    [{ env: 'TF_ITEM_fastq', input: 'samples/B/fastq' }, 'binding TF_ITEM_fastq names input "samples/B/fastq", which the attempt was not given'],
    [{ env: 'TF_DEP_call', dir: 'call' }, 'binding TF_DEP_call names tool "call", which is not among the attempt\'s dependencies'],
    [{ env: 'TF_WORKDIR', value: '/elsewhere' }, 'binding TF_WORKDIR would replace the TF_WORKDIR toolflow already set for the attempt'],
    [{ env: 'TF_INPUT_ref', value: 'x' }, 'binding TF_INPUT_ref would replace the TF_INPUT_ref toolflow already set for the attempt'],
    [{ env: 'PATH', value: '/evil' }, 'binding "PATH" is not a TF_ variable name'],
    [{ env: 'TF_X;rm', value: 'x' }, 'binding "TF_X;rm" is not a TF_ variable name'],
    [{ env: 'TF_DEP_a_b', outputs: [{ tool: 'a', path: '../../etc/passwd' }] }, 'is not a path inside the work dir'],
  ] as [Binding, string][])('refuses %j', (binding, message) => {
    const req = { ...base, spec: { ...base.spec, bindings: [binding] } };
    expect(() => commandEnv(req, paths, {})).toThrow(message);
  });

  it('refuses two bindings of one name', () => {
    const req = { ...base, spec: { ...base.spec, bindings: [{ env: 'TF_ITEM', value: 'a' }, { env: 'TF_ITEM', value: 'b' }] } };
    expect(() => commandEnv(req, paths, {})).toThrow('binding TF_ITEM would replace the TF_ITEM toolflow already set');
  });
});

describe('staging from bindings (local executor)', () => {
  it('links each dependency output into the work dir by base name; the tool writes beside it, the dependency is untouched', async () => {
    const a = await producer({ 'A.bam': 'bam-A' }, 'align[A]');
    const b = await producer({ 'sub/B.bam': 'bam-B' }, 'align[B]');
    const req = planned(
      ['for f in $TF_DEP_align_bam; do cat "$f" >> all.txt; printf "index of %s" "$f" > "$f.bai"; done', 'echo "$TF_DEP_align_bam" > names.txt'],
      [{ env: 'TF_DEP_align_bam', outputs: [{ tool: 'align[A]', path: 'A.bam' }, { tool: 'align[B]', path: 'sub/B.bam' }] }],
      { deps: [{ tool: 'align[A]', attempt: 1 }, { tool: 'align[B]', attempt: 1 }], tool: 'call' },
    );
    const { exit } = await runAttempt(executor, req);
    expect(exit.exitCode).toBe(0);
    const work = executor.workDirOf(req.taskId, 'call', 1);
    expect(readFileSync(join(work, 'names.txt'), 'utf8')).toBe('A.bam B.bam\n');
    expect(readFileSync(join(work, 'all.txt'), 'utf8')).toBe('bam-Abam-B');
    expect(lstatSync(join(work, 'A.bam')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(work, 'A.bam'))).toBe(join(a.workDir, 'A.bam'));
    expect(readlinkSync(join(work, 'B.bam'))).toBe(join(b.workDir, 'sub', 'B.bam'));
    expect(readFileSync(join(work, 'B.bam.bai'), 'utf8')).toBe('index of B.bam');
    expect(readdirSync(join(b.workDir, 'sub'))).toEqual(['B.bam']);
    // No TF_DEP_<tool> for a tool only seen through its outputs.
    expect(readFileSync(join(work, 'command.sh'), 'utf8')).not.toMatch(/TF_DEP_align_A/);
  });

  it('a staged name taken (two outputs of one base name): a launch error naming both', async () => {
    await producer({ 'x/C.bam': 'one' }, 'align[C1]');
    await producer({ 'y/C.bam': 'two' }, 'align[C2]');
    const req = planned(['true'], [{ env: 'TF_DEP_align_bam', outputs: [{ tool: 'align[C1]', path: 'x/C.bam' }, { tool: 'align[C2]', path: 'y/C.bam' }] }], {
      deps: [{ tool: 'align[C1]', attempt: 1 }, { tool: 'align[C2]', attempt: 1 }],
    });
    const work = executor.workDirOf(req.taskId, req.tool, 1);
    const err = (await executor.start(req, () => undefined).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(
      `binding TF_DEP_align_bam: cannot link output y/C.bam of tool align[C2] (${join(root, 'task1', 'align[C2]', 'attempt-1', 'y', 'C.bam')}) into the work dir as C.bam: ${join(work, 'C.bam')} exists already (a link to ${join(root, 'task1', 'align[C1]', 'attempt-1', 'x', 'C.bam')})`,
    );
  });

  it('a staged name taken by a file: a launch error; the same launch tried again keeps its own links', async () => {
    const d = await producer({ 'D.bam': 'dee' }, 'align[D]');
    const req = planned(['cat D.bam > copy.txt'], [{ env: 'TF_DEP_align_bam', outputs: [{ tool: 'align[D]', path: 'D.bam' }] }], { deps: [{ tool: 'align[D]', attempt: 1 }] });
    const work = executor.workDirOf(req.taskId, req.tool, 1);
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'D.bam'), 'in the way');
    await expect(executor.start(req, () => undefined)).rejects.toThrow(`${join(work, 'D.bam')} exists already`);
    rmSync(join(work, 'D.bam'));
    // A link left by an earlier try of this very launch is kept.
    symlinkSync(join(d.workDir, 'D.bam'), join(work, 'D.bam'));
    const { exit } = await runAttempt(executor, req);
    expect(exit.exitCode).toBe(0);
    expect(readFileSync(join(work, 'copy.txt'), 'utf8')).toBe('dee');
  });

  it('an output binding naming a tool the request does not list, or a file the dependency lacks: launch errors', async () => {
    const e = await producer({ 'E.bam': 'e' }, 'align[E]');
    const notDep = planned(['true'], [{ env: 'TF_DEP_x_bam', outputs: [{ tool: 'align[E]', path: 'E.bam' }] }]);
    await expect(executor.start(notDep, () => undefined)).rejects.toThrow('binding TF_DEP_x_bam names tool "align[E]", which is not among the attempt\'s dependencies');
    const gone = planned(['true'], [{ env: 'TF_DEP_x_bai', outputs: [{ tool: 'align[E]', path: 'E.bam.bai' }] }], { deps: [{ tool: 'align[E]', attempt: 1 }] });
    await expect(executor.start(gone, () => undefined)).rejects.toThrow(`binding TF_DEP_x_bai: output E.bam.bai of tool align[E] is not there (${join(e.workDir, 'E.bam.bai')})`);
  });

  it('stages an item file under _inputs/<input>/<key>/<column>/ and binds it; only the inputs the request lists', async () => {
    const src = join(dir, 'A_1.fq');
    writeFileSync(src, '@r1\nACGT\n');
    await objects.putFile('me/up/A_1.fq', src);
    writeFileSync(join(dir, 'sheet.tsv'), 'sample\tfastq\nA\tA_1.fq\n');
    await objects.putFile('me/up/sheet.tsv', join(dir, 'sheet.tsv'));
    const req = planned(['cat "$TF_ITEM_fastq" > seen.txt', 'echo "$TF_ITEM_fastq" > where.txt', 'echo "$TF_INPUT_samples" > sheet.txt', 'env > env.txt'], [{ env: 'TF_ITEM_fastq', input: 'samples/A/fastq' }], {
      taskId: 'task-items',
      inputs: { samples: { key: 'me/up/sheet.tsv', fileName: 'sheet.tsv' }, 'samples/A/fastq': { key: 'me/up/A_1.fq', fileName: 'A_1.fq' } },
    });
    const { exit } = await runAttempt(executor, req);
    expect(exit.exitCode).toBe(0);
    const work = executor.workDirOf('task-items', req.tool, 1);
    expect(readFileSync(join(work, 'seen.txt'), 'utf8')).toBe('@r1\nACGT\n');
    expect(readFileSync(join(work, 'where.txt'), 'utf8')).toBe(`${join(root, 'task-items', '_inputs', 'samples', 'A', 'fastq', 'A_1.fq')}\n`);
    expect(readFileSync(join(work, 'sheet.txt'), 'utf8')).toBe(`${join(root, 'task-items', '_inputs', 'samples', 'sheet.tsv')}\n`);
    expect(readFileSync(join(work, 'env.txt'), 'utf8')).not.toContain('TF_INPUT_samples/');
    expect(readdirSync(join(root, 'task-items', '_inputs', 'samples')).sort()).toEqual(['A', 'sheet.tsv']);
  });

  it.each(['samples/../../x', 'samples//fastq', '../x', 'a/./b', 'a\\b/c', ''])('refuses to stage the input name %j', (name) => {
    expect(() => inputFolder(name)).toThrow(`input ${JSON.stringify(name)} cannot be staged`);
  });

  it('a stored input name that would leave _inputs/ is a launch error', async () => {
    const req = planned(['true'], [], { inputs: { 'samples/../../../escape': { key: 'me/up/A_1.fq', fileName: 'A_1.fq' } } });
    await expect(executor.start(req, () => undefined)).rejects.toThrow('input "samples/../../../escape" cannot be staged');
    expect(existsSync(join(root, 'escape'))).toBe(false);
  });
});

describe('outputs recorded on success', () => {
  it('records each declared output once (size, SHA-256) and makes it read-only; a directory by its manifest', async () => {
    const req = planned(['printf abc > a.txt', 'mkdir -p d/e && printf 12 > d/one && printf 345 > d/e/two && ln -s one d/link', ': > empty'], [], { outputs: ['a.txt', 'd', 'empty', 'a.txt'] });
    const { exit } = await runAttempt(executor, req);
    const work = executor.workDirOf(req.taskId, req.tool, 1);
    const manifest = ['dir "e"', `file ${sha('345')} 3 "e/two"`, 'link "one" "link"', `file ${sha('12')} 2 "one"`].map((l) => `${l}\n`).join('');
    expect(exit).toMatchObject({ exitCode: 0, missingOutputs: [] });
    expect(exit.outputs).toEqual([
      { path: 'a.txt', bytes: 3, sha256: sha('abc') },
      { path: 'd', bytes: 5, sha256: sha(manifest) },
      { path: 'empty', bytes: 0, sha256: sha('') },
    ]);
    for (const p of ['a.txt', 'empty', 'd', 'd/one', 'd/e', 'd/e/two']) expect(statSync(join(work, p)).mode & 0o222, p).toBe(0);
    expect(statSync(join(work, 'stdout.log')).mode & 0o200).toBe(0o200); // the logs stay as they were
  });

  it('a tool without outputs: outputs [] (recorded, none); a failed tool and one with a missing output: none recorded', async () => {
    expect((await runAttempt(executor, request(['true']))).exit.outputs).toEqual([]);
    const failed = await runAttempt(executor, planned(['printf x > a.txt', 'exit 2'], [], { outputs: ['a.txt'] }));
    expect(failed.exit.outputs).toBeUndefined();
    expect(statSync(join(executor.workDirOf(failed.exit.taskId, failed.exit.tool, 1), 'a.txt')).mode & 0o200).toBe(0o200);
    const missing = await runAttempt(executor, planned(['printf x > a.txt'], [], { outputs: ['a.txt', 'b.txt'] }));
    expect(missing.exit).toMatchObject({ exitCode: 0, missingOutputs: ['b.txt'] });
    expect(missing.exit.outputs).toBeUndefined();
  });

  it('a declared output that is a FIFO is not an output: missing, with why; never read (no hang)', async () => {
    const { exit } = await runAttempt(executor, planned(['mkfifo pipe', 'printf x > a.txt'], [], { outputs: ['a.txt', 'pipe'] }));
    expect(exit).toMatchObject({ exitCode: 0, missingOutputs: ['pipe'], evidence: 'toolflow: output pipe not a regular file or a directory' });
    expect(exit.outputs).toBeUndefined();
  });

  it('a directory output holding a FIFO: missing, naming the entry', async () => {
    const { exit } = await runAttempt(executor, planned(['mkdir d && mkfifo d/p'], [], { outputs: ['d'] }));
    expect(exit.missingOutputs).toEqual(['d']);
    expect(exit.evidence).toBe('toolflow: output d could not be read: p in it is not a regular file, a directory or a symbolic link');
  });

  it('an output that is a link to a dependency\'s file: recorded by what it points to, the file it names left alone', async () => {
    const f = await producer({ 'F.txt': 'eff' }, 'make-f');
    chmodSync(join(f.workDir, 'F.txt'), 0o644);
    const req = planned([`ln -s '${join(f.workDir, 'F.txt')}' mine.txt`], [], { outputs: ['mine.txt'] });
    const { exit } = await runAttempt(executor, req);
    expect(exit.outputs).toEqual([{ path: 'mine.txt', bytes: 3, sha256: sha('eff') }]);
    expect(statSync(join(f.workDir, 'F.txt')).mode & 0o777).toBe(0o644);
  });

  it('recordOutputs streams a file larger than its read size', async () => {
    const big = join(dir, 'rec-big');
    mkdirSync(big);
    const data = Buffer.alloc(3 * 1024 * 1024 + 7, 'q');
    writeFileSync(join(big, 'big.bin'), data);
    expect(await recordOutputs(big, ['big.bin'])).toEqual({ outputs: [{ path: 'big.bin', bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') }], refused: [] });
  });
});

describe('reuse (a cache hit)', () => {
  /** A finished attempt with outputs, in `workRoot` (default: the executor's root). */
  async function earlier(files: Record<string, string>, workRoot?: string) {
    const cmds = Object.entries(files).map(([name, content]) => `mkdir -p "$(dirname '${name}')" && printf '%s' '${content}' > '${name}'`);
    const req = planned(cmds, [], { outputs: Object.keys(files), ...(workRoot ? { workRoot } : {}) });
    const { exit } = await runAttempt(executor, req);
    expect(exit.exitCode).toBe(0);
    return { from: { taskId: req.taskId, tool: req.tool, attempt: 1, ...(workRoot ? { workRoot } : {}) }, outputs: exit.outputs as OutputRecord[], dir: join(workRoot ?? root, req.taskId, req.tool, 'attempt-1') };
  }
  const next = (extra: Partial<AttemptRequest> = {}) => request(['echo should not run > ran.txt'], { taskId: 'task2', ...extra });

  it('hard-links every output into the new attempt dir, nested paths too, with a note saying where they came from', async () => {
    const e = await earlier({ 'A.bam': 'bam', 'sub/A.bai': 'bai' });
    const req = next();
    expect(await executor.reuse(req, e.from, e.outputs)).toBe(true);
    const to = executor.workDirOf('task2', req.tool, 1);
    expect(readFileSync(join(to, 'A.bam'), 'utf8')).toBe('bam');
    expect(statSync(join(to, 'A.bam')).ino).toBe(statSync(join(e.dir, 'A.bam')).ino);
    expect(statSync(join(to, 'sub/A.bai')).ino).toBe(statSync(join(e.dir, 'sub/A.bai')).ino);
    expect(readFileSync(join(to, CACHED_FROM_FILE), 'utf8')).toBe(
      `toolflow: this attempt did not run: its outputs are those of task task1, tool ${e.from.tool}, attempt 1\n(${e.dir}), whose cache key (command, environment, values, image, inputs and the outputs it read) was the same.\n${sha('bam')}  3  A.bam\n${sha('bai')}  3  sub/A.bai\n`,
    );
    expect(existsSync(join(to, 'ran.txt'))).toBe(false);
  });

  it('links every file the attempt left, undeclared ones and its logs too, but not its pid file', async () => {
    // The design-doc-tool example's make_words: words.txt is written, never declared; its dependent reads it.
    const req0 = planned(['mkdir -p notes/deep && printf w1 > words.txt && printf n > notes/deep/n.txt && ln -s words.txt alias && echo out && echo err >&2', 'printf d > A.bam'], [], { outputs: ['A.bam'] });
    const { exit } = await runAttempt(executor, req0);
    expect(exit.exitCode).toBe(0);
    const from = executor.workDirOf(req0.taskId, req0.tool, 1);
    writeFileSync(join(from, '.toolflow.pid'), 'a stale pid file');
    const req = next();
    expect(await executor.reuse(req, { taskId: req0.taskId, tool: req0.tool, attempt: 1 }, exit.outputs!)).toBe(true);
    const to = executor.workDirOf('task2', req.tool, 1);
    expect(readFileSync(join(to, 'words.txt'), 'utf8')).toBe('w1');
    expect(statSync(join(to, 'words.txt')).ino).toBe(statSync(join(from, 'words.txt')).ino);
    expect(readFileSync(join(to, 'notes/deep/n.txt'), 'utf8')).toBe('n');
    expect(lstatSync(join(to, 'notes')).isDirectory()).toBe(true);
    expect(lstatSync(join(to, 'notes/deep')).isSymbolicLink()).toBe(false);
    expect(readlinkSync(join(to, 'alias'))).toBe('words.txt');
    expect(readFileSync(join(to, 'stdout.log'), 'utf8')).toBe('out\n');
    expect(readFileSync(join(to, 'stderr.log'), 'utf8')).toBe('err\n');
    expect(readFileSync(join(to, 'command.sh'), 'utf8')).toBe(readFileSync(join(from, 'command.sh'), 'utf8'));
    expect(existsSync(join(to, '.toolflow.pid'))).toBe(false);
    expect(readdirSync(to).sort()).toEqual(['A.bam', 'alias', 'cached-from.txt', 'command.sh', 'notes', 'stderr.log', 'stdout.log', 'words.txt']);
  });

  it('an undeclared file named cached-from.txt (the earlier attempt was itself reused) is linked, no note written over it', async () => {
    const req0 = planned(['printf earlier > cached-from.txt', 'printf d > A.bam'], [], { outputs: ['A.bam'] });
    const { exit } = await runAttempt(executor, req0);
    const req = next();
    expect(await executor.reuse(req, { taskId: req0.taskId, tool: req0.tool, attempt: 1 }, exit.outputs!)).toBe(true);
    expect(readFileSync(join(executor.workDirOf('task2', req.tool, 1), CACHED_FROM_FILE), 'utf8')).toBe('earlier');
    expect(readFileSync(join(executor.workDirOf(req0.taskId, req0.tool, 1), CACHED_FROM_FILE), 'utf8')).toBe('earlier');
  });

  it('a declared output gone: false, and no undeclared file is linked either', async () => {
    const req0 = planned(['printf w > words.txt', 'printf d > A.bam'], [], { outputs: ['A.bam'] });
    const { exit } = await runAttempt(executor, req0);
    rmSync(join(executor.workDirOf(req0.taskId, req0.tool, 1), 'A.bam'), { force: true });
    const req = next();
    expect(await executor.reuse(req, { taskId: req0.taskId, tool: req0.tool, attempt: 1 }, exit.outputs!)).toBe(false);
    expect(existsSync(executor.workDirOf('task2', req.tool, 1))).toBe(false);
  });

  it('an undeclared folder where the new attempt has a file: false, what it made removed, what was there kept', async () => {
    const req0 = planned(['mkdir -p notes && printf n > notes/n.txt', 'printf d > A.bam'], [], { outputs: ['A.bam'] });
    const { exit } = await runAttempt(executor, req0);
    const req = next();
    const to = executor.workDirOf('task2', req.tool, 1);
    mkdirSync(to, { recursive: true });
    writeFileSync(join(to, 'notes'), 'in the way');
    expect(await executor.reuse(req, { taskId: req0.taskId, tool: req0.tool, attempt: 1 }, exit.outputs!)).toBe(false);
    expect(readdirSync(to)).toEqual(['notes']);
    expect(readFileSync(join(to, 'notes'), 'utf8')).toBe('in the way');
  });

  it('a file deleted since: false, and nothing left in the new attempt dir', async () => {
    const e = await earlier({ 'A.bam': 'bam', 'B.bam': 'bee' });
    rmSync(join(e.dir, 'B.bam'));
    const req = next();
    expect(await executor.reuse(req, e.from, e.outputs)).toBe(false);
    expect(existsSync(executor.workDirOf('task2', req.tool, 1))).toBe(false);
  });

  it('a file truncated since (another size): false, nothing made', async () => {
    const e = await earlier({ 'A.bam': 'bam-bam' });
    chmodSync(join(e.dir, 'A.bam'), 0o644);
    truncateSync(join(e.dir, 'A.bam'), 3);
    const req = next();
    expect(await executor.reuse(req, e.from, e.outputs)).toBe(false);
    expect(existsSync(executor.workDirOf('task2', req.tool, 1))).toBe(false);
  });

  it('a directory output with a file removed since: false', async () => {
    const req0 = planned(['mkdir -p d && printf 1 > d/a && printf 22 > d/b'], [], { outputs: ['d'] });
    const { exit } = await runAttempt(executor, req0);
    const from = executor.workDirOf(req0.taskId, req0.tool, 1);
    chmodSync(join(from, 'd'), 0o755);
    rmSync(join(from, 'd', 'b'));
    expect(await executor.reuse(next(), { taskId: req0.taskId, tool: req0.tool, attempt: 1 }, exit.outputs!)).toBe(false);
  });

  it('a directory output: made again, its files hard-linked, its links kept', async () => {
    const req0 = planned(['mkdir -p d/e && printf 1 > d/a && printf 22 > d/e/b && ln -s a d/l'], [], { outputs: ['d'] });
    const { exit } = await runAttempt(executor, req0);
    const from = executor.workDirOf(req0.taskId, req0.tool, 1);
    const req = next();
    expect(await executor.reuse(req, { taskId: req0.taskId, tool: req0.tool, attempt: 1 }, exit.outputs!)).toBe(true);
    const to = executor.workDirOf('task2', req.tool, 1);
    expect(statSync(join(to, 'd/e/b')).ino).toBe(statSync(join(from, 'd/e/b')).ino);
    expect(readlinkSync(join(to, 'd/l'))).toBe('a');
    expect(statSync(join(to, 'd')).mode & 0o222).toBe(0);
  });

  it('from another work folder (the earlier task\'s recorded workRoot) into this one', async () => {
    const other = join(dir, 'other-root');
    const e = await earlier({ 'A.bam': 'from elsewhere' }, other);
    const req = next();
    expect(await executor.reuse(req, e.from, e.outputs)).toBe(true);
    expect(readFileSync(join(executor.workDirOf('task2', req.tool, 1), 'A.bam'), 'utf8')).toBe('from elsewhere');
  });

  it('across filesystems (EXDEV): copied, read-only, same bytes', async () => {
    const shm = tempDirOn('/dev/shm');
    expect(statSync(shm).dev).not.toBe(statSync(root).dev);
    const e = await earlier({ 'A.bam': 'copied across' }, shm);
    const req = next();
    expect(await executor.reuse(req, e.from, e.outputs)).toBe(true);
    const to = join(executor.workDirOf('task2', req.tool, 1), 'A.bam');
    expect(readFileSync(to, 'utf8')).toBe('copied across');
    expect(statSync(to).ino).not.toBe(statSync(join(e.dir, 'A.bam')).ino);
    expect(statSync(to).mode & 0o222).toBe(0);
  });

  it('an output named cached-from.txt is reused, and no note is written over it', async () => {
    const e = await earlier({ [CACHED_FROM_FILE]: 'my own output' });
    const req = next();
    expect(await executor.reuse(req, e.from, e.outputs)).toBe(true);
    expect(readFileSync(join(e.dir, CACHED_FROM_FILE), 'utf8')).toBe('my own output');
    expect(readFileSync(join(executor.workDirOf('task2', req.tool, 1), CACHED_FROM_FILE), 'utf8')).toBe('my own output');
  });

  it('a link that fails midway (a file in the way of a folder): false, what it made removed, what was there kept', async () => {
    const e = await earlier({ 'A.bam': 'bam', 'sub/A.bai': 'bai' });
    const req = next();
    const to = executor.workDirOf('task2', req.tool, 1);
    mkdirSync(to, { recursive: true });
    writeFileSync(join(to, 'sub'), 'a file where the folder sub/ goes');
    expect(await executor.reuse(req, e.from, e.outputs)).toBe(false);
    expect(readdirSync(to)).toEqual(['sub']);
    expect(readFileSync(join(to, 'sub'), 'utf8')).toBe('a file where the folder sub/ goes');
  });

  it('refuses names that would leave the work folders', async () => {
    const e = await earlier({ 'A.bam': 'x' });
    await expect(executor.reuse(next(), { ...e.from, tool: '..' }, e.outputs)).rejects.toThrow('tool ".." cannot be a folder name');
    await expect(executor.reuse(next(), e.from, [{ path: '../../../etc/passwd', bytes: 1, sha256: sha('x') }])).rejects.toThrow('is not a path inside the work dir');
  });
});

/** A temporary folder under `base` (another filesystem), removed after the file's tests. */
function tempDirOn(base: string): string {
  const d = join(base, `toolflow-test-${process.pid}-${Date.now()}`);
  mkdirSync(d);
  afterAll(() => rmSync(d, { recursive: true, force: true }));
  return d;
}
