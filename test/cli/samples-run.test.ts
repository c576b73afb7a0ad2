// `toolflow graph --input` and `toolflow run` with a sample sheet (issue 10), as a user runs them
// (the compiled CLI): the plan's instances in the graph, a run scattered over a sheet whose file
// cells are uploaded once each, and a sheet's problems reported with its line and column.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toolflow } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const home = join(dir, 'home');
const env = { TOOLFLOW_HOME: home };
const wf = join(dir, 'wf.yaml');
writeFileSync(
  wf,
  `name: mini
inputs:
  samples:
    type: samples
    columns:
      sample: {type: string}
      fastq: {type: file}
tools:
  - name: count
    scatter: samples
    mem: 64Mi
    outputs: {n: "{sample}.n"}
    cmds: ['printf "%s %s\\n" "$TF_ITEM_sample" "$(cat "$TF_ITEM_fastq")" > "$TF_OUT_n"']
  - name: join
    mem: 64Mi
    rely: [count]
    outputs: {all: all.txt}
    cmds: ['cat $TF_DEP_count_n > "$TF_OUT_all"']
`,
);
mkdirSync(join(dir, 'reads'));
writeFileSync(join(dir, 'reads', 'shared.fq'), 'ACGT');
writeFileSync(join(dir, 'reads', 'c.fq'), 'TTTT');
const sheet = join(dir, 'samples.csv');
writeFileSync(sheet, 'sample,fastq\nA,reads/shared.fq\nB,reads/shared.fq\nC,reads/c.fq\n');

describe('toolflow graph with a sample sheet', () => {
  it('prints the plan\'s instances and their edges', async () => {
    const r = await toolflow(['graph', wf, '--input', `samples=${sheet}`], env);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      'flowchart TD\n  n_count_oA_c["count[A]"]\n  n_count_oB_c["count[B]"]\n  n_count_oC_c["count[C]"]\n  n_join["join"]\n' +
        '  n_count_oA_c --> n_join\n  n_count_oB_c --> n_join\n  n_count_oC_c --> n_join\n',
    );
    // Without the sheet: the workflow's tools.
    expect((await toolflow(['graph', wf], env)).stdout).toBe('flowchart TD\n  n_count["count"]\n  n_join["join"]\n  n_count --> n_join\n');
  });
});

describe('toolflow run with a sample sheet', () => {
  it('runs one instance per row, gathers them in row order, and uploads a file two rows share once', async () => {
    const r = await toolflow(['run', wf, '--input', `samples=${sheet}`, '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { taskId: string; tools: { name: string; status: string }[] };
    expect(summary.tools.map((t) => [t.name, t.status])).toEqual([
      ['count[A]', 'succeeded'],
      ['count[B]', 'succeeded'],
      ['count[C]', 'succeeded'],
      ['join', 'succeeded'],
    ]);
    expect(readFileSync(join(home, 'work', summary.taskId, 'join', 'attempt-1', 'all.txt'), 'utf8')).toBe('A ACGT\nB ACGT\nC TTTT\n');
    // The sheet, shared.fq once, c.fq: three uploads.
    const uploaded = readdirSync(join(home, 'objects', 'local')).flatMap((id) => readdirSync(join(home, 'objects', 'local', id)));
    expect(uploaded.sort()).toEqual(['c.fq', 'samples.csv', 'shared.fq']);
  });

  it('refuses a sheet with problems before anything runs, each at its line and column (exit code 2)', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'sample,fastq\nA,reads/none.fq\nA,reads/c.fq\n');
    const r = await toolflow(['run', wf, '--input', `samples=${bad}`], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:2:2: inputs.samples[0].fastq: "${join(dir, 'reads', 'none.fq')}" does not exist or cannot be read`);
    expect(r.stderr).toContain(`${bad}:3:1: inputs.samples[1].sample: the key "A" is also the key of the row on line 2; keys must be unique`);
  });
});
