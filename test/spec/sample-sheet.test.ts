// Sample sheets and list inputs (issue 10): reading a CSV/TSV sheet against its declared columns,
// and a list's items, each problem reported with the sheet's path, line, column and field path.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SpecIssue } from '../../shared/errors.js';
import { fileKey, MAX_SHEET_BYTES, MAX_SHEET_ROWS, parseSampleSheet, readListItems, readSampleSheet, sheetFormat } from '../../shared/spec/sample-sheet.js';
import type { InputSpec } from '../../shared/spec/types.js';
import { tempDir } from '../support/tmp.js';

const samples: InputSpec = {
  name: 'samples',
  required: true,
  description: '',
  type: 'samples',
  key: 'sample',
  columns: [
    { name: 'sample', type: 'string', required: true },
    { name: 'fastq', type: 'file', required: true },
    { name: 'depth', type: 'int', required: false },
    { name: 'ratio', type: 'float', required: false },
    { name: 'paired', type: 'bool', required: false },
  ],
};
const plain: InputSpec = { ...samples, columns: [{ name: 'sample', type: 'string', required: true }, { name: 'group', type: 'string', required: true }] };

/** `line:column path: message` of each issue. */
const where = (issues: SpecIssue[]) => issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`);

describe('parseSampleSheet', () => {
  it('writes int, float and bool cells as option values are (1e3, +7, .5, TRUE as 1000, 7, 0.5, true)', () => {
    const text = 'sample,fastq,depth,ratio,paired\nA,a.fq,1e3,.5,TRUE\nB,b.fq,+7,5.,False\n';
    const { items, issues } = parseSampleSheet(text, samples, { file: 'sheet.csv' });
    expect(issues).toEqual([]);
    expect(items.map((i) => [i.fields.depth, i.fields.ratio, i.fields.paired])).toEqual([
      ['1000', '0.5', 'true'],
      ['7', '5', 'false'],
    ]);
  });

  it('reads a TSV into items in file order, keyed by the key column, with each file cell named as its stored input', () => {
    const text = 'sample\tfastq\tdepth\tratio\tparied\n'.replace('paried', 'paired') + 'A\ta.fq\t30\t0.5\ttrue\nB\tsub/b.fq\t\t\tFALSE\n';
    const { items, fileCells, issues } = parseSampleSheet(text, samples, { file: 'sheet.tsv' });
    expect(issues).toEqual([]);
    expect(items).toEqual([
      { key: 'A', fields: { sample: 'A', fastq: 'a.fq', depth: '30', ratio: '0.5', paired: 'true' }, files: { fastq: 'samples/A/fastq' } },
      // Typed cells are written as option values are: FALSE → false.
      { key: 'B', fields: { sample: 'B', fastq: 'sub/b.fq', depth: '', ratio: '', paired: 'false' }, files: { fastq: 'samples/B/fastq' } },
    ]);
    expect(fileCells).toEqual([
      { storedName: 'samples/A/fastq', value: 'a.fq', line: 2, column: 2, path: 'inputs.samples[0].fastq' },
      { storedName: 'samples/B/fastq', value: 'sub/b.fq', line: 3, column: 2, path: 'inputs.samples[1].fastq' },
    ]);
  });

  it('reads CSV with columns in any order, quoted cells, a BOM, CRLF line ends, blank lines and spaces around cells', () => {
    const text = '\uFEFFgroup, sample\r\n"x, y",A\r\n\r\n  z ,"B"\r\n';
    const { items, issues } = parseSampleSheet(text, plain, { file: 'sheet.csv' });
    expect(issues).toEqual([]);
    expect(items.map((i) => i.fields)).toEqual([
      { sample: 'A', group: 'x, y' },
      { sample: 'B', group: 'z' },
    ]);
  });

  it('tells CSV from TSV by the extension, else by a tab in the header line', () => {
    expect(sheetFormat('s.csv', 'a\tb\n')).toBe('csv');
    expect(sheetFormat('s.TSV', 'a,b\n')).toBe('tsv');
    expect(sheetFormat('sheet.txt', 'a\tb\n1\t2\n')).toBe('tsv');
    expect(sheetFormat('sheet', 'a,b\n')).toBe('csv');
  });

  it('reports an empty sheet, a missing header and a header without rows', () => {
    expect(where(parseSampleSheet('', plain, { file: 's.csv' }).issues)).toEqual(['1:1 inputs.samples: the sheet is empty; its first line must be a header naming the columns (sample, group), then one row per sample']);
    expect(where(parseSampleSheet('A,x\nB,y\n', plain, { file: 's.csv' }).issues)).toEqual(['1:1 inputs.samples: no header row: the first line must name the columns (sample, group); it reads "A,x"']);
    expect(where(parseSampleSheet('sample,group\n', plain, { file: 's.csv' }).issues)).toEqual(['1:1 inputs.samples: the sheet has a header but no rows; add one row per sample']);
  });

  it('reports undeclared, missing, unnamed and repeated columns, each at its header cell, all at once', () => {
    const { issues } = parseSampleSheet('sample,extra,sample,\nA,1,A,\n', plain, { file: 's.csv' });
    expect(where(issues)).toEqual([
      '1:2 inputs.samples.extra: the sheet has a column "extra" that the workflow does not declare; declared: sample, group (remove the column, or declare it under inputs.samples.columns)',
      '1:3 inputs.samples.sample: column "sample" is in the header twice (columns 1 and 3); keep one',
      '1:4 inputs.samples: column 4 of the header has no name; name it (one of sample, group) or remove it',
      '1:5 inputs.samples.group: the sheet has no column "group" (declared string column)',
    ]);
    expect(issues.every((i) => i.file === 's.csv')).toBe(true);
  });

  it('reports every bad cell in one pass: empty required cells, untyped int/float/bool, bad and repeated keys, short rows', () => {
    const text = [
      'sample,fastq,depth,ratio,paired',
      'A,a.fq,30,0.5,true',
      'B,,3.5,x,yes',
      'A,c.fq,010,,',
      'bad key,d.fq,,,',
      ',e.fq,,,',
      'F,f.fq',
      'G,g.fq,1e3,1e-3,False',
    ].join('\n');
    const { issues, items } = parseSampleSheet(text, samples, { file: 'sheet.csv' });
    expect(where(issues)).toEqual([
      '3:2 inputs.samples[1].fastq: empty cell in required column "fastq"; fill it, or declare the column required: false',
      '3:3 inputs.samples[1].depth: int column "depth": "3.5" is not a whole number',
      '3:4 inputs.samples[1].ratio: float column "ratio": "x" is not a number',
      '3:5 inputs.samples[1].paired: bool column "paired": "yes" is a boolean only in YAML 1.1; write true or false',
      '4:3 inputs.samples[2].depth: int column "depth": "010" has a leading zero, which YAML 1.1 reads as octal; write it without the leading zero',
      '4:1 inputs.samples[2].sample: the key "A" is also the key of the row on line 2; keys must be unique',
      '5:1 inputs.samples[3].sample: the key "bad key" must start with a letter or digit and hold only letters, digits, ".", "_" and "-" (it names instances and files)',
      '6:1 inputs.samples[4].sample: the key is empty: every row needs a sample (it names the row\'s instances, such as tool[sample])',
      '7:3 inputs.samples[5]: the row has 2 cells and the header 5; give every row one cell per column (an empty cell for none)',
    ]);
    expect(items.map((i) => i.key)).toEqual(['A', 'B', 'A', 'bad key', '', 'G']);
  });

  it('gives the line a quoted cell spanning lines starts on', () => {
    const { issues } = parseSampleSheet('sample,group\n"A\nB",x\nC,\n', plain, { file: 's.csv' });
    expect(where(issues)).toEqual([
      '2:1 inputs.samples[0].sample: the key "A\\nB" must start with a letter or digit and hold only letters, digits, ".", "_" and "-" (it names instances and files)',
      '4:2 inputs.samples[1].group: empty cell in required column "group"; fill it, or declare the column required: false',
    ]);
  });

  it('reports a quote that is never closed, at the line csv-parse names', () => {
    expect(where(parseSampleSheet('sample,group\nA,"x\nB,y\n', plain, { file: 's.csv' }).issues)).toEqual([
      '3:1 inputs.samples: cannot read the sheet: Quote Not Closed: the parsing is finished with an opening quote at line 3',
    ]);
  });

  it('checks cells of columns that go into output names as keys are checked', () => {
    const { issues } = parseSampleSheet('sample,group\nA,g/1\nB,ok\n', plain, { file: 's.csv', pathColumns: new Set(['group']) });
    expect(where(issues)).toEqual([
      '2:2 inputs.samples[0].group: column "group" is part of an output file name ({group}), and "g/1" must start with a letter or digit and hold only letters, digits, ".", "_" and "-" (it names instances and files)',
    ]);
  });

  it('types the key column\'s cells too', () => {
    const byId: InputSpec = { ...plain, key: 'id', columns: [{ name: 'id', type: 'int', required: true }] };
    expect(where(parseSampleSheet('id\n7\n007\nx1\n', byId, { file: 's.csv' }).issues)).toEqual([
      '3:1 inputs.samples[1].id: int column "id": "007" has a leading zero, which YAML 1.1 reads as octal; write it without the leading zero',
      '4:1 inputs.samples[2].id: int column "id": "x1" is not a number',
    ]);
  });

  it('refuses a key longer than 64 characters', () => {
    const long = 'a'.repeat(65);
    expect(where(parseSampleSheet(`sample,group\n${long},x\n`, plain, { file: 's.csv' }).issues)).toEqual([`2:1 inputs.samples[0].sample: the key "${'a'.repeat(57)}..." is 65 characters long, more than 64`]);
  });

  it(`refuses more than ${MAX_SHEET_ROWS} rows`, () => {
    const text = 'sample,group\n' + Array.from({ length: MAX_SHEET_ROWS + 1 }, (_, k) => `s${k},g\n`).join('');
    expect(where(parseSampleSheet(text, plain, { file: 's.csv' }).issues)).toEqual([`${MAX_SHEET_ROWS + 2}:1 inputs.samples: the sheet has more than ${MAX_SHEET_ROWS} rows; split it into several runs`]);
  });
});

describe('readSampleSheet', () => {
  it('finds file cells from the sheet\'s folder (or absolute), and reports missing files and folders at their cells', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'reads'));
    writeFileSync(join(dir, 'reads', 'a.fq'), '@r\n');
    writeFileSync(join(dir, 'b.fq'), '@r\n');
    symlinkSync(join(dir, 'b.fq'), join(dir, 'link.fq'));
    const sheet = join(dir, 'sheet.tsv');
    writeFileSync(sheet, `sample\tfastq\tdepth\tratio\tpaired\nA\treads/a.fq\t\t\t\nB\t${join(dir, 'b.fq')}\t\t\t\nC\tlink.fq\t\t\t\nD\tnope.fq\t\t\t\nE\treads\t\t\t\n`);
    const read = await readSampleSheet(sheet, samples);
    expect(where(read.issues)).toEqual([
      `5:2 inputs.samples[3].fastq: "${join(dir, 'nope.fq')}" does not exist or cannot be read (relative paths are read from the sheet's folder, ${dir})`,
      `6:2 inputs.samples[4].fastq: "${join(dir, 'reads')}" is not a regular file (relative paths are read from the sheet's folder, ${dir})`,
    ]);
    expect(read.files).toEqual({ 'samples/A/fastq': join(dir, 'reads', 'a.fq'), 'samples/B/fastq': join(dir, 'b.fq'), 'samples/C/fastq': join(dir, 'link.fq') });
  });

  it('refuses a sheet that is missing, a folder, or over the size limit, naming it', async () => {
    const dir = tempDir();
    const big = join(dir, 'big.csv');
    writeFileSync(big, Buffer.alloc(MAX_SHEET_BYTES + 1, 0x61));
    expect((await readSampleSheet(big, plain)).issues).toEqual([{ file: big, path: 'inputs.samples', message: `the sheet is ${MAX_SHEET_BYTES + 1} bytes, more than the ${MAX_SHEET_BYTES}-byte limit (16 MiB); split it into several runs` }]);
    expect((await readSampleSheet(dir, plain)).issues).toEqual([{ file: dir, path: 'inputs.samples', message: 'is not a regular file' }]);
    expect((await readSampleSheet(join(dir, 'none.csv'), plain)).issues[0]!.message).toMatch(/^cannot read the sheet: ENOENT/);
  });
});

