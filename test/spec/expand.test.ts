// The planner (issue 10): a workflow and its items → instances with rely rewritten and bindings
// resolved. Workflows are written as WorkflowSpec objects (the loader's output), so these tests
// check the planner's rules alone.
import { describe, expect, it } from 'vitest';
import { SpecError } from '../../shared/errors.js';
import { expandWorkflow, instanceName, pathColumnsByInput } from '../../shared/spec/expand.js';
import { buildDag } from '../../shared/spec/graph.js';
import { DEFAULT_RETRY } from '../../shared/spec/normalize.js';
import type { Binding, InputSpec, ScatterItems, SheetItem, ToolSpec, WorkflowSpec } from '../../shared/spec/types.js';

/** A tool with the loader's defaults; `outputs` is filled from `namedOutputs` when not given. */
function tool(name: string, fields: Partial<ToolSpec> = {}): ToolSpec {
  const namedOutputs = fields.namedOutputs ?? {};
  return {
    name,
    description: '',
    output: '',
    cpuMillicores: 1000,
    memBytes: 1 << 30,
    diskBytes: null,
    timeSeconds: null,
    image: null,
    outputs: Object.values(namedOutputs),
    namedOutputs,
    scatter: null,
    publish: null,
    env: {},
    passEnv: [],
    options: [],
    cmds: ['true'],
    rely: [],
    retry: DEFAULT_RETRY,
    ...fields,
  };
}

const samplesInput: InputSpec = {
  name: 'samples',
  required: true,
  description: '',
  type: 'samples',
  key: 'sample',
  columns: [
    { name: 'sample', type: 'string', required: true },
    { name: 'fastq', type: 'file', required: true },
    { name: 'depth', type: 'int', required: false },
  ],
};
const chromsInput: InputSpec = { name: 'chroms', required: true, description: '', type: 'list', of: 'string' };
const refsInput: InputSpec = { name: 'refs', required: true, description: '', type: 'list', of: 'file' };
const refInput: InputSpec = { name: 'ref', required: true, description: '', type: 'file' };

const workflow = (tools: ToolSpec[], inputs: InputSpec[] = [refInput, samplesInput, chromsInput]): WorkflowSpec => ({ name: 'w', description: '', inputs, tools });

/** Sheet items as sample-sheet.ts makes them. */
const sheet = (...keys: string[]): SheetItem[] => keys.map((key, k) => ({ key, fields: { sample: key, fastq: `${key}.fq`, depth: String(10 + k) }, files: { fastq: `samples/${key}/fastq` } }));
const list = (...values: string[]): SheetItem[] => values.map((v) => ({ key: v, fields: { item: v }, files: {} }));

