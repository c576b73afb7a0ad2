// validateSubmission (issue 10): the plan is what task.submitted carries; cpu above the executor's
// is capped (memory is refused); items and their uploaded files are checked against the inputs.
import { describe, expect, it } from 'vitest';
import { SpecError } from '../../shared/errors.js';
import { validateSubmission, type Submission } from '../../shared/handlers/validate.js';
import type { SheetItem } from '../../shared/spec/types.js';

const capacity = { capacity: { cpuMillicores: 2000, memBytes: 4 * 2 ** 30, diskBytes: null } };
const stored = (name: string) => ({ key: `ann/${name}`, fileName: name.replace(/\//g, '_') });

const scattered = `name: variants
inputs:
  ref: {}
  samples:
    type: samples
    key: sample
    columns:
      sample: {type: string}
      fastq: {type: file}
  chroms:
    type: list
    default: [chr1, chr2]
tools:
  - name: align
    scatter: samples
    cpu: 4
    outputs: {bam: "{sample}.bam"}
    options: [{name: threads, type: int, default: 2}]
    cmds: ['bwa mem -t "$TF_OPT_threads" "$TF_INPUT_ref" "$TF_ITEM_fastq" > "$TF_OUT_bam"']
  - name: call
    scatter: chroms
    rely: [align]
    outputs: {vcf: "{item}.vcf"}
    cmds: ['bcftools mpileup -r "$TF_ITEM" $TF_DEP_align_bam > "$TF_OUT_vcf"']
`;
const sheet: SheetItem[] = ['A', 'B'].map((key) => ({ key, fields: { sample: key, fastq: `${key}.fq` }, files: { fastq: `samples/${key}/fastq` } }));
const submission = (over: Partial<Submission> = {}): Submission => ({
  owner: 'ann',
  workflowFile: 'wf.yaml',
  workflowText: scattered,
  values: [{ tool: 'align', option: 'threads', value: '8', from: '--set align.threads=8' }],
  inputs: Object.fromEntries(['ref', 'samples', 'samples/A/fastq', 'samples/B/fastq'].map((n) => [n, stored(n)])),
  items: { samples: sheet },
  ...over,
});
const issues = (f: () => unknown): string[] => {
  try {
    f();
  } catch (err) {
    if (err instanceof SpecError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
};

describe('validateSubmission', () => {
  it('submits the plan: instances with bindings, cpu capped to the executor\'s, values by planned tool, a list\'s default as its items', () => {
    const { data } = validateSubmission(submission(), capacity);
    expect(data.spec.tools.map((t) => t.name)).toEqual(['align[A]', 'align[B]', 'call[chr1]', 'call[chr2]']);
    expect(data.spec.tools[0]).toMatchObject({ cpuMillicores: 2000, requestedCpuMillicores: 4000, instance: { tool: 'align', input: 'samples', key: 'A', index: 0 } });
    expect(data.spec.tools[2]).toMatchObject({ rely: ['align[A]', 'align[B]'], cpuMillicores: 1000 });
    expect('requestedCpuMillicores' in data.spec.tools[2]!).toBe(false);
    expect(data.values).toEqual({ 'align[A]': { threads: 8 }, 'align[B]': { threads: 8 }, 'call[chr1]': {}, 'call[chr2]': {} });
    expect(data.spec.tools[3]!.bindings).toContainEqual({ env: 'TF_ITEM', value: 'chr2' });
  });

  it('no longer refuses cpu above the executor\'s, and still refuses memory', () => {
    const text = 'name: w\ntools:\n  - {name: big, cpu: 64, mem: 1Gi, cmds: ["true"]}\n  - {name: huge, mem: 8Gi, cmds: ["true"]}\n';
    expect(issues(() => validateSubmission({ owner: 'ann', workflowFile: 'wf.yaml', workflowText: text, values: [], inputs: {} }, capacity))).toEqual(['tools[1].mem: needs 8Gi memory but the executor has 4Gi']);
    const ok = validateSubmission({ owner: 'ann', workflowFile: 'wf.yaml', workflowText: text.replace('8Gi', '1Gi'), values: [], inputs: {} }, capacity);
    expect(ok.data.spec.tools[0]).toMatchObject({ name: 'big', cpuMillicores: 2000, requestedCpuMillicores: 64000 });
  });

  it('refuses item files that were not uploaded, a sheet without its items, and names no workflow input declares', () => {
    const inputs = { ...submission().inputs, 'other/x/y': stored('o'), chroms: stored('c') };
    delete (inputs as Record<string, unknown>)['samples/B/fastq'];
    expect(issues(() => validateSubmission(submission({ inputs, items: { samples: sheet, nope: [] } }), capacity))).toEqual([
      'inputs.chroms: "chroms" is a list input: give its items (--input chroms=VALUE once per item), not one file',
      'inputs.nope: the workflow has no input "nope"; it has ref, samples, chroms',
      'inputs.other: the workflow has no input "other"; it has ref, samples, chroms',
      'inputs.samples[1].fastq: the file of B\'s fastq was not uploaded (stored input "samples/B/fastq")',
    ]);
    expect(issues(() => validateSubmission(submission({ items: {} }), capacity))).toEqual(['inputs.samples: the sample sheet of "samples" was uploaded but its rows were not read; submit it with its items']);
  });

  it('says how to give a required sample sheet and a required list without default', () => {
    const text = scattered.replace('    default: [chr1, chr2]\n', '');
    expect(issues(() => validateSubmission(submission({ workflowText: text, inputs: { ref: stored('ref') }, items: {} }), capacity))).toEqual([
      'inputs.samples: required sample sheet is not given; give it with --input samples=SHEET (CLI) or an upload id under inputs.samples (API)',
      'inputs.chroms: required list input has no items; give them with --input chroms=VALUE once per item (CLI), or declare a default',
    ]);
  });

  it('reports the plan\'s problems with the workflow\'s positions', () => {
    const text = scattered.replace('outputs: {bam: "{sample}.bam"}', 'outputs: {bam: "out.bam"}');
    let err: SpecError | undefined;
    try {
      validateSubmission(submission({ workflowText: text }), capacity);
    } catch (e) {
      err = e as SpecError;
    }
    expect(err?.issues).toEqual([
      expect.objectContaining({ file: 'wf.yaml', line: 22, column: 11, path: 'tools[1].rely', message: expect.stringContaining('call[chr1] would get two files named "out.bam" in its folder') }),
    ]);
  });
});
