// The commands' $TF_* references (shared/spec/references.ts): what each tool may use, each refused
// reference with its exact YAML, message and position (the `$` inside the command), the generated
// name clashes, and that a field already reported is not reported again as a reference.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpecError, type SpecIssue } from '../../shared/errors.js';
import { loadWorkflowFile, parseWorkflow } from '../../shared/spec/load.js';
import { boundNames, ReferenceIndex, scanReferences } from '../../shared/spec/references.js';

function issuesOf(text: string): SpecIssue[] {
  try {
    parseWorkflow('wf.yaml', text);
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    return (err as SpecError).issues;
  }
  throw new Error('expected a SpecError');
}

const at = (line: number, column: number, path: string, message: string): SpecIssue => ({ file: 'wf.yaml', line, column, path, message });

/** A variant-calling shape (30 lines); a tool added after it is tools[6], starting on line 31. */
const BASE = `name: w
inputs:
  ref: {type: file}
  samples:
    type: samples
    columns: {sample: {type: string}, fastq: {type: file}}
  chroms: {type: list, default: [chr1, chr2]}
tools:
  - name: index
    outputs: {fa: ref.fa}
    options: [{name: k, type: int, default: 3}]
    cmds: ['cp "$TF_INPUT_ref" ref.fa && echo "$TF_OPT_k"']
  - name: align
    scatter: samples
    rely: [index]
    outputs: {bam: "{sample}.bam"}
    cmds: ['bwa mem -t "$TF_CPUS" "$TF_DEP_index_fa" "\${TF_ITEM_fastq}" > "$TF_OUT_bam"; ls "$TF_DEP_index"']
  - name: sort
    scatter: samples
    rely: [align]
    outputs: {bam: "{sample}.sorted.bam"}
    cmds: ['samtools sort -o "$TF_OUT_bam" "$TF_DEP_align_bam"; ls "$TF_DEP_align" "$TF_INPUT_samples" "$TF_ITEM_sample"']
  - name: call
    rely: [sort, index]
    outputs: {vcf: calls.vcf}
    cmds: ['bcftools mpileup -f "$TF_DEP_index_fa" $TF_DEP_sort_bam $TF_DEP_align_bam > "$TF_OUT_vcf"; ls "$TF_DEP_index"']
  - {name: per-chrom, scatter: chroms, rely: [call], outputs: {stats: "{item}.txt"}, cmds: ['echo "$TF_ITEM" "$TF_DEP_call_vcf" "$TF_DEP_call" > "$TF_OUT_stats"']}
  - name: list-form
    outputs: [x.txt]
    cmds: ['echo "$TF_WORKDIR $TF_TASK_ID $TF_TOOL $TF_ATTEMPT $TF_CPU_MILLICORES $TF_MEM_BYTES $TF_DISK_BYTES" > x.txt']
`;

/** BASE and one more tool, `t` (line 31), then `fields` (whole lines), then its command, two lines further (`    cmds:` then `      - CMD`). */
const withTool = (fields: string, cmd: string) => `${BASE}  - name: t\n${fields}    cmds:\n      - ${cmd}\n`;

