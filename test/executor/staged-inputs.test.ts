/**
 * Inputs staged by the local executor (`executor/local/staged-inputs.ts`), with real files held in
 * place (`runtime/embedded-upload.ts`): a symbolic link `_inputs/<name>/<file>` to the object, which
 * is the user's own inode (no byte copied, in the store or in the task's folder); staged only for
 * the attempts that get the input; read-only to tools (a tool that appends to its input, or
 * replaces it, fails with a message naming the tool, the input and the user's file, and the input
 * is refused afterwards); a file changed or deleted between submission and staging is a launch
 * error naming the input, never a run on other bytes.
 */
import { appendFileSync, existsSync, lstatSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredInput } from '../../shared/events/catalog.js';
import { LocalExecutor } from '../../shared/executor/local/local-executor.js';
import { InputChangedError } from '../../shared/executor/local/staged-inputs.js';
import { LocalObjectStore } from '../../shared/objects/local-object-store.js';
import { classifyExit } from '../../shared/policy/classify.js';
import { inputInPlace } from '../../shared/runtime/embedded-upload.js';
import type { KyselyStore } from '../../shared/store/kysely-store.js';
import { openSqliteStore } from '../../shared/store/sqlite-store.js';
import { request, runAttempt } from './helpers.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('toolflow-staged-');
const objects = new LocalObjectStore(join(dir, 'objects'));
const root = join(dir, 'work');
const executor = new LocalExecutor({ root, objects, keepaliveSeconds: 30 });
let store: KyselyStore;
beforeAll(async () => {
  store = openSqliteStore(join(dir, 'toolflow.db'));
  await store.migrate();
});
afterAll(async () => {
  await executor.close();
  await store.close();
});

/** A user's file `name` with `text`, held in place for a run (as `toolflow run --input` does). */
async function userInput(name: string, text: string, ways?: ('link' | 'reference')[]): Promise<{ path: string; stored: StoredInput }> {
  const path = join(dir, name);
  writeFileSync(path, text);
  const { key, fileName, sha256, bytes, local } = await inputInPlace({ store, objects }, 'me', path, ways ? { ways } : {});
  return { path, stored: { key, fileName, sha256, bytes, local } };
}

