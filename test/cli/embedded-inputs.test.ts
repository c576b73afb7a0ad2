/**
 * Embedded-mode inputs through the CLI, as a user runs `toolflow run` (issue 11): the input is held
 * in place (its object is a hard link to the user's file, the task's `_inputs/` a symbolic link to
 * it: no copy anywhere), checksummed once (a second run does not read it: the checksum record's
 * `hashed_at` stays), a file changed between runs gets a new checksum and its tool runs again
 * (the cache key changed), and a tool that writes to its input fails with a message naming the
 * tool, the input and the user's file.
 */
import { appendFileSync, lstatSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { toolflow } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const home = tempDir('toolflow-inputs-cli-');
const env = { TOOLFLOW_HOME: home };
const RAN = join(home, 'ran.log');
const INPUT = join(home, 'reads.fq');
writeFileSync(
  join(home, 'count.yaml'),
  `name: count-reads
inputs:
  reads: {type: file}
tools:
  - name: count
    cpu: 0.1
    mem: 64M
    outputs: [n.txt]
    cmds:
      - echo count >> '${RAN}'
      - wc -l < "$TF_INPUT_reads" > n.txt
`,
);
writeFileSync(
  join(home, 'writer.yaml'),
  `name: writes-its-input
inputs:
  reads: {type: file}
tools:
  - name: trim
    cpu: 0.1
    mem: 64M
    cmds:
      - echo '@extra' >> "$TF_INPUT_reads"
`,
);

interface RunJson {
  taskId: string;
  status: string;
  tools: { name: string; status: string; reason: string | null; message: string | null; cached: unknown }[];
}

async function run(file: string): Promise<RunJson & { code: number }> {
  const r = await toolflow(['run', join(home, file), '--input', `reads=${INPUT}`, '--json'], env);
  return { ...(JSON.parse(r.stdout) as RunJson), code: r.code };
}

/** The checksum record of the input (the embedded SQLite database). */
function checksumRow(): { sha256: string; hashed_at: number } | undefined {
  const db = new Database(join(home, 'toolflow.db'), { readonly: true });
  try {
    const st = statSync(INPUT);
    return db.prepare('select sha256, hashed_at from input_checksums where dev = ? and ino = ?').get(String(st.dev), String(st.ino)) as { sha256: string; hashed_at: number } | undefined;
  } finally {
    db.close();
  }
}

const ranCount = () => readFileSync(RAN, 'utf8').split('\n').filter(Boolean).length;

describe('toolflow run: inputs in place', () => {
  it('holds the input by a hard link and a symbolic link, copies nothing, and checksums it once', async () => {
    writeFileSync(INPUT, '@r1\nACGT\n+\nIIII\n');
    const first = await run('count.yaml');
    expect(first.code).toBe(0);
    const task = new Database(join(home, 'toolflow.db'), { readonly: true });
    const inputs = JSON.parse((task.prepare('select inputs_json from tasks where id = ?').get(first.taskId) as { inputs_json: string }).inputs_json) as Record<string, { key: string; local: { how: string; path: string } }>;
    task.close();
    expect(inputs.reads!.local).toMatchObject({ how: 'link', path: INPUT });
    const object = join(home, 'objects', ...inputs.reads!.key.split('/'));
    expect(statSync(object).ino).toBe(statSync(INPUT).ino);
    expect(statSync(INPUT).nlink).toBe(2);
    const staged = join(home, 'work', first.taskId, '_inputs', 'reads', 'reads.fq');
    expect(lstatSync(staged).isSymbolicLink()).toBe(true);
    expect(readlinkSync(staged)).toBe(object);
    expect(readFileSync(join(home, 'work', first.taskId, 'count', 'attempt-1', 'n.txt'), 'utf8').trim()).toBe('4');
    const row = checksumRow();
    expect(row).toBeDefined();
    const second = await run('count.yaml');
    expect(second.code).toBe(0);
    expect(second.tools[0]!.cached).not.toBeNull(); // same checksum, same key: reused
    expect(checksumRow()).toEqual(row); // not hashed again
    expect(ranCount()).toBe(1);
  });

  it('gives a file changed between runs a new checksum, and its tool runs again', async () => {
    const before = checksumRow()!;
    appendFileSync(INPUT, '@r2\nTTTT\n+\nIIII\n');
    const r = await run('count.yaml');
    expect(r.code).toBe(0);
    expect(r.tools[0]!.cached).toBeNull();
    expect(ranCount()).toBe(2);
    const after = checksumRow()!;
    expect(after.sha256).not.toBe(before.sha256);
    expect(readFileSync(join(home, 'work', r.taskId, 'count', 'attempt-1', 'n.txt'), 'utf8').trim()).toBe('8');
  });

  it('fails a tool that writes to its input, naming the tool, the input and the user\'s file', async () => {
    const r = await run('writer.yaml');
    expect(r.code).toBe(1);
    expect(r.tools[0]).toMatchObject({ name: 'trim', status: 'failed', reason: 'config' });
    expect(r.tools[0]!.message).toContain(`tool trim modified its input reads (the user's own file ${INPUT}:`);
    expect(r.tools[0]!.message).toContain('inputs are read-only to tools: restore the file, or run again to use it as it is now');
  });
});
