import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpecError } from '../../shared/errors.js';
import { parseWorkflow } from '../../shared/spec/load.js';
import { parseSetArgs, readParamsFile, resolveInputs, resolveValues } from '../../shared/spec/values.js';
import { tempDir } from '../support/tmp.js';

const { spec } = parseWorkflow(
  'wf.yaml',
  `name: w
inputs:
  reads: {}
  extra: {required: false}
tools:
  - name: filter
    cmds: [x]
    options:
      - {name: min_quality, type: int, default: 20, min: 0, max: 60}
      - {name: mode, type: string, enum: [fast, exact], required: true}
      - {name: verbose, type: bool, default: false}
      - {name: ratio, type: float}
`,
);

const messages = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return (err as SpecError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
};

describe('option values', () => {
  it('takes defaults, then params, then --set (later wins) and types them', () => {
    const values = resolveValues(
      spec,
      [
        { tool: 'filter', option: 'mode', value: 'fast', from: 'params.yaml' },
        ...parseSetArgs(['filter.mode=exact', 'filter.verbose=true', 'filter.ratio=1e-3']),
      ],
      'wf.yaml',
    );
    expect(values.filter).toEqual({ min_quality: 20, mode: 'exact', verbose: true, ratio: 0.001 });
  });

  it('passes values with shell syntax through untouched', () => {
    const weird = ['x; touch pwned', '$(id)', '`id`', 'a\'b"c', 'line1\nline2', 'a=b=c'];
    for (const w of weird) {
      const { spec: s } = parseWorkflow('wf.yaml', 'name: w\ntools:\n  - {name: t, cmds: [x], options: [{name: v}]}\n');
      expect(resolveValues(s, parseSetArgs([`t.v=${w}`]), 'wf.yaml').t).toEqual({ v: w });
    }
  });

  it('names a missing required option and how to give it', () => {
    expect(messages(() => resolveValues(spec, [], 'wf.yaml'))).toEqual(['filter.mode: required option has no value; give it with --set filter.mode=VALUE']);
  });

  it.each([
    ['filter.min_quality=high', 'filter.min_quality: int option: "high" is not a number'],
    ['filter.min_quality=61', 'filter.min_quality: int option: 61 is more than the maximum 60'],
    ['filter.min_quality=-1', 'filter.min_quality: int option: -1 is less than the minimum 0'],
    ['filter.min_quality=020', 'filter.min_quality: int option: "020" has a leading zero'],
    ['filter.mode=slow', 'filter.mode: string option: "slow" is not one of "fast", "exact"'],
    ['filter.verbose=no', 'filter.verbose: bool option: "no" is a boolean only in YAML 1.1; write true or false'],
    ['filter.min_qualty=3', 'filter.min_qualty: tool "filter" has no option "min_qualty" (did you mean "min_quality"?)'],
    ['filtr.mode=fast', 'filtr.mode: unknown tool "filtr" (did you mean "filter"?)'],
  ])('rejects --set %s', (arg, message) => {
    const got = messages(() => resolveValues(spec, [...parseSetArgs(['filter.mode=fast']), ...parseSetArgs([arg])], 'wf.yaml'));
    expect(got[0]).toContain(message);
  });

  it('rejects malformed --set arguments', () => {
    expect(messages(() => resolveValues(spec, parseSetArgs(['novalue', 'tool=1', 'filter.mode=fast']), 'wf.yaml'))).toEqual([
      ': "novalue" must look like TOOL.OPTION=VALUE',
      ': "tool=1" must look like TOOL.OPTION=VALUE',
    ]);
  });

  it('reads a params file, keeping exact text, with positions in messages', async () => {
    const dir = tempDir();
    const file = join(dir, 'params.yaml');
    writeFileSync(file, 'filter:\n  mode: fast\n  min_quality: 0755\n');
    const given = await readParamsFile(file);
    expect(given.map((g) => [g.option, g.value])).toEqual([
      ['mode', 'fast'],
      ['min_quality', '0755'],
    ]);
    const got = messages(() => resolveValues(spec, given, 'wf.yaml'));
    expect(got).toHaveLength(1);
    expect(got[0]).toMatch(/leading zero/);
    writeFileSync(file, '- a\n');
    await expect(readParamsFile(file)).rejects.toThrow(/a params file is a mapping/);
  });
});

describe('inputs', () => {
  it('checks names, required inputs and files', async () => {
    const dir = tempDir();
    const reads = join(dir, 'reads.fq');
    writeFileSync(reads, '@r\nA\n+\nI\n');
    expect(await resolveInputs(spec, [`reads=${reads}`], 'wf.yaml')).toEqual({ files: { reads }, items: {} });
    const err = await resolveInputs(spec, ['red=x', `extra=${dir}`, 'bad'], 'wf.yaml').catch((e: SpecError) => e.issues.map((i) => i.message));
    expect(err).toEqual([
      'the workflow has no input "red" (did you mean "reads"?)',
      `"${dir}" is not a regular file, a pipe or a character device`, // a file input may be a pipe (read once)
      '"bad" must look like NAME=PATH',
      'required input has no file; give it with --input reads=PATH',
    ]);
    const missing = await resolveInputs(spec, ['reads=/nonexistent'], 'wf.yaml').catch((e: SpecError) => e.message);
    expect(missing).toContain('"/nonexistent" does not exist or cannot be read');
  });
});