describe('list inputs', () => {
  const strings: InputSpec = { name: 'chroms', required: true, description: '', type: 'list', of: 'string' };
  const fileList: InputSpec = { name: 'refs', required: true, description: '', type: 'list', of: 'file' };

  it('keys a list of strings by each value, in the order given', async () => {
    const read = readListItems(strings, [{ value: 'chr1', from: '--input chroms=chr1' }, { value: 'chr2', from: '--input chroms=chr2' }], '/');
    expect(read).toEqual({
      items: [
        { key: 'chr1', fields: { item: 'chr1' }, files: {} },
        { key: 'chr2', fields: { item: 'chr2' }, files: {} },
      ],
      files: {},
      issues: [],
    });
  });

  it('refuses string items that cannot be keys, and repeats (naming the first)', async () => {
    const read = readListItems(strings, [{ value: 'chr 1', from: '--input chroms=chr 1' }, { value: 'x', from: '--input chroms=x' }, { value: 'x', from: '--input chroms=x', path: 'inputs.chroms[2]' }], '/');
    expect(read.issues).toEqual([
      { file: '--input chroms=chr 1', path: 'inputs.chroms[0]', message: 'the item "chr 1" must start with a letter or digit and hold only letters, digits, ".", "_" and "-" (it names instances and files)' },
      { file: '--input chroms=x', path: 'inputs.chroms[2]', message: 'the item "x" is given twice (first by --input chroms=x); give each item once' },
    ]);
  });

  it('keys a list of files by base name without extension (and compression suffix), files relative to the folder given', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'hg38.fa'), '>c\n');
    writeFileSync(join(dir, 'reads 1.fastq.gz'), '');
    const read = readListItems(fileList, [{ value: 'hg38.fa', from: 'wf.yaml' }, { value: join(dir, 'reads 1.fastq.gz'), from: 'wf.yaml' }], dir);
    expect(read.issues).toEqual([]);
    expect(read.items).toEqual([
      { key: 'hg38', fields: { item: 'hg38' }, files: { item: 'refs/hg38/item' } },
      { key: 'reads_1', fields: { item: 'reads_1' }, files: { item: 'refs/reads_1/item' } },
    ]);
    expect(read.files).toEqual({ 'refs/hg38/item': join(dir, 'hg38.fa'), 'refs/reads_1/item': join(dir, 'reads 1.fastq.gz') });
  });

  it('refuses two files with one key, a name with no key, and files that are not there, in the order given', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    writeFileSync(join(dir, 'a', 'x.fa'), '');
    writeFileSync(join(dir, 'b', 'x.fa'), '');
    const given = ['nope.fa', 'a/x.fa', 'b/x.fa', '_.fa'].map((value) => ({ value, from: `--input refs=${value}` }));
    const read = readListItems(fileList, given, dir);
    expect(read.issues.map((i) => i.message)).toEqual([
      `"${join(dir, 'nope.fa')}" does not exist or cannot be read`,
      '"b/x.fa" and "a/x.fa" both have the key "x" (a file\'s key is its base name without extension); rename one',
      'cannot make a key from the file name of "_.fa" (it needs a letter or digit before its extension); rename the file',
    ]);
  });

  it('makes keys from file names', () => {
    expect(fileKey('/data/S1_L001.fastq.gz')).toBe('S1_L001');
    expect(fileKey('ref.fa')).toBe('ref');
    expect(fileKey('_weird name!.txt')).toBe('weird_name_');
    expect(fileKey('noext')).toBe('noext');
    expect(fileKey('.hidden')).toBe('hidden');
  });
});
