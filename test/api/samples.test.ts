/**
 * Sample sheets over the user API (issue 10): a samples input is the upload id of its sheet, read
 * from the object store and checked as the CLI checks it; its file cells are upload ids of the
 * caller's. List inputs cannot be given over the API yet (a list of strings takes its default).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startApi, type TestApi } from '../support/api.js';

let api: TestApi;
let ann: string;
let bob: string;

const workflow = `name: mini
inputs:
  samples:
    type: samples
    columns:
      sample: {type: string}
      fastq: {type: file}
  chroms:
    type: list
    default: [chr1]
tools:
  - name: count
    scatter: samples
    mem: 64Mi
    outputs: {n: "{sample}.n"}
    cmds: ['printf "%s %s\\n" "$TF_ITEM_sample" "$(cat "$TF_ITEM_fastq")" > "$TF_OUT_n"']
  - name: join
    scatter: chroms
    mem: 64Mi
    rely: [count]
    outputs: {all: "{item}.txt"}
    cmds: ['cat $TF_DEP_count_n > "$TF_OUT_all"; cat "$TF_OUT_all"']
`;

async function upload(token: string, name: string, body: string): Promise<string> {
  const r = await api.call('POST', `/v1/uploads?name=${name}`, { token, body: Buffer.from(body), headers: { 'content-type': 'application/octet-stream' } });
  expect(r.status, r.text).toBe(201);
  return (r.json as { uploadId: string }).uploadId;
}

beforeAll(async () => {
  api = await startApi();
  ann = await api.token('ann');
  bob = await api.token('bob');
});
afterAll(async () => {
  await api?.close();
});

describe('a samples input over the API', () => {
  it('reads the sheet from its upload, its file cells as upload ids, and runs one instance per row', async () => {
    const a = await upload(ann, 'a.fq', 'ACGT');
    const b = await upload(ann, 'b.fq', 'TTTT');
    const sheet = await upload(ann, 'samples.csv', `sample,fastq\nA,${a}\nB,${b}\n`);
    const r = await api.call('POST', '/v1/tasks', { token: ann, body: { workflow, inputs: { samples: sheet } } });
    expect(r.status, r.text).toBe(202);
    const { taskId } = r.json as { taskId: string };
    let status = '';
    await eventually(async () => {
      status = ((await api.call('GET', `/v1/tasks/${taskId}`, { token: ann })).json as { status: string }).status;
      return ['succeeded', 'failed', 'cancelled'].includes(status);
    }, 'the task to finish');
    expect(status).toBe('succeeded');
    expect((await api.call('GET', `/v1/tasks/${taskId}/tools/${encodeURIComponent('join[chr1]')}/logs`, { token: ann })).text).toBe('A ACGT\nB TTTT\n');
  });

  it('answers 422 with the sheet\'s line and column for a cell that is no upload of the caller\'s, and refuses a list input given', async () => {
    const theirs = await upload(bob, 'b.fq', 'TTTT');
    const sheet = await upload(ann, 'samples.csv', `sample,fastq\nA,reads/a.fq\nB,${theirs}\n`);
    const r = await api.call('POST', '/v1/tasks', { token: ann, body: { workflow, inputs: { samples: sheet, chroms: 'chr2' } } });
    expect(r.status).toBe(422);
    const issues = (r.json as { issues: { file: string; line?: number; column?: number; path: string; message: string }[] }).issues;
    expect(issues).toEqual([
      { file: 'inputs', path: 'chroms', message: '"chroms" is a list input, and list inputs cannot be given over the API yet: run the workflow with toolflow run (--input chroms=VALUE once per item), or declare a default' },
      { file: 'samples.csv', line: 2, column: 2, path: 'inputs.samples[0].fastq', message: 'over the API, a file cell is the upload id of the file: no upload "reads/a.fq" of yours: upload the file (POST /v1/uploads?name=FILE, or toolflow upload) and give the uploadId it answers' },
      { file: 'samples.csv', line: 3, column: 2, path: 'inputs.samples[1].fastq', message: `over the API, a file cell is the upload id of the file: no upload "${theirs}" of yours: upload the file (POST /v1/uploads?name=FILE, or toolflow upload) and give the uploadId it answers` },
    ]);
  });
});
