// The workflow template syntax of issue 10 (design10.md): inputs of type samples and list, scatter,
// named outputs with {placeholders}, publish. Each refused form with its exact YAML, message and
// position; the accepted forms and what they normalize to.
import { describe, expect, it } from 'vitest';
import { SpecError, type SpecIssue } from '../../shared/errors.js';
import { parseWorkflow } from '../../shared/spec/load.js';

function issuesOf(text: string): SpecIssue[] {
  try {
    parseWorkflow('wf.yaml', text);
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    return (err as SpecError).issues;
  }
  throw new Error('expected a SpecError');
}

/** An issue of wf.yaml. */
const at = (line: number, column: number, path: string, message: string): SpecIssue => ({ file: 'wf.yaml', line, column, path, message });

/** Inputs of every type (lines 1-9); the tools start on line 11. */
const HEAD = `name: w
inputs:
  ref: {type: file}
  samples:
    type: samples
    columns:
      sample: {type: string}
      fastq: {type: file}
  chroms: {type: list, default: [chr1, chr2]}
tools:
`;

describe('inputs of type samples and list', () => {
  it('normalizes every input type, with the defaults filled in (type file, key the first column, of string)', () => {
    const { spec } = parseWorkflow(
      'wf.yaml',
      `name: w
inputs:
  ref: {description: FASTA}
  samples:
    type: samples
    key: id
    columns:
      fastq: {type: file}
      id: {type: string}
      depth: {type: int, required: False}
      ratio: {type: float}
      paired: {type: bool}
      note: {}
  sheet:
    type: samples
    required: false
    columns: {name: {type: string}}
  chroms: {type: list, default: [chr1, chrX, "1.2_a-b"]}
  files: {type: list, of: file}
tools:
  - {name: a, cmds: ["true"]}
`,
    );
    expect(spec.inputs).toEqual([
      { name: 'ref', required: true, description: 'FASTA', type: 'file' },
      {
        name: 'samples',
        required: true,
        description: '',
        type: 'samples',
        key: 'id',
        columns: [
          { name: 'fastq', type: 'file', required: true },
          { name: 'id', type: 'string', required: true },
          { name: 'depth', type: 'int', required: false },
          { name: 'ratio', type: 'float', required: true },
          { name: 'paired', type: 'bool', required: true },
          { name: 'note', type: 'string', required: true },
        ],
      },
      { name: 'sheet', required: false, description: '', type: 'samples', key: 'name', columns: [{ name: 'name', type: 'string', required: true }] },
      { name: 'chroms', required: true, description: '', type: 'list', of: 'string', default: ['chr1', 'chrX', '1.2_a-b'] },
      { name: 'files', required: true, description: '', type: 'list', of: 'file' },
    ]);
  });

  it('refuses a samples input without columns, or with none', () => {
    expect(issuesOf(`name: w\ninputs:\n  s: {type: samples}\n  t:\n    type: samples\n    columns: {}\ntools:\n  - {name: a, cmds: ["true"]}\n`)).toEqual([
      at(3, 3, 'inputs.s', 'the samples input "s" declares no columns: list the sheet\'s columns with their types (columns: {sample: {type: string}, fastq: {type: file}})'),
      at(6, 14, 'inputs.t.columns', 'the samples input "t" declares no columns: list the sheet\'s columns with their types (columns: {sample: {type: string}, fastq: {type: file}})'),
    ]);
  });

  it('refuses a key that is not a declared column, with the close one', () => {
    expect(issuesOf(`name: w\ninputs:\n  s:\n    type: samples\n    key: smaple\n    columns: {sample: {type: string}, fastq: {type: file}}\ntools:\n  - {name: a, cmds: ["true"]}\n`)).toEqual([
      at(5, 10, 'inputs.s.key', '"smaple" is not a column of "s" (did you mean "sample"?); its columns: sample, fastq'),
    ]);
  });

  it('refuses a key column that is a file column or not required, at the key or, when defaulted, at the first column', () => {
    expect(issuesOf(`name: w\ninputs:\n  s:\n    type: samples\n    columns: {fastq: {type: file}, sample: {type: string}}\ntools:\n  - {name: a, cmds: ["true"]}\n`)).toEqual([
      at(5, 15, 'inputs.s.columns.fastq', 'the key column (by default the first, "fastq") is a file column, but a key names each row\'s instances (align[A]) and a path cannot; declare key: sample'),
    ]);
    expect(issuesOf(`name: w\ninputs:\n  s:\n    type: samples\n    key: id\n    columns: {id: {required: false}}\ntools:\n  - {name: a, cmds: ["true"]}\n`)).toEqual([
      at(5, 10, 'inputs.s.key', 'the key column "id" is required: false, but every row needs its key (it names the row\'s instances)'),
    ]);
  });

  it('refuses fields of another input type, saying which type they are for', () => {
    expect(
      issuesOf(`name: w
inputs:
  ref: {columns: {a: {}}}
  s: {type: samples, columns: {a: {}}, of: file, default: [x]}
  l: {type: list, key: a}
tools:
  - {name: a, cmds: ["true"]}
`),
    ).toEqual([
      at(3, 18, 'inputs.ref.columns', 'columns is for inputs of type samples, and "ref" is of type file (the default type): add type: samples'),
      at(4, 44, 'inputs.s.of', 'of is for inputs of type list, and "s" is of type samples'),
      at(4, 59, 'inputs.s.default', 'default is for inputs of type list, and "s" is of type samples'),
      at(5, 24, 'inputs.l.key', 'key is for inputs of type samples, and "l" is of type list'),
    ]);
  });

  it("refuses a string list's default items that cannot name an instance, and repeats", () => {
    expect(issuesOf(`name: w\ninputs:\n  chroms: {type: list, default: [chr1, "chr 2", chr1, .x]}\ntools:\n  - {name: a, cmds: ["true"]}\n`)).toEqual([
      at(3, 40, 'inputs.chroms.default[1]', 'the item "chr 2" must start with a letter or digit and hold only letters, digits, ".", "_" and "-" (it names instances and files)'),
      at(3, 49, 'inputs.chroms.default[2]', '"chr1" is listed twice (default[0] and default[2]); each item names its own instances'),
      at(3, 55, 'inputs.chroms.default[3]', 'the item ".x" must start with a letter or digit and hold only letters, digits, ".", "_" and "-" (it names instances and files)'),
    ]);
  });

  it('keeps a file list default as written (its items are keyed by their base names at submit)', () => {
    const { spec } = parseWorkflow('wf.yaml', `name: w\ninputs:\n  f: {type: list, of: file, default: [a/x.fq, a/x.fq]}\ntools:\n  - {name: a, cmds: ["true"]}\n`);
    expect(spec.inputs[0]!.default).toEqual(['a/x.fq', 'a/x.fq']);
  });

  it('refuses bad column names, column types, list item types and a list default that is not a list (schema)', () => {
    expect(
      issuesOf(`name: w
inputs:
  s: {type: samples, columns: {"9x": {type: string}, y: {type: text}}}
  l: {type: list, of: int, default: chr1}
tools:
  - {name: a, cmds: ["true"]}
`),
    ).toEqual([
      at(3, 32, 'inputs.s.columns.9x', `"9x" is not a valid name: A shell variable name: letters, digits and '_', not starting with a digit.`),
      at(3, 64, 'inputs.s.columns.y.type', '"text" must be one of string, int, float, bool, file'),
      at(4, 23, 'inputs.l.of', '"int" must be one of string, file'),
      at(4, 37, 'inputs.l.default', 'must be array, got "chr1"'),
    ]);
  });
});