describe('value messages found by review', () => {
  it('lets --set replace a params-file value that would be refused', () => {
    const values = resolveValues(spec, [{ tool: 'filter', option: 'min_quality', value: '99', from: 'p.yaml:1:1' }, ...parseSetArgs(['filter.mode=fast', 'filter.min_quality=5'])], 'wf.yaml');
    expect(values.filter!.min_quality).toBe(5);
  });

  it('names an --input without "=" in full, once', async () => {
    const err = await resolveInputs(spec, ['reads'], 'wf.yaml').catch((e: SpecError) => e.issues.map((i) => `${i.path}: ${i.message}`));
    expect(err).toEqual(['reads: "reads" must look like NAME=PATH']);
  });

  it('does not call a required option missing when its given value was refused', () => {
    expect(messages(() => resolveValues(spec, parseSetArgs(['filter.mode=slow']), 'wf.yaml'))).toEqual(['filter.mode: string option: "slow" is not one of "fast", "exact"']);
  });

  it('says a too-large int is too large', () => {
    const got = messages(() => resolveValues(spec, parseSetArgs(['filter.mode=fast', 'filter.min_quality=99999999999999999999']), 'wf.yaml'));
    expect(got[0]).toContain('is too large');
  });

  it('names a params file that cannot be read', async () => {
    await expect(readParamsFile('/nonexistent/params.yaml')).rejects.toThrow(/cannot read the params file/);
  });
});

describe('sample sheets and lists (issue 10)', () => {
  const dir = tempDir();
  const wfFile = join(dir, 'wf.yaml');
  const text = `name: w
inputs:
  ref: {}
  samples:
    type: samples
    columns:
      sample: {type: string}
      fastq: {type: file}
      group: {type: string}
  chroms:
    type: list
    default: [chr1]
  refs:
    type: list
    of: file
    default: [a.fa]
    required: false
tools:
  - name: align
    scatter: samples
    outputs: {bam: "{sample}_{group}.bam"}
    cmds: ['true']
`;
  writeFileSync(wfFile, text);
  const { spec: wf } = parseWorkflow(wfFile, text);
  writeFileSync(join(dir, 'ref.fa'), '>c\n');
  writeFileSync(join(dir, 'a.fa'), '>a\n');
  writeFileSync(join(dir, 'A.fq'), '@r\n');
  writeFileSync(join(dir, 'sheet.csv'), 'sample,fastq,group\nA,A.fq,g1\nB,A.fq,g2\n');

  it('reads the sheet (its files from its folder) and the lists (given, or their defaults from the workflow\'s folder)', async () => {
    const sheet = join(dir, 'sheet.csv');
    const got = await resolveInputs(wf, [`ref=${join(dir, 'ref.fa')}`, `samples=${sheet}`, 'chroms=chrX', 'chroms=chrY'], wfFile);
    expect(got.files).toEqual({ ref: join(dir, 'ref.fa'), samples: sheet, 'samples/A/fastq': join(dir, 'A.fq'), 'samples/B/fastq': join(dir, 'A.fq'), 'refs/a/item': join(dir, 'a.fa') });
    expect(Object.keys(got.items)).toEqual(['samples', 'chroms', 'refs']);
    expect(got.items.samples!.map((i) => i.key)).toEqual(['A', 'B']);
    expect(got.items.chroms).toEqual([
      { key: 'chrX', fields: { item: 'chrX' }, files: {} },
      { key: 'chrY', fields: { item: 'chrY' }, files: {} },
    ]);
    // The default when none is given.
    const plain = await resolveInputs(wf, [`ref=${join(dir, 'ref.fa')}`, `samples=${sheet}`], wfFile);
    expect(plain.items.chroms).toEqual([{ key: 'chr1', fields: { item: 'chr1' }, files: {} }]);
  });

  it('reports the sheet\'s problems with the arguments\' in order, a sheet given twice, and a missing sheet', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'sample,fastq,group\nA,none.fq,a/b\n');
    const err = (await resolveInputs(wf, ['nope=1', `samples=${bad}`, `samples=${bad}`, 'chroms=a b'], wfFile).catch((e: unknown) => e)) as SpecError;
    expect(err.issues.map((i) => `${i.file}:${i.line ?? ''} ${i.path}: ${i.message}`)).toEqual([
      '--input nope=1: nope: the workflow has no input "nope"; its inputs: ref, samples, chroms, refs',
      `${bad}:2 inputs.samples[0].fastq: "${join(dir, 'none.fq')}" does not exist or cannot be read (relative paths are read from the sheet's folder, ${dir})`,
      `${bad}:2 inputs.samples[0].group: column "group" is part of an output file name ({group}), and "a/b" must start with a letter or digit and hold only letters, digits, ".", "_" and "-" (it names instances and files)`,
      `--input samples=${bad}: samples: input "samples" is given twice (--input samples=${bad}, then --input samples=${bad}); give each input once (a samples input is one sheet, with one row per sample)`,
      '--input chroms=a b: inputs.chroms[0]: the item "a b" must start with a letter or digit and hold only letters, digits, ".", "_" and "-" (it names instances and files)',
      `${wfFile}: inputs.ref: required input has no file; give it with --input ref=PATH`,
    ]);
    const missing = (await resolveInputs(wf, [`ref=${join(dir, 'ref.fa')}`], wfFile).catch((e: unknown) => e)) as SpecError;
    expect(missing.issues.map((i) => i.message)).toEqual(['required sample sheet is not given; give it with --input samples=SHEET (a CSV or TSV file with a header row)']);
  });

  it('needs no required input with requireAll: false (toolflow graph)', async () => {
    const got = await resolveInputs(wf, [], wfFile, { requireAll: false });
    expect(got.items.chroms).toHaveLength(1);
    expect(got.items.samples).toBeUndefined();
  });
});