const byName = (plan: WorkflowSpec) => new Map(plan.tools.map((t) => [t.name, t]));
const bindingOf = (t: ToolSpec | undefined, env: string): Binding | undefined => t?.bindings?.find((b) => b.env === env);
const messages = (f: () => unknown): string[] => {
  try {
    f();
  } catch (err) {
    if (err instanceof SpecError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
};

const align = tool('align', { scatter: 'samples', namedOutputs: { bam: '{sample}.bam' }, cmds: ['bwa mem "$TF_INPUT_ref" "$TF_ITEM_fastq" > "$TF_OUT_bam"'] });
const sort = tool('sort', { scatter: 'samples', rely: ['align'], namedOutputs: { sorted: '{sample}.sorted.bam' }, cmds: ['samtools sort -o "$TF_OUT_sorted" "$TF_DEP_align_bam"'] });
const call = tool('call', { rely: ['sort'], namedOutputs: { vcf: 'calls.vcf' }, cmds: ['bcftools mpileup $TF_DEP_sort_sorted > "$TF_OUT_vcf"'] });

describe('expandWorkflow', () => {
  it('expands a workflow without scatter one to one, with TF_DEP_<tool> bindings for its dependencies', () => {
    const plan = expandWorkflow(workflow([tool('a', { outputs: ['x.txt'] }), tool('b-c', { rely: ['a'] })], [refInput]), {});
    expect(plan.tools.map((t) => [t.name, t.rely, t.bindings, t.outputs])).toEqual([
      ['a', [], [], ['x.txt']],
      ['b-c', ['a'], [{ env: 'TF_DEP_a', dir: 'a' }], []],
    ]);
    expect(plan.tools.every((t) => t.instance === undefined)).toBe(true);
  });

  it('chains tools scattered over the same sheet item by item, with the item\'s cells, own outputs and the dependency\'s outputs bound', () => {
    const plan = expandWorkflow(workflow([align, sort]), { samples: sheet('A', 'B') });
    expect(plan.tools.map((t) => t.name)).toEqual(['align[A]', 'align[B]', 'sort[A]', 'sort[B]']);
    const t = byName(plan);
    expect(t.get('align[B]')).toMatchObject({
      rely: [],
      outputs: ['B.bam'],
      namedOutputs: { bam: 'B.bam' },
      instance: { tool: 'align', input: 'samples', key: 'B', index: 1 },
      // Only the cells its commands name: $TF_ITEM_fastq (not sample or depth).
      bindings: [
        { env: 'TF_ITEM_fastq', input: 'samples/B/fastq' },
        { env: 'TF_OUT_bam', value: 'B.bam' },
      ],
    });
    expect(t.get('sort[B]')!.rely).toEqual(['align[B]']);
    // sort's commands do not name $TF_ITEM_fastq: B's reads are not staged for it (nor in its cache key).
    expect(t.get('sort[B]')!.bindings!.map((b) => b.env)).not.toContain('TF_ITEM_fastq');
    expect(t.get('sort[B]')!.bindings!.slice(1)).toEqual([
      { env: 'TF_DEP_align', dir: 'align[B]' },
      { env: 'TF_DEP_align_bam', outputs: [{ tool: 'align[B]', path: 'B.bam' }] },
    ]);
    // The template's fields stay: commands, resources, options.
    expect(t.get('sort[A]')).toMatchObject({ cmds: sort.cmds, cpuMillicores: 1000, scatter: 'samples' });
  });

  it('makes a tool that relies on a scattered one gather all its instances, in item order, without a TF_DEP_<tool> dir', () => {
    const plan = expandWorkflow(workflow([align, sort, call]), { samples: sheet('C', 'A', 'B') });
    const c = byName(plan).get('call')!;
    expect(c.instance).toBeUndefined();
    expect(c.rely).toEqual(['sort[C]', 'sort[A]', 'sort[B]']);
    expect(c.bindings).toEqual([
      { env: 'TF_OUT_vcf', value: 'calls.vcf' },
      {
        env: 'TF_DEP_sort_sorted',
        outputs: [
          { tool: 'sort[C]', path: 'C.sorted.bam' },
          { tool: 'sort[A]', path: 'A.sorted.bam' },
          { tool: 'sort[B]', path: 'B.sorted.bam' },
        ],
      },
    ]);
    expect(buildDag(plan.tools).problems).toEqual([]);
  });

  it('makes every instance rely on a dependency that is not scattered, with its dir and outputs', () => {
    const index = tool('index', { namedOutputs: { idx: 'ref.idx' } });
    const a = { ...align, rely: ['index'] };
    const plan = expandWorkflow(workflow([index, a]), { samples: sheet('A', 'B') });
    for (const k of ['A', 'B']) {
      const inst = byName(plan).get(`align[${k}]`)!;
      expect(inst.rely).toEqual(['index']);
      expect(inst.bindings!.slice(2)).toEqual([
        { env: 'TF_DEP_index', dir: 'index' },
        { env: 'TF_DEP_index_idx', outputs: [{ tool: 'index', path: 'ref.idx' }] },
      ]);
    }
  });

  it('gathers a tool scattered over another input: each chromosome\'s instance relies on every sample\'s, then one tool gathers the chromosomes', () => {
    const perChrom = tool('joint', { scatter: 'chroms', rely: ['align'], namedOutputs: { vcf: '{item}.vcf' }, cmds: ['call -r "$TF_ITEM" $TF_DEP_align_bam > "$TF_OUT_vcf"'] });
    const merge = tool('merge', { rely: ['joint'], namedOutputs: { all: 'all.vcf' } });
    const plan = expandWorkflow(workflow([align, perChrom, merge]), { samples: sheet('A', 'B'), chroms: list('chr1', 'chr2') });
    const t = byName(plan);
    expect(plan.tools.map((x) => x.name)).toEqual(['align[A]', 'align[B]', 'joint[chr1]', 'joint[chr2]', 'merge']);
    expect(t.get('joint[chr2]')).toMatchObject({
      rely: ['align[A]', 'align[B]'],
      instance: { tool: 'joint', input: 'chroms', key: 'chr2', index: 1 },
      bindings: [
        { env: 'TF_ITEM', value: 'chr2' },
        { env: 'TF_OUT_vcf', value: 'chr2.vcf' },
        { env: 'TF_DEP_align_bam', outputs: [{ tool: 'align[A]', path: 'A.bam' }, { tool: 'align[B]', path: 'B.bam' }] },
      ],
    });
    expect(t.get('merge')!.rely).toEqual(['joint[chr1]', 'joint[chr2]']);
    expect(bindingOf(t.get('merge'), 'TF_DEP_joint_vcf')).toEqual({ env: 'TF_DEP_joint_vcf', outputs: [{ tool: 'joint[chr1]', path: 'chr1.vcf' }, { tool: 'joint[chr2]', path: 'chr2.vcf' }] });
  });

  it('binds a named output of an ancestor the commands reference, by the same rules, without a rely entry', () => {
    const index = tool('index', { namedOutputs: { idx: 'ref.idx' } });
    const a = { ...align, rely: ['index'] };
    const s = { ...sort, cmds: ['samtools sort --reference "$TF_DEP_index_idx" "$TF_DEP_align_bam"'] };
    const markdup = tool('markdup', { scatter: 'samples', rely: ['sort'], cmds: ['md ${TF_DEP_align_bam} $TF_DEP_sort_sorted'] });
    const stats = tool('stats', { rely: ['call'], cmds: ['stats $TF_DEP_align_bam "$TF_DEP_call_vcf" $TF_DEP_nobody_x'] });
    const plan = expandWorkflow(workflow([index, a, s, markdup, call, stats]), { samples: sheet('A', 'B') });
    const t = byName(plan);
    expect(t.get('sort[B]')!.rely).toEqual(['align[B]']);
    expect(bindingOf(t.get('sort[B]'), 'TF_DEP_index_idx')).toEqual({ env: 'TF_DEP_index_idx', outputs: [{ tool: 'index', path: 'ref.idx' }] });
    expect(t.get('markdup[B]')!.rely).toEqual(['sort[B]']);
    expect(bindingOf(t.get('markdup[B]'), 'TF_DEP_align_bam')).toEqual({ env: 'TF_DEP_align_bam', outputs: [{ tool: 'align[B]', path: 'B.bam' }] });
    expect(t.get('stats')!.rely).toEqual(['call']);
    expect(t.get('stats')!.bindings).toEqual([
      { env: 'TF_DEP_call', dir: 'call' },
      { env: 'TF_DEP_call_vcf', outputs: [{ tool: 'call', path: 'calls.vcf' }] },
      { env: 'TF_DEP_align_bam', outputs: [{ tool: 'align[A]', path: 'A.bam' }, { tool: 'align[B]', path: 'B.bam' }] },
    ]);
    // Not an ancestor: not bound (the workflow's reference check reports it).
    const lone = tool('lone', { cmds: ['cat $TF_DEP_index_idx'] });
    expect(bindingOf(byName(expandWorkflow(workflow([index, lone]), {})).get('lone'), 'TF_DEP_index_idx')).toBeUndefined();
  });

  it('binds item files as their stored inputs: a sheet\'s file cells and a list of files; an empty optional file cell is empty', () => {
    const optional: InputSpec = { ...samplesInput, columns: [samplesInput.columns![0]!, { name: 'extra', type: 'file', required: false }] };
    const per = tool('per', { scatter: 'samples', cmds: ['cat "$TF_ITEM_extra"'] });
    const each = tool('each', { scatter: 'refs', namedOutputs: { out: '{item}.txt' }, cmds: ['cp "$TF_ITEM" "$TF_OUT_out"'] });
    const items: ScatterItems = {
      samples: [
        { key: 'A', fields: { sample: 'A', extra: 'x.bed' }, files: { extra: 'samples/A/extra' } },
        { key: 'B', fields: { sample: 'B', extra: '' }, files: {} },
      ],
      refs: [{ key: 'hg38', fields: { item: 'hg38' }, files: { item: 'refs/hg38/item' } }],
    };
    const t = byName(expandWorkflow(workflow([per, each], [optional, refsInput]), items));
    expect(t.get('per[A]')!.bindings).toEqual([{ env: 'TF_ITEM_extra', input: 'samples/A/extra' }]);
    expect(t.get('per[B]')!.bindings).toEqual([{ env: 'TF_ITEM_extra', value: '' }]);
    expect(t.get('each[hg38]')!.bindings).toEqual([{ env: 'TF_ITEM', input: 'refs/hg38/item' }, { env: 'TF_OUT_out', value: 'hg38.txt' }]);
  });

  it('keeps list-form outputs as written, braces included', () => {
    const t = tool('t', { outputs: ['a{1}.txt'] });
    expect(expandWorkflow(workflow([t]), {}).tools[0]!.outputs).toEqual(['a{1}.txt']);
  });

  it('caps cpu above the capacity, keeping what was asked for; memory and smaller tools are untouched', () => {
    const big = tool('big', { scatter: 'samples', cpuMillicores: 4000, memBytes: 64 << 30 });
    const small = tool('small', { cpuMillicores: 500 });
    const plan = expandWorkflow(workflow([big, small]), { samples: sheet('A') }, { cpuMillicores: 2000 });
    expect(plan.tools[0]).toMatchObject({ name: 'big[A]', cpuMillicores: 2000, requestedCpuMillicores: 4000, memBytes: 64 << 30 });
    expect(plan.tools[1]!.cpuMillicores).toBe(500);
    expect('requestedCpuMillicores' in plan.tools[1]!).toBe(false);
    // Without a capacity nothing is capped.
    expect(expandWorkflow(workflow([big]), { samples: sheet('A') }).tools[0]!.cpuMillicores).toBe(4000);
  });

  it('refuses a scatter over an input with no items, over a file input, and over an input not declared', () => {
    const wf = workflow([align, tool('x', { scatter: 'ref' }), tool('y', { scatter: 'nope' }), tool('z', { scatter: 'chroms' })]);
    expect(messages(() => expandWorkflow(wf, { chroms: [] }))).toEqual([
      'tools[0].scatter: tool "align" runs once per item of input "samples", which has not been given; give it with --input samples=SHEET (a CSV or TSV file)',
      'tools[1].scatter: input "ref" is a file; a tool is scattered over a samples or list input',
      'tools[2].scatter: the workflow has no input "nope"',
      'tools[3].scatter: tool "z" runs once per item of input "chroms", which has no items; give it with --input chroms=VALUE once per item',
    ]);
  });

  it('refuses placeholders that name no field, on tools not scattered, and values that cannot be part of a file name (once per tool)', () => {
    const bad = tool('bad', { scatter: 'samples', namedOutputs: { a: '{sampel}.txt', b: '{depth}/{sample}.txt' } });
    const flat = tool('flat', { namedOutputs: { c: '{sample}.txt' } });
    const items: ScatterItems = { samples: [...sheet('A'), { key: 'B', fields: { sample: 'B', fastq: 'b.fq', depth: 'x y' }, files: {} }, { key: 'C', fields: { sample: 'C', fastq: 'c.fq', depth: 'a b' }, files: {} }] };
    expect(messages(() => expandWorkflow(workflow([bad, flat]), items))).toEqual([
      'tools[0].outputs.a: {sampel} names no field of input "samples"\'s items ({sample}, {fastq}, {depth})',
      'tools[0].outputs: bad[B]: the value of {depth} "x y" must start with a letter or digit and hold only letters, digits, ".", "_" and "-" (it names instances and files), so it cannot be part of an output file name',
      'tools[1].outputs.c: tool "flat" is not scattered, so {sample} has no value; remove it, or scatter the tool over a samples or list input',
    ]);
  });

  it('refuses staged files with one name in a folder, suggesting the key in the output name, and a staged file named as an own output', () => {
    const a = tool('align', { scatter: 'samples', namedOutputs: { bam: 'out.bam', log: 'log.txt' } });
    const g = tool('gather', { rely: ['align'] });
    expect(messages(() => expandWorkflow(workflow([a, g]), { samples: sheet('A', 'B', 'C') }))).toEqual([
      'tools[1].rely: gather would get two files named "out.bam" in its folder (align[A]\'s $TF_DEP_align_bam and align[B]\'s $TF_DEP_align_bam): every instance of align writes the same file name; put {sample} in the output\'s name (bam: "{sample}.bam") so that each instance\'s file has its own name',
      'tools[1].rely: gather would get two files named "log.txt" in its folder (align[A]\'s $TF_DEP_align_log and align[B]\'s $TF_DEP_align_log): every instance of align writes the same file name; put {sample} in the output\'s name (log: "{sample}.txt") so that each instance\'s file has its own name',
    ]);
    const s = tool('sort', { scatter: 'samples', rely: ['align'], namedOutputs: { bam: '{sample}.bam' } });
    const other = tool('other', { namedOutputs: { o: 'x/A.bam' } });
    const both = tool('both', { scatter: 'samples', rely: ['align', 'other'] });
    expect(messages(() => expandWorkflow(workflow([align, s, other, both]), { samples: sheet('A', 'B') }))).toEqual([
      'tools[1].outputs: sort[A] would get align[A]\'s $TF_DEP_align_bam as "A.bam" in its folder, where it writes its own output "A.bam"; give one of them another name',
      'tools[3].rely: both[A] would get two files named "A.bam" in its folder (align[A]\'s $TF_DEP_align_bam and other\'s $TF_DEP_other_o); give the outputs different file names',
    ]);
  });

  it('refuses two bindings of one tool with the same name (tool a_b\'s output c and tool a\'s output b_c)', () => {
    const ab = tool('a_b', { namedOutputs: { c: 'c1.txt' } });
    const a = tool('a', { namedOutputs: { b_c: 'c2.txt' } });
    const t = tool('t', { rely: ['a_b', 'a'] });
    expect(messages(() => expandWorkflow(workflow([ab, a, t], []), {}))).toEqual(['tools[2]: tool "a_b"\'s output "c" and tool "a"\'s output "b_c" both become $TF_DEP_a_b_c; rename one']);
  });

  it('refuses a gather whose file list would pass Linux\'s limit on one variable', () => {
    const keys = Array.from({ length: 12_000 }, (_, k) => `sample_${String(k).padStart(5, '0')}`);
    const g = tool('g', { rely: ['align'] });
    expect(messages(() => expandWorkflow(workflow([align, g]), { samples: sheet(...keys) }))).toEqual([
      expect.stringMatching(/^tools\[1\]\.cmds: g: \$TF_DEP_align_bam would be 203999 bytes \(12000 files\), and Linux refuses a variable of more than 131072 bytes/),
    ]);
  });

  it('places issues in the workflow file when given its source', () => {
    const issues = (() => {
      try {
        expandWorkflow(workflow([align]), {}, undefined, { file: 'wf.yaml' });
      } catch (err) {
        return (err as SpecError).issues;
      }
      return [];
    })();
    expect(issues).toEqual([{ file: 'wf.yaml', path: 'tools[0].scatter', message: expect.stringContaining('has not been given') }]);
  });

  it('names the columns used in output names, per samples input', () => {
    const t = tool('t', { scatter: 'samples', namedOutputs: { a: '{sample}_{depth}.txt' } });
    expect(pathColumnsByInput(workflow([t, align]))).toEqual(new Map([['samples', new Set(['sample', 'depth'])]]));
  });

  it('plans 1,000 samples x 4 tools (3 chained, 1 gather) correctly', () => {
    const keys = Array.from({ length: 1000 }, (_, k) => `S${k}`);
    const idx = tool('idx', { scatter: 'samples', rely: ['sort'], namedOutputs: { bai: '{sample}.bam.bai' } });
    const g = tool('call', { rely: ['idx'], namedOutputs: { vcf: 'calls.vcf' }, cmds: ['bcftools mpileup $TF_DEP_sort_sorted $TF_DEP_idx_bai'] });
    const plan = expandWorkflow(workflow([align, sort, idx, g]), { samples: sheet(...keys) });
    expect(plan.tools).toHaveLength(3001);
    const t = byName(plan);
    expect(t.size).toBe(3001);
    for (const k of [0, 499, 999]) {
      expect(t.get(instanceName('sort', keys[k]!))!.rely).toEqual([`align[${keys[k]}]`]);
      expect(t.get(instanceName('idx', keys[k]!))!.rely).toEqual([`sort[${keys[k]}]`]);
    }
    const c = t.get('call')!;
    expect(c.rely).toEqual(keys.map((k) => `idx[${k}]`));
    const sorted = bindingOf(c, 'TF_DEP_sort_sorted') as { outputs: { tool: string; path: string }[] };
    expect(sorted.outputs.map((o) => o.path)).toEqual(keys.map((k) => `${k}.sorted.bam`));
    expect((bindingOf(c, 'TF_DEP_idx_bai') as { outputs: unknown[] }).outputs).toHaveLength(1000);
    expect(buildDag(plan.tools).problems).toEqual([]);
  });
});
