/**
 * Upload ids as a submission's inputs over the user API (issue 11): only the submitter's own
 * successful uploads are inputs, and one whose first bytes (what the upload recorded,
 * `UploadDoc.detected`) do not fit the format the input or the sheet's column declares is refused.
 * Every bad input is named in the same 422, each with its own words. Uploads are made as clients
 * make them (`POST /v1/uploads`), an ongoing one and a failed one through the uploads facade the
 * API itself uses (tus creation without bytes; an abort).
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadsFor } from '../../shared/handlers/upload.js';
import { eventually, startApi, type TestApi } from '../support/api.js';

let api: TestApi;
let ann: string;
let bob: string;

const FASTQ = '@r1\nACGT\n+\nIIII\n';
const FASTA = '>chr1\nACGTACGT\n';
const gzip = (text: string) => execFileSync('gzip', ['-n', '-c'], { input: Buffer.from(text) });

async function upload(token: string, name: string, body: Buffer | string): Promise<string> {
  const r = await api.call('POST', `/v1/uploads?name=${encodeURIComponent(name)}`, { token, body: Buffer.from(body), headers: { 'content-type': 'application/octet-stream' } });
  expect(r.status, r.text).toBe(201);
  return (r.json as { uploadId: string }).uploadId;
}

type Issue = { file: string; line?: number; column?: number; path: string; message: string };
const issuesOf = (r: { json: unknown }) => (r.json as { issues: Issue[] }).issues;

const workflow = `name: fmt
inputs:
  reads: {format: fastq}
  ref: {format: fasta}
  notes: {format: text, required: false}
  extra: {required: false}
  aligned: {format: bam, required: false}
  blank: {format: text, required: false}
tools:
  - name: peek
    mem: 64Mi
    cmds: ['zcat "$TF_INPUT_reads" | head -1; head -1 "$TF_INPUT_ref"']
`;

beforeAll(async () => {
  api = await startApi();
  ann = await api.token('ann');
  bob = await api.token('bob');
});
afterAll(async () => {
  await api?.close();
});

describe('upload ids as inputs of a workflow that declares formats', () => {
  it('takes the caller\'s finished uploads whose bytes fit: gzip-compressed FASTQ for fastq, FASTA for fasta', async () => {
    const reads = await upload(ann, 'reads.fq.gz', gzip(FASTQ));
    const ref = await upload(ann, 'ref.fa', FASTA);
    const r = await api.call('POST', '/v1/tasks', { token: ann, body: { workflow, inputs: { reads, ref } } });
    expect(r.status, r.text).toBe(202);
    const { taskId } = r.json as { taskId: string };
    await eventually(async () => ((await api.call('GET', `/v1/tasks/${taskId}`, { token: ann })).json as { status: string }).status === 'succeeded', 'the task to succeed');
    expect((await api.call('GET', `/v1/tasks/${taskId}/tools/peek/logs`, { token: ann })).text).toBe('@r1\n>chr1\n');
  });

  it('names every input that cannot be used in one 422: wrong format, another user\'s, still uploading, failed, empty', async () => {
    const fasta = await upload(ann, 'reads.fa', FASTA); // given for reads, which declares fastq
    const theirs = await upload(bob, 'ref.fa', FASTA);
    const uploads = await uploadsFor(api.runtime.ports);
    const ongoing = await uploads.create('ann', { originalName: 'notes.txt', declaredSize: 100 });
    const failed = await uploads.create('ann', { originalName: 'extra.bin', declaredSize: 10 });
    await uploads.abort('ann', failed.uploadId, 'the client gave up');
    const plainGzip = await upload(ann, 'aligned.bam', gzip(FASTQ));
    const empty = await upload(ann, 'blank.txt', '');
    const inputs = { reads: fasta, ref: theirs, notes: ongoing.uploadId, extra: failed.uploadId, aligned: plainGzip, blank: empty };
    const r = await api.call('POST', '/v1/tasks', { token: ann, body: { workflow, inputs } });
    expect(r.status, r.text).toBe(422);
    expect(issuesOf(r)).toEqual([
      { file: 'inputs', path: 'reads', message: `upload ${fasta} ("reads.fa"): expected fastq (FASTQ, plain or gzip-compressed), found FASTA (inputs.reads declares format: fastq)` },
      { file: 'inputs', path: 'ref', message: `no upload "${theirs}" of yours: upload the file (POST /v1/uploads?name=FILE, or toolflow upload) and give the uploadId it answers` },
      { file: 'inputs', path: 'notes', message: `upload ${ongoing.uploadId} ("notes.txt") is still uploading (0 of 100 bytes so far); submit once it has finished` },
      { file: 'inputs', path: 'extra', message: `upload ${failed.uploadId} ("extra.bin") failed: the client gave up; upload the file again` },
      { file: 'inputs', path: 'aligned', message: `upload ${plainGzip} ("aligned.bam"): expected bam (BGZF-compressed data starting BAM\\1), found gzip-compressed FASTQ (inputs.aligned declares format: bam)` },
      { file: 'inputs', path: 'blank', message: `upload ${empty} ("blank.txt"): expected text (UTF-8 text without NUL bytes), found an empty file (inputs.blank declares format: text)` },
    ]);
    // The same ids by query arguments: the same issues, each at its argument.
    const text = await api.call('POST', `/v1/tasks?input=reads=${fasta}&input=ref=${theirs}`, { token: ann, body: workflow, headers: { 'content-type': 'application/yaml' } });
    expect(issuesOf(text).map((i) => [i.file, i.path])).toEqual([[`input=reads=${fasta}`, 'reads'], [`input=ref=${theirs}`, 'ref']]);
  });

  it('checks the format a sheet\'s file column declares on each cell\'s upload, at the cell\'s line and column', async () => {
    const sheetWorkflow = `name: sheet
inputs:
  samples:
    type: samples
    columns:
      sample: {type: string}
      fastq: {type: file, format: fastq}
tools:
  - {name: count, scatter: samples, mem: 64Mi, cmds: ['wc -l < "$TF_ITEM_fastq"']}
`;
    const a = await upload(ann, 'a.fq', FASTQ);
    const b = await upload(ann, 'b.fa', FASTA);
    const sheet = await upload(ann, 'samples.csv', `sample,fastq\nA,${a}\nB,${b}\nC,00000000-0000-4000-8000-000000000000\n`);
    const r = await api.call('POST', '/v1/tasks', { token: ann, body: { workflow: sheetWorkflow, inputs: { samples: sheet } } });
    expect(r.status, r.text).toBe(422);
    expect(issuesOf(r)).toEqual([
      { file: 'samples.csv', line: 3, column: 2, path: 'inputs.samples[1].fastq', message: `upload ${b} ("b.fa"): expected fastq (FASTQ, plain or gzip-compressed), found FASTA (inputs.samples.columns.fastq declares format: fastq)` },
      { file: 'samples.csv', line: 4, column: 2, path: 'inputs.samples[2].fastq', message: `over the API, a file cell is the upload id of the file: no upload "00000000-0000-4000-8000-000000000000" of yours: upload the file (POST /v1/uploads?name=FILE, or toolflow upload) and give the uploadId it answers` },
    ]);
  });
});