describe('what a tool may use', () => {
  it('accepts every bound form (the variant-calling shape validates)', () => {
    const { spec } = parseWorkflow('wf.yaml', BASE);
    expect(spec.tools).toHaveLength(6);
  });

  it('lists the names each tool may use, with why', () => {
    const { spec, dag } = parseWorkflow('wf.yaml', BASE);
    const attempt = ['TF_WORKDIR', 'TF_TASK_ID', 'TF_TOOL', 'TF_ATTEMPT', 'TF_CPUS', 'TF_CPU_MILLICORES', 'TF_MEM_BYTES', 'TF_DISK_BYTES'].map((n) => [n, { kind: 'attempt' }]);
    const inputs = [
      ['TF_INPUT_ref', { kind: 'input', input: 'ref' }],
      ['TF_INPUT_samples', { kind: 'input', input: 'samples' }],
    ];
    expect([...boundNames(spec, dag, 1)]).toEqual([
      ...attempt,
      ...inputs,
      ['TF_ITEM_sample', { kind: 'item', input: 'samples', column: 'sample' }],
      ['TF_ITEM_fastq', { kind: 'item', input: 'samples', column: 'fastq' }],
      ['TF_OUT_bam', { kind: 'output', output: 'bam' }],
      ['TF_DEP_index', { kind: 'dir', tool: 'index' }],
      ['TF_DEP_index_fa', { kind: 'depOutput', tool: 'index', output: 'fa', gather: false }],
    ]);
    // call gathers sort and, transitively, align: their outputs are bound, their dirs are not.
    expect([...boundNames(spec, dag, 3)]).toEqual([
      ...attempt,
      ...inputs,
      ['TF_OUT_vcf', { kind: 'output', output: 'vcf' }],
      ['TF_DEP_index', { kind: 'dir', tool: 'index' }],
      ['TF_DEP_sort_bam', { kind: 'depOutput', tool: 'sort', output: 'bam', gather: true }],
      ['TF_DEP_index_fa', { kind: 'depOutput', tool: 'index', output: 'fa', gather: false }],
      ['TF_DEP_align_bam', { kind: 'depOutput', tool: 'align', output: 'bam', gather: true }],
    ]);
    expect(boundNames(spec, dag, 4).get('TF_ITEM')).toEqual({ kind: 'item', input: 'chroms', column: null });
    expect(boundNames(spec, dag, 4).get('TF_DEP_per_chrom_stats')).toBeUndefined();
    expect(boundNames(spec, dag, 0).get('TF_OPT_k')).toEqual({ kind: 'option', option: 'k' });
  });

  it('resolves every listed name to the same why, in every tool (one rule for both)', () => {
    const { spec, dag } = parseWorkflow('wf.yaml', BASE);
    const index = new ReferenceIndex(spec, dag);
    spec.tools.forEach((_, i) => {
      const bound = index.bound(i);
      expect(bound.size).toBeGreaterThan(8);
      for (const [name, why] of bound) expect(index.resolve(i, name)).toEqual(why);
    });
  });

  it('finds $NAME and ${NAME references, TF_ names only (not a bare TF_), with the index of each $', () => {
    expect(scanReferences('a "$TF_X" ${TF_Y_z}x $HOME ${TF_} $TF_OUT_bam.bai $$TF_Q')).toEqual([
      { name: 'TF_X', index: 3 },
      { name: 'TF_Y_z', index: 10 },
      { name: 'TF_OUT_bam', index: 34 },
      { name: 'TF_Q', index: 51 },
    ]);
  });

  it('validates the examples', async () => {
    const root = join(import.meta.dirname, '../../examples');
    const files = readdirSync(root).map((d) => join(root, d, 'workflow.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) await expect(loadWorkflowFile(file)).resolves.toBeDefined();
  });

  it('checks a 1,000-sample-shaped DAG of 4,000 tools whose every tool reads the root and its parent', () => {
    let text = 'name: big\ntools:\n  - {name: root, outputs: {o: o.txt}, cmds: ["true"]}\n';
    for (let i = 0; i < 4000; i++) {
      const parent = i % 4 === 0 ? 'root' : `t${i - 1}`;
      text += `  - {name: t${i}, rely: [${parent}], outputs: {o: o.txt}, cmds: ['cat "$TF_DEP_root_o" "$TF_DEP_${parent}_o" > "$TF_OUT_o"; ls "$TF_DEP_${parent}"']}\n`;
    }
    expect(parseWorkflow('big.yaml', text).spec.tools).toHaveLength(4001);
  });
});

describe('refused references', () => {
  it.each([
    ['an unknown input', '', 'cat "$TF_INPUT_refs"', 14, '$TF_INPUT_refs: no input "refs" (did you mean $TF_INPUT_ref?)'],
    ['a list input as a file', '', 'cat "$TF_INPUT_chroms"', 14, '$TF_INPUT_chroms: "chroms" is a list input, not one file: a tool scattered over it (scatter: chroms) sees each item as $TF_ITEM'],
    ['a column in a tool that is not scattered', '', 'cat "$TF_ITEM_fastq"', 14, '$TF_ITEM_fastq: "t" is not scattered, and $TF_ITEM_fastq is bound in a tool scattered over a samples input with that column: add scatter: samples'],
    ['a list item in a tool that is not scattered', '', 'echo "$TF_ITEM"', 15, '$TF_ITEM: "t" is not scattered, and $TF_ITEM is bound in a tool scattered over a list input: add scatter: chroms'],
    ['$TF_ITEM over a sheet', '    scatter: samples\n', 'echo "$TF_ITEM"', 15, '$TF_ITEM: "t" is scattered over the samples input "samples", whose item is a row: its cells are $TF_ITEM_sample, $TF_ITEM_fastq'],
    ['a column over a list', '    scatter: chroms\n', 'echo "$TF_ITEM_fastq"', 15, '$TF_ITEM_fastq: "t" is scattered over the list "chroms", whose item is $TF_ITEM'],
    ['an unknown column', '    scatter: samples\n', 'echo "$TF_ITEM_fastqq"', 15, '$TF_ITEM_fastqq: "samples" has no column "fastqq" (did you mean $TF_ITEM_fastq?); its columns: sample, fastq'],
    ['an unknown own output', '    outputs: {bam: x.bam}\n', 'echo > "$TF_OUT_bma"', 17, '$TF_OUT_bma: "t" has no named output "bma" (did you mean "bam"?); its named outputs: bam'],
    ['an own output of the list form', '    outputs: [x.bam]\n', 'echo > "$TF_OUT_bam"', 17, '$TF_OUT_bam: "t" names none of its outputs (they are a list): write them as a mapping, outputs: {bam: x.bam}'],
    ['an own output without outputs', '', 'echo > "$TF_OUT_bam"', 17, '$TF_OUT_bam: "t" declares no outputs: declare it as outputs: {bam: PATH}'],
    ['an unknown option', '    options: [{name: k}]\n', 'echo "$TF_OPT_kk"', 15, '$TF_OPT_kk: "t" has no option "kk" (did you mean "k"?)'],
    ['an option of another tool', '', 'echo "$TF_OPT_k"', 15, '$TF_OPT_k: "t" declares no options (declare it under options: to get $TF_OPT_k)'],
    ['the dir of a tool that is not an ancestor', '', 'ls "$TF_DEP_index"', 13, '$TF_DEP_index: "index" is not an ancestor of "t": add it to rely'],
    [
      'the dir of an ancestor not in rely',
      '    rely: [align]\n',
      'ls "$TF_DEP_index"',
      13,
      '$TF_DEP_index: "index" is an ancestor of "t" but not in its rely, and a work dir is bound for direct dependencies only: add "index" to rely, or name its outputs instead: $TF_DEP_index_fa',
    ],
    [
      'the dir of a gathered tool',
      '    rely: [align]\n',
      'ls ${TF_DEP_align}',
      12,
      '$TF_DEP_align: "t" is not scattered, so it gathers every instance of "align" (scattered over "samples"), each with its own work dir: name its outputs instead: $TF_DEP_align_bam',
    ],
    [
      'the dir of a tool gathered by a tool scattered over another input',
      '    scatter: chroms\n    rely: [align]\n',
      'ls "$TF_DEP_align"',
      13,
      '$TF_DEP_align: "t" is scattered over "chroms", so it gathers every instance of "align" (scattered over "samples"), each with its own work dir: name its outputs instead: $TF_DEP_align_bam',
    ],
    ['its own dir', '', 'ls "$TF_DEP_t"', 13, '$TF_DEP_t: that is "t" itself: its work dir is $TF_WORKDIR (the current directory)'],
    ['its own output by the dependency name', '    outputs: {x: x.txt}\n', 'ls "$TF_DEP_t_x"', 13, '$TF_DEP_t_x: that is "t"\'s own output: use $TF_OUT_x'],
    ['an output of a tool that is not an ancestor', '', 'cat "$TF_DEP_align_bam"', 14, '$TF_DEP_align_bam: "align" is not an ancestor of "t": add it to rely'],
    ['an output the dependency does not declare', '    rely: [index]\n', 'cat "$TF_DEP_index_fb"', 14, '$TF_DEP_index_fb: "index" has no named output "fb" (did you mean "fa"?); its named outputs: fa'],
    ['an output of a dependency with the list form', '    rely: [list-form]\n', 'cat "$TF_DEP_list_form_x"', 14, '$TF_DEP_list_form_x: "list-form" names none of its outputs (they are a list): write them as a mapping, outputs: {x: x.txt}'],
    ['a misspelt tool', '    rely: [align]\n', 'cat "$TF_DEP_alig_bam"', 14, '$TF_DEP_alig_bam: no tool named "alig_bam" or "alig" (did you mean $TF_DEP_align_bam?)'],
    [
      'an unknown tool',
      '',
      'cat "$TF_DEP_zzz"',
      14,
      '$TF_DEP_zzz: no tool named "zzz": TF_DEP_<tool> is a dependency\'s work dir, TF_DEP_<tool>_<output> an ancestor\'s named output ("-" in tool names becomes "_")',
    ],
    [
      'a name toolflow does not set',
      '',
      'make -j "$TF_CPU"',
      18,
      '$TF_CPU: toolflow sets no such variable (did you mean $TF_CPUS?); it sets TF_OPT_<option>, TF_INPUT_<input>, TF_ITEM_<column> (TF_ITEM), TF_OUT_<output>, TF_DEP_<tool>, TF_DEP_<tool>_<output> and TF_WORKDIR, TF_TASK_ID, TF_TOOL, TF_ATTEMPT, TF_CPUS, TF_CPU_MILLICORES, TF_MEM_BYTES, TF_DISK_BYTES',
    ],
  ])('refuses %s', (_what, fields, cmd, column, message) => {
    const line = 32 + fields.split('\n').length;
    expect(issuesOf(withTool(fields, cmd))).toEqual([at(line, column, 'tools[6].cmds[0]', message)]);
  });

  it('refuses an input in a workflow without inputs', () => {
    expect(issuesOf('name: w\ntools:\n  - {name: a, cmds: [\'cat "$TF_INPUT_x"\']}\n')).toEqual([at(3, 28, 'tools[0].cmds[0]', '$TF_INPUT_x: the workflow declares no inputs (declare "x" under inputs:)')]);
  });

  it('says a dependency that runs after the tool has no files yet', () => {
    expect(issuesOf('name: w\ntools:\n  - {name: a, cmds: [\'cat "$TF_DEP_b_o"\']}\n  - {name: b, rely: [a], outputs: {o: o}, cmds: ["true"]}\n')).toEqual([
      at(3, 28, 'tools[0].cmds[0]', '$TF_DEP_b_o: "b" runs after "a" (it depends on it), so its files do not exist yet'),
    ]);
  });

  it('reports every bad reference of a command, and of every command, in file order', () => {
    expect(issuesOf(withTool('    rely: [index]\n', '\'echo "$TF_DEP_index_fa" "$TF_X" "$TF_DEP_index_fa" "$TF_Y"\'\n      - "echo $TF_Z"'))).toEqual([
      at(34, 35, 'tools[6].cmds[0]', expect.stringMatching(/^\$TF_X: toolflow sets no such variable; /) as unknown as string),
      at(34, 62, 'tools[6].cmds[0]', expect.stringMatching(/^\$TF_Y: /) as unknown as string),
      at(35, 15, 'tools[6].cmds[1]', expect.stringMatching(/^\$TF_Z: /) as unknown as string),
    ]);
  });
});

describe('the position of a reference', () => {
  const one = (cmds: string) => issuesOf(`name: w\ntools:\n  - name: a\n    cmds:\n${cmds}`).map((i) => [i.line, i.column, i.path]);

  it('is the $ inside a plain, quoted or flow scalar', () => {
    expect(one('      - echo $TF_A\n')).toEqual([[5, 14, 'tools[0].cmds[0]']]);
    expect(one('      - \'echo "$TF_A"\'\n')).toEqual([[5, 16, 'tools[0].cmds[0]']]);
    expect(one('      - "echo \\"$TF_A\\" ok"\n')).toEqual([[5, 17, 'tools[0].cmds[0]']]);
    expect(issuesOf('name: w\ntools:\n  - {name: a, cmds: [echo $TF_OK_NOT, "x ${TF_B}"]}\n').map((i) => [i.line, i.column, i.path])).toEqual([
      [3, 27, 'tools[0].cmds[0]'],
      [3, 42, 'tools[0].cmds[1]'],
    ]);
  });

  it('is the $ inside a literal or folded block, past a header comment that names a variable', () => {
    expect(one('      - |  # reads $TF_A\n        echo ok\n          cat "$TF_A"\n')).toEqual([[7, 16, 'tools[0].cmds[0]']]);
    expect(one('      - >-\n        echo $TF_INPUT_x\n        $TF_B\n')).toEqual([
      [6, 14, 'tools[0].cmds[0]'],
      [7, 9, 'tools[0].cmds[0]'],
    ]);
    expect(one('      - "echo one\n        $TF_A"\n')).toEqual([[6, 9, 'tools[0].cmds[0]']]);
  });

  it('falls back to the command when the text in the file is not the value (an escape, an alias)', () => {
    // \x24 is "$": the value has a reference the file does not show.
    expect(one('      - "echo \\x24TF_A"\n')).toEqual([[5, 9, 'tools[0].cmds[0]']]);
    expect(issuesOf('name: w\nx: &c echo $TF_A\ntools:\n  - name: a\n    cmds: [*c]\n').filter((i) => i.path.startsWith('tools')).map((i) => [i.line, i.column, i.path])).toEqual([[5, 12, 'tools[0].cmds[0]']]);
  });
});

describe('generated name clashes', () => {
  it('refuses two (tool, output) pairs that give one $TF_DEP_ name, at the later output', () => {
    expect(issuesOf('name: w\ntools:\n  - {name: a_b, outputs: {c: c.txt}, cmds: ["true"]}\n  - {name: a, outputs: {b_c: x.txt}, cmds: ["true"]}\n')).toEqual([
      at(4, 25, 'tools[1].outputs.b_c', 'tool "a_b" output "c" and tool "a" output "b_c" both become $TF_DEP_a_b_c; rename one'),
    ]);
  });

  it('refuses a tool and a (tool, output) pair that give one $TF_DEP_ name, at the later of the two', () => {
    expect(issuesOf('name: w\ntools:\n  - {name: a, outputs: {b: b.txt}, cmds: ["true"]}\n  - {name: a-b, cmds: ["true"]}\n')).toEqual([
      at(4, 12, 'tools[1].name', 'tool "a" output "b" and tool "a-b" both become $TF_DEP_a_b; rename one'),
    ]);
    expect(issuesOf('name: w\ntools:\n  - {name: a_b, cmds: ["true"]}\n  - {name: a, outputs: {b: b.txt}, cmds: ["true"]}\n')).toEqual([
      at(4, 25, 'tools[1].outputs.b', 'tool "a_b" and tool "a" output "b" both become $TF_DEP_a_b; rename one'),
    ]);
  });
});

describe('no second report of a field already refused', () => {
  it('a wrong scatter hides the $TF_ITEM references that depend on it', () => {
    expect(issuesOf(withTool('    scatter: sampels\n', 'echo "$TF_ITEM_sample"'))).toEqual([
      at(32, 14, 'tools[6].scatter', 'unknown input "sampels" (did you mean "samples"?): scatter names an input of type samples or list'),
    ]);
  });

  it('outputs of the wrong type hide the $TF_OUT and $TF_DEP_<tool>_<output> references', () => {
    const issues = issuesOf(`${BASE}  - {name: t, outputs: 3, cmds: ['echo "$TF_OUT_x"']}\n  - {name: u, rely: [t], cmds: ['echo "$TF_DEP_t_x"']}\n`);
    expect(issues.map((i) => i.path)).toEqual(['tools[6].outputs']);
  });

  it('a cycle or an unknown rely stops the reference check (ancestry is unknown)', () => {
    expect(issuesOf('name: w\ntools:\n  - {name: a, rely: [b], cmds: ["echo $TF_DEP_b_x $TF_NOPE"]}\n  - {name: b, rely: [a], cmds: ["true"]}\n').map((i) => i.message)).toEqual(['dependency cycle: b -> a -> b']);
    expect(issuesOf('name: w\ntools:\n  - {name: a, rely: [nothing], cmds: ["echo $TF_NOPE"]}\n').map((i) => i.message)).toEqual(['unknown tool "nothing" in rely']);
  });
});