describe('scatter', () => {
  it('accepts a samples or list input, and keeps null for a tool that is not scattered', () => {
    const { spec } = parseWorkflow('wf.yaml', `${HEAD}  - {name: a, scatter: samples, cmds: ["true"]}\n  - {name: b, scatter: chroms, cmds: ["true"]}\n  - {name: c, cmds: ["true"]}\n`);
    expect(spec.tools.map((t) => t.scatter)).toEqual(['samples', 'chroms', null]);
  });

  it('refuses an unknown input, with the close one', () => {
    expect(issuesOf(`${HEAD}  - name: a\n    scatter: sampels\n    cmds: ["true"]\n`)).toEqual([
      at(12, 14, 'tools[0].scatter', 'unknown input "sampels" (did you mean "samples"?): scatter names an input of type samples or list'),
    ]);
    expect(issuesOf(`${HEAD}  - name: a\n    scatter: zzz\n    cmds: ["true"]\n`)).toEqual([
      at(12, 14, 'tools[0].scatter', 'unknown input "zzz": scatter names an input of type samples or list; inputs of type samples or list: samples, chroms'),
    ]);
  });

  it('refuses a file input, and says when the workflow has nothing to scatter over', () => {
    expect(issuesOf(`${HEAD}  - name: a\n    scatter: ref\n    cmds: ["true"]\n`)).toEqual([
      at(12, 14, 'tools[0].scatter', '"ref" is an input of type file (one file, so one run): scatter names an input of type samples (a sample sheet) or list; inputs of type samples or list: samples, chroms'),
    ]);
    expect(issuesOf(`name: w\ninputs: {ref: {}}\ntools:\n  - {name: a, scatter: reads, cmds: ["true"]}\n`)).toEqual([
      at(4, 24, 'tools[0].scatter', 'unknown input "reads": scatter names an input of type samples or list; this workflow declares no input of type samples or list'),
    ]);
  });
});

