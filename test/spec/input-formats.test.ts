/**
 * `format:` on inputs (issue 11): where a workflow may declare it (a file input, a list of files, a
 * sheet's file column), the errors at their line and column elsewhere, and `toolflow run`'s check
 * of local files (`resolveInputs`: each file's first 64 KiB) with the argument, list item or sheet
 * cell named.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpecError } from '../../shared/errors.js';
import { checkLocalFormats } from '../../shared/spec/local-formats.js';
import { parseWorkflow } from '../../shared/spec/load.js';
import { readSampleSheet } from '../../shared/spec/sample-sheet.js';
import { resolveInputs } from '../../shared/spec/values.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('toolflow-formats-');
const file = (name: string, body: string | Buffer) => {
  writeFileSync(join(dir, name), body);
  return join(dir, name);
};
const FASTQ = '@r1\nACGT\n+\nIIII\n';
const FASTA = '>chr1\nACGT\n';

const issuesOf = (text: string) => {
  try {
    parseWorkflow('wf.yaml', text);
  } catch (err) {
    return (err as SpecError).issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`);
  }
  return [];
};

const declared = `name: f
inputs:
  reads: {format: fastq}
  refs: {type: list, of: file, format: fasta}
  samples:
    type: samples
    columns:
      sample: {type: string}
      bam: {type: file, format: bam}
tools:
  - {name: t, scatter: samples, cmds: ['echo "$TF_INPUT_reads" "$TF_ITEM_bam"']}
`;

describe('format in the workflow', () => {
  it('is kept on a file input, a list of files and a file column', () => {
    const { spec } = parseWorkflow('wf.yaml', declared);
    expect(spec.inputs.map((i) => [i.name, i.format])).toEqual([['reads', 'fastq'], ['refs', 'fasta'], ['samples', undefined]]);
    expect(spec.inputs[2]!.columns).toEqual([{ name: 'sample', type: 'string', required: true }, { name: 'bam', type: 'file', required: true, format: 'bam' }]);
    expect(parseWorkflow('wf.yaml', 'name: f\ninputs: {x: {}}\ntools:\n  - {name: t, cmds: ["true"]}\n').spec.inputs[0]!.format).toBeUndefined();
  });

  it('refuses an unknown format at its line and column, as other schema errors', () => {
    expect(issuesOf('name: f\ninputs:\n  reads: {format: fastqq}\ntools:\n  - {name: t, cmds: ["true"]}\n')).toEqual(['3:19 inputs.reads.format: "fastqq" must be one of fastq, fasta, gzip, bam, text']);
    expect(issuesOf('name: f\ninputs:\n  s:\n    type: samples\n    columns:\n      id: {type: string}\n      r: {type: file, format: FASTQ}\ntools:\n  - {name: t, cmds: ["true"]}\n')).toEqual([
      '7:31 inputs.s.columns.r.format: "FASTQ" must be one of fastq, fasta, gzip, bam, text',
    ]);
  });

  it('refuses format where it means nothing: a sample sheet, a list of strings, a column that is not a file', () => {
    expect(issuesOf('name: f\ninputs:\n  s:\n    type: samples\n    format: text\n    columns: {id: {type: string}, r: {type: file}}\ntools:\n  - {name: t, cmds: ["true"]}\n')).toEqual([
      '5:13 inputs.s.format: format is for files, and "s" is a sample sheet; declare the format on its file columns (columns: {fastq: {type: file, format: text}})',
    ]);
    expect(issuesOf('name: f\ninputs:\n  chroms: {type: list, format: text}\ntools:\n  - {name: t, cmds: ["true"]}\n')).toEqual(['3:32 inputs.chroms.format: format is for files, and "chroms" is a list of strings (the default): add of: file']);
    expect(issuesOf('name: f\ninputs:\n  chroms: {type: list, of: string, format: text}\ntools:\n  - {name: t, cmds: ["true"]}\n')).toEqual(['3:44 inputs.chroms.format: format is for files, and "chroms" is a list of strings: add of: file']);
    expect(issuesOf('name: f\ninputs:\n  s:\n    type: samples\n    columns:\n      id: {type: string}\n      depth: {type: int, format: text}\n      note: {format: text}\ntools:\n  - {name: t, cmds: ["true"]}\n')).toEqual([
      '7:34 inputs.s.columns.depth.format: format is for file columns, and "depth" is an int column: add type: file',
      '8:22 inputs.s.columns.note.format: format is for file columns, and "note" is a string column (the default type): add type: file',
    ]);
  });
});

describe('local files against their declared formats (toolflow run)', () => {
  const { spec } = parseWorkflow('wf.yaml', declared);
  const gz = file('r.fq.gz', execFileSync('gzip', ['-n', '-c'], { input: Buffer.from(FASTQ) }));
  const fa = file('ref.fa', FASTA);
  const fq = file('r.fq', FASTQ);
  const bam = join(dir, 'a.bam');
  file('a.sam', '@SQ\tSN:c1\tLN:8\nr1\t0\tc1\t1\t60\t4M\t*\t0\t0\tACGT\tIIII\n');
  execFileSync('samtools', ['view', '-b', '-o', bam, join(dir, 'a.sam')]);

  it('takes files that fit: gzip-compressed FASTQ for fastq, FASTA for a list of fasta, BAM for a bam column', async () => {
    const sheet = file('ok.csv', `sample,bam\nA,a.bam\n`);
    const got = await resolveInputs(spec, [`reads=${gz}`, `refs=${fa}`, `samples=${sheet}`], 'wf.yaml');
    expect(got.files).toEqual({ reads: gz, 'refs/ref/item': fa, samples: sheet, 'samples/A/bam': bam });
  });

  it('names each file that does not fit, at its argument, list item or sheet cell, in one error, in the order of the arguments', async () => {
    const sheet = file('bad.csv', `sample,bam\nA,a.bam\nB,r.fq.gz\n`);
    const err = (await resolveInputs(spec, [`reads=${fa}`, `refs=${fq}`, `refs=${fa}`, `samples=${sheet}`], 'wf.yaml').catch((e: unknown) => e)) as SpecError;
    expect(err).toBeInstanceOf(SpecError);
    expect(err.issues).toEqual([
      { file: `--input reads=${fa}`, path: 'reads', message: `"${fa}": expected fastq: the first record must start with '@', found '>chr1' (FASTA?) (inputs.reads declares format: fastq)` },
      { file: `--input refs=${fq}`, path: 'inputs.refs[0]', message: `"${fq}": expected fasta: the first record must start with '>', found '@r1' (FASTQ?) (inputs.refs declares format: fasta)` },
      { file: sheet, line: 3, column: 2, path: 'inputs.samples[1].bam', message: "\"r.fq.gz\": expected bam: BAM is BGZF (gzip blocks with a BC extra field), and this is plain gzip; found gzip-compressed FASTQ (bytes 1f 8b 08 00 00 00 00 00 …; inflated, it starts '@r1\\nACGT\\n+\\nIIII\\n') (inputs.samples.columns.bam declares format: bam)" },
    ]);
    expect(err.message).toContain(`--input reads=${fa}: reads: "${fa}": expected fastq`);
  });

  it('checks a list\'s default files, relative to the workflow file', async () => {
    const wf = join(dir, 'wf.yaml');
    const { spec: withDefault } = parseWorkflow(wf, 'name: d\ninputs:\n  refs: {type: list, of: file, format: fasta, default: [r.fq, ref.fa]}\ntools:\n  - {name: t, scatter: refs, cmds: ["true"]}\n');
    const err = (await resolveInputs(withDefault, [], wf).catch((e: unknown) => e)) as SpecError;
    expect(err.issues).toEqual([
      { file: wf, path: 'inputs.refs.default[0]', message: `"r.fq": expected fasta: the first record must start with '>', found '@r1' (FASTQ?) (inputs.refs declares format: fasta)` },
    ]);
  });

  it('reads a file given under two names once, and says when a file cannot be read to check it', async () => {
    const checks = [
      { path: fa, shown: 'ref.fa', format: 'fastq' as const, declaredAt: 'inputs.a', at: { file: 'x', path: 'a' } },
      { path: fa, shown: 'ref.fa', format: 'fastq' as const, declaredAt: 'inputs.b', at: { file: 'x', path: 'b' } },
      { path: join(dir, 'gone.fq'), shown: 'gone.fq', format: 'fastq' as const, declaredAt: 'inputs.c', at: { file: 'x', path: 'c' } },
      { path: fq, shown: 'r.fq', format: 'fastq' as const, declaredAt: 'inputs.d', at: { file: 'x', path: 'd' } },
    ];
    const got = await checkLocalFormats(checks);
    expect(got.map((i) => i?.path)).toEqual(['a', 'b', 'c', undefined]);
    expect(got[2]!.message).toBe(`"gone.fq": cannot be read to check its format: ENOENT: no such file or directory, open '${join(dir, 'gone.fq')}' (inputs.c declares format: fastq)`);
  });

  it('checks a sheet\'s file cells as the sheet is read', async () => {
    const sheet = file('cells.csv', 'sample,bam\nA,ref.fa\n');
    const read = await readSampleSheet(sheet, spec.inputs[2]!);
    expect(read.issues.map((i) => [i.line, i.column, i.path])).toEqual([[2, 2, 'inputs.samples[0].bam']]);
    expect(read.issues[0]!.message).toBe("\"ref.fa\": expected bam (BGZF-compressed data starting BAM\\1), found FASTA (starts '>chr1\\nACGT\\n') (inputs.samples.columns.bam declares format: bam)");
  });
});