describe('inputs staged in place', () => {
  it('links _inputs/<name>/<file> to the object, the user\'s own inode: no byte copied, and the tool reads it', async () => {
    const { path, stored } = await userInput('reads.fq', '@r1\nACGT\n+\nIIII\n');
    const req = request(['wc -c < "$TF_INPUT_reads" > n.txt', 'echo "$TF_INPUT_reads" > where.txt'], { taskId: 'stage1', inputs: { reads: stored } });
    const { exit } = await runAttempt(executor, req);
    expect(exit).toMatchObject({ exitCode: 0 });
    const work = executor.workDirOf('stage1', req.tool, 1);
    expect(readFileSync(join(work, 'n.txt'), 'utf8').trim()).toBe('16');
    const staged = join(root, 'stage1', '_inputs', 'reads', 'reads.fq');
    expect(readFileSync(join(work, 'where.txt'), 'utf8').trim()).toBe(staged);
    expect(lstatSync(staged).isSymbolicLink()).toBe(true);
    expect(readlinkSync(staged)).toBe(objects.fileOf(stored.key));
    expect(statSync(staged).ino).toBe(statSync(path).ino);
    expect(statSync(path).nlink).toBe(2); // the user's name and the object: the link in _inputs is symbolic
    expect(statSync(path).mode & 0o222).not.toBe(0); // the user's file keeps its mode
  });

  it('stages an input only for the attempts that get it: a tool without it has no _inputs/<name> and no TF_INPUT_<name>', async () => {
    const { stored } = await userInput('ref.fa', '>chr1\nACGT\n');
    const without = request(['env | grep ^TF_INPUT_ > env.txt || true'], { taskId: 'stage2' });
    expect((await runAttempt(executor, without)).exit.exitCode).toBe(0);
    expect(existsSync(join(root, 'stage2', '_inputs', 'ref'))).toBe(false);
    expect(readFileSync(join(executor.workDirOf('stage2', without.tool, 1), 'env.txt'), 'utf8')).toBe('');
    const withIt = request(['cat "$TF_INPUT_ref" > copy.fa'], { taskId: 'stage2', inputs: { ref: stored } });
    expect((await runAttempt(executor, withIt)).exit.exitCode).toBe(0);
    expect(existsSync(join(root, 'stage2', '_inputs', 'ref', 'ref.fa'))).toBe(true);
  });

  it('fails an attempt that appends to its input, naming the tool, the input and the user\'s file; later attempts refuse the input', async () => {
    const { path, stored } = await userInput('sample.fq', '@r1\nACGT\n+\nIIII\n');
    const req = request(['echo junk >> "$TF_INPUT_sample"'], { taskId: 'stage3', inputs: { sample: stored } });
    const { exit } = await runAttempt(executor, req);
    expect(exit.exitCode).toBe(0); // the tool itself "succeeded"
    expect(exit.inputChanged).toContain(`tool ${req.tool} modified its input sample (the user's own file ${path}: 16 → 21 bytes`);
    expect(exit.inputChanged).toContain('inputs are read-only to tools');
    expect(classifyExit(exit, req.resources.memBytes)).toEqual({ reason: 'config', message: exit.inputChanged });
    expect(exit.outputs).toBeUndefined();
    const next = request(['cat "$TF_INPUT_sample"'], { taskId: 'stage3', inputs: { sample: stored } });
    await expect(executor.start(next, () => undefined)).rejects.toThrow(InputChangedError);
    await expect(executor.start(request(['true'], { taskId: 'stage3', inputs: { sample: stored } }), () => undefined)).rejects.toThrow(
      `input sample: ${path} was changed while an earlier attempt of this task ran (tool ${req.tool}: 16 → 21 bytes`,
    );
    // Another process (a resume) knows it from what was recorded at submission.
    const other = new LocalExecutor({ root, objects });
    try {
      await expect(other.start(request(['true'], { taskId: 'stage3', inputs: { sample: stored } }), () => undefined)).rejects.toThrow(`input sample: the file ${path} changed after the run was submitted (16 → 21 bytes`);
    } finally {
      await other.close();
    }
  });

  it('fails an attempt that replaces its input (sed -i, mv over it): the user\'s file is intact and the next attempt gets the link back', async () => {
    const { path, stored } = await userInput('table.tsv', 'a\t1\n');
    const req = request(['sed -i s/1/2/ "$TF_INPUT_table"'], { taskId: 'stage4', inputs: { table: stored } });
    const { exit } = await runAttempt(executor, req);
    expect(exit.inputChanged).toBe(`tool ${req.tool} replaced its input table (${join(root, 'stage4', '_inputs', 'table', 'table.tsv')}) with another file; inputs are read-only to tools: write new files in the work dir instead`);
    expect(readFileSync(path, 'utf8')).toBe('a\t1\n');
    const next = request(['cat "$TF_INPUT_table" > seen.tsv'], { taskId: 'stage4', inputs: { table: stored } });
    expect((await runAttempt(executor, next)).exit).toMatchObject({ exitCode: 0 });
    expect(readFileSync(join(executor.workDirOf('stage4', next.tool, 1), 'seen.tsv'), 'utf8')).toBe('a\t1\n');
  });

  it('refuses an input the user changed between submission and staging, naming it and the file', async () => {
    const { path, stored } = await userInput('changed.txt', 'before\n');
    appendFileSync(path, 'after\n');
    const req = request(['cat "$TF_INPUT_notes"'], { taskId: 'stage5', inputs: { notes: stored } });
    await expect(executor.start(req, () => undefined)).rejects.toThrow(`input notes: the file ${path} changed after the run was submitted (7 → 13 bytes`);
  });

  it('refuses an input referenced in place whose file was deleted between submission and staging; one held by a hard link still has its bytes', async () => {
    const ref = await userInput('gone.txt', 'kept?\n', ['reference']);
    rmSync(ref.path);
    const req = request(['cat "$TF_INPUT_gone"'], { taskId: 'stage6', inputs: { gone: ref.stored } });
    await expect(executor.start(req, () => undefined)).rejects.toThrow(`input gone: the file ${ref.path} was deleted or moved after the run was submitted; run again with the file in place`);
    const linked = await userInput('linked.txt', 'still here\n');
    rmSync(linked.path);
    const ok = request(['cat "$TF_INPUT_linked" > seen.txt'], { taskId: 'stage6', inputs: { linked: linked.stored } });
    expect((await runAttempt(executor, ok)).exit).toMatchObject({ exitCode: 0 });
    expect(readFileSync(join(executor.workDirOf('stage6', ok.tool, 1), 'seen.txt'), 'utf8')).toBe('still here\n');
  });

  it('makes an object of toolflow\'s own (a stored copy) read-only when it stages it, and fails a tool that writes it anyway', async () => {
    const src = join(dir, 'uploaded.txt');
    writeFileSync(src, 'uploaded\n');
    const put = await objects.putFile('me/u-own/uploaded.txt', src);
    const stored: StoredInput = { key: put.key, fileName: 'uploaded.txt', sha256: put.sha256, bytes: put.size };
    const req = request(['chmod u+w "$TF_INPUT_up" && echo more >> "$TF_INPUT_up"'], { taskId: 'stage7', inputs: { up: stored } });
    const { exit } = await runAttempt(executor, req);
    expect(exit.inputChanged).toContain(`tool ${req.tool} modified its input up (its stored copy ${objects.fileOf(put.key)}; the user's file is intact: 9 → 14 bytes`);
    expect(readFileSync(src, 'utf8')).toBe('uploaded\n');
    await expect(executor.start(request(['true'], { taskId: 'stage7', inputs: { up: stored } }), () => undefined)).rejects.toThrow(/was changed while an earlier attempt of this task ran/);
    const fresh = await objects.putFile('me/u-own2/uploaded.txt', src);
    const r2 = request(['true'], { taskId: 'stage8', inputs: { up: { key: fresh.key, fileName: 'uploaded.txt', bytes: fresh.size } } });
    expect((await runAttempt(executor, r2)).exit.exitCode).toBe(0);
    expect(statSync(objects.fileOf(fresh.key)).mode & 0o222).toBe(0);
  });
});