describe('named outputs', () => {
  it('keeps the list form, and reads the mapping form into namedOutputs and outputs (placeholders as written)', () => {
    const { spec } = parseWorkflow(
      'wf.yaml',
      `${HEAD}  - {name: a, outputs: [x.txt, "{odd}.txt"], cmds: ["true"]}
  - name: b
    scatter: samples
    outputs: {bam: "{sample}.bam", bai: "{sample}/{sample}.bam.bai", log: align.log}
    cmds: ["true"]
  - {name: c, scatter: chroms, outputs: {vcf: "calls.{item}.vcf"}, cmds: ["true"]}
`,
    );
    expect(spec.tools.map((t) => [t.outputs, t.namedOutputs])).toEqual([
      [['x.txt', '{odd}.txt'], {}],
      [['{sample}.bam', '{sample}/{sample}.bam.bai', 'align.log'], { bam: '{sample}.bam', bai: '{sample}/{sample}.bam.bai', log: 'align.log' }],
      [['calls.{item}.vcf'], { vcf: 'calls.{item}.vcf' }],
    ]);
  });

  it('refuses placeholders in a tool that is not scattered', () => {
    expect(issuesOf(`${HEAD}  - name: a\n    outputs: {bam: "{sample}.bam"}\n    cmds: ["true"]\n`)).toEqual([
      at(12, 20, 'tools[0].outputs.bam', '"{sample}.bam": {sample} is filled from the item of a scattered tool, and this tool has no scatter: add scatter: <a samples or list input>, or write the path without braces'),
    ]);
  });

  it('refuses a placeholder that is not a column of the scattered sheet, or is a file column', () => {
    expect(issuesOf(`${HEAD}  - name: a\n    scatter: samples\n    outputs: {bam: "{smaple}.bam", fq: "{fastq}.fq"}\n    cmds: ["true"]\n`)).toEqual([
      at(13, 20, 'tools[0].outputs.bam', '"{smaple}.bam": {smaple} is not a column of "samples" (did you mean {sample}?); its columns: sample, fastq'),
      at(13, 40, 'tools[0].outputs.fq', '"{fastq}.fq": {fastq} is a file column of "samples", whose cells are paths, which cannot be part of an output name; use {sample} (the key column)'),
    ]);
  });

  it('refuses any placeholder but {item} in a tool scattered over a list', () => {
    expect(issuesOf(`${HEAD}  - name: a\n    scatter: chroms\n    outputs: {vcf: "{chrom}.vcf"}\n    cmds: ["true"]\n`)).toEqual([
      at(13, 20, 'tools[0].outputs.vcf', '"{chrom}.vcf": {chrom} is not known: a tool scattered over the list "chroms" fills in {item}'),
    ]);
  });

  it('refuses a brace outside a placeholder, and placeholders in the list form of a scattered tool', () => {
    expect(issuesOf(`${HEAD}  - name: a\n    scatter: samples\n    outputs: {bam: "{sample.bam", b: "x}"}\n    cmds: ["true"]\n  - name: b\n    scatter: samples\n    outputs: ["{sample}.bam"]\n    cmds: ["true"]\n`)).toEqual([
      at(13, 20, 'tools[0].outputs.bam', '"{sample.bam" has a "{" or "}" that is not part of a {placeholder}'),
      at(13, 38, 'tools[0].outputs.b', '"x}" has a "{" or "}" that is not part of a {placeholder}'),
      at(17, 15, 'tools[1].outputs[0]', '"{sample}.bam": {placeholders} are for named outputs (write outputs: {NAME: "{sample}.bam"})'),
    ]);
  });

  it('refuses paths that leave the work dir, placeholders read as plain names', () => {
    expect(issuesOf(`${HEAD}  - name: a\n    scatter: samples\n    outputs: {a: "../{sample}.bam", b: "/{sample}", c: "{sample}/../../x"}\n    cmds: ["true"]\n`)).toEqual([
      at(13, 18, 'tools[0].outputs.a', `"../{sample}.bam" must be a path inside the tool's work dir (relative, without "..")`),
      at(13, 40, 'tools[0].outputs.b', `"/{sample}" must be a path inside the tool's work dir (relative, without "..")`),
      at(13, 56, 'tools[0].outputs.c', `"{sample}/../../x" must be a path inside the tool's work dir (relative, without "..")`),
    ]);
  });

  it('refuses two outputs of one tool with the same path (./a is a), in both forms', () => {
    expect(issuesOf(`${HEAD}  - name: a\n    outputs: {a: x.txt, b: ./x.txt}\n    cmds: ["true"]\n  - name: b\n    outputs: [y.txt, y.txt]\n    cmds: ["true"]\n`)).toEqual([
      at(12, 28, 'tools[0].outputs.b', '"./x.txt" is the path of outputs.a too; each output is its own file'),
      at(15, 22, 'tools[1].outputs[1]', '"y.txt" is the path of outputs[0] too; each output is its own file'),
    ]);
  });

  it('refuses output names that are not shell names (they become $TF_OUT_<name>)', () => {
    expect(issuesOf(`${HEAD}  - name: a\n    outputs: {bad-name: x.txt}\n    cmds: ["true"]\n`)).toEqual([
      at(12, 15, 'tools[0].outputs.bad-name', `"bad-name" is not a valid name: A shell variable name: letters, digits and '_', not starting with a digit.`),
    ]);
  });
});

describe('publish', () => {
  it('takes true (every output), false (none) or a list of names; for the list form, names are the paths', () => {
    const { spec } = parseWorkflow(
      'wf.yaml',
      `${HEAD}  - {name: a, outputs: {bam: a.bam, bai: a.bai}, publish: True, cmds: ["true"]}
  - {name: b, outputs: {bam: b.bam, bai: b.bai}, publish: [bai, bai], cmds: ["true"]}
  - {name: c, outputs: [x.txt, y.txt], publish: true, cmds: ["true"]}
  - {name: d, outputs: [x.txt, y.txt], publish: [y.txt], cmds: ["true"]}
  - {name: e, outputs: [x.txt], publish: false, cmds: ["true"]}
  - {name: f, outputs: [x.txt], cmds: ["true"]}
  - {name: g, scatter: samples, outputs: {bam: "{sample}.bam"}, publish: true, cmds: ["true"]}
`,
    );
    expect(spec.tools.map((t) => t.publish)).toEqual([['bam', 'bai'], ['bai'], ['x.txt', 'y.txt'], ['y.txt'], [], null, ['bam']]);
  });

  it('refuses names the tool does not declare, with its outputs', () => {
    expect(
      issuesOf(`${HEAD}  - {name: a, outputs: {bam: a.bam, bai: a.bai}, publish: [bma], cmds: ["true"]}
  - {name: b, outputs: [x.txt], publish: [y.txt], cmds: ["true"]}
  - {name: c, publish: [x], cmds: ["true"]}
`),
    ).toEqual([
      at(11, 60, 'tools[0].publish[0]', '"bma" is not an output of the tool (did you mean "bam"?); its named outputs: bam, bai'),
      at(12, 43, 'tools[1].publish[0]', '"y.txt" is not an output of the tool (did you mean "x.txt"?); its outputs (the list form, named by their paths): x.txt'),
      at(13, 25, 'tools[2].publish[0]', '"x": the tool declares no outputs to publish'),
    ]);
  });

  it('refuses publish: true on a tool without outputs, and a value that is neither a boolean nor a list', () => {
    expect(issuesOf(`${HEAD}  - {name: a, publish: true, cmds: ["true"]}\n  - {name: b, outputs: [x], publish: yes, cmds: ["true"]}\n`)).toEqual([
      at(11, 24, 'tools[0].publish', 'publish: true, but the tool declares no outputs: declare them (outputs: {NAME: PATH}), or remove publish'),
      at(12, 38, 'tools[1].publish', 'must be boolean or array, got "yes"'),
    ]);
  });
});
