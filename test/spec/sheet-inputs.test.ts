// A sample sheet reaches only the tools that read it (ToolSpec.inputs, set by the planner, honoured
// by inputsFor): adding a row to the sheet leaves the other rows' instances, their inputs and their
// cache keys as they were, so adding a sample does not rerun every sample.
import { describe, expect, it } from 'vitest';
import { cacheKeyOf, type CacheParts } from '../../shared/cache/cache-key.js';
import type { OutputRecord, StoredInput } from '../../shared/events/catalog.js';
import type { AttemptRequest } from '../../shared/executor/executor.js';
import { inputsFor } from '../../shared/spec/bindings.js';
import { workflowInputs } from '../../shared/spec/expand-bindings.js';
import { expandWorkflow } from '../../shared/spec/expand.js';
import { parseWorkflow } from '../../shared/spec/load.js';
import { itemFileName, parseSampleSheet } from '../../shared/spec/sample-sheet.js';
import type { InputSpec, ToolSpec, WorkflowSpec } from '../../shared/spec/types.js';

const WORKFLOW = `
name: rows
inputs:
  ref: {type: file}
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
    outputs: {bam: "{sample}.bam"}
    cmds:
      - bwa mem "$TF_INPUT_ref" "$TF_ITEM_fastq" > "$TF_OUT_bam"
  - name: qc
    scatter: samples
    cmds:
      - grep -c "$TF_ITEM_sample" "$TF_INPUT_samples"
  - name: count
    rely: [align]
    outputs: {n: rows.txt}
    cmds:
      - tail -n +2 "\${TF_INPUT_samples}" | wc -l > "$TF_OUT_n"
      - ls $TF_DEP_align_bam >> "$TF_OUT_n"
`;

const spec = parseWorkflow('rows.yaml', WORKFLOW).spec;
const samplesInput = spec.inputs.find((i) => i.name === 'samples')!;
const sha = (c: string) => c.repeat(64);

/** The plan of a sheet with these rows, and the task's stored inputs as the submit stores them (the sheet's SHA-256 changes with its rows). */
function planOf(keys: string[]): { plan: WorkflowSpec; stored: Record<string, StoredInput> } {
  const text = `sample\tfastq\n${keys.map((k) => `${k}\t${k}.fq\n`).join('')}`;
  const sheet = parseSampleSheet(text, samplesInput, { file: 'sheet.tsv' });
  expect(sheet.issues).toEqual([]);
  const stored: Record<string, StoredInput> = {
    ref: { key: 'me/u1/ref.fa', fileName: 'ref.fa', sha256: sha('a'), bytes: 10 },
    samples: { key: `me/sheet-${keys.length}/sheet.tsv`, fileName: 'sheet.tsv', sha256: sha(String(keys.length)), bytes: text.length },
  };
  for (const k of keys) stored[itemFileName('samples', k, 'fastq')] = { key: `me/${k}/${k}.fq`, fileName: `${k}.fq`, sha256: sha(k.toLowerCase()), bytes: 20 };
  return { plan: expandWorkflow(spec, { samples: sheet.items, chroms: [] }), stored };
}

const toolOf = (plan: WorkflowSpec, name: string): ToolSpec => plan.tools.find((t) => t.name === name)!;

/** The cache key and parts of an attempt (a request without one fails the test). */
function keyed(request: AttemptRequest, deps: Map<string, OutputRecord[]> = new Map()): { key: string; parts: CacheParts } {
  const r = cacheKeyOf(request, deps);
  if (r.key === null) throw new Error(`no key: ${r.why}`);
  return r;
}

/** The tool.ready request the work manager would make for a planned tool (its first attempt, dependencies at attempt 1). */
function requestOf(tool: ToolSpec, stored: Record<string, StoredInput>, taskId: string): AttemptRequest {
  return {
    taskId,
    tool: tool.name,
    attempt: 1,
    owner: 'me',
    spec: { name: tool.name, cmds: tool.cmds, env: tool.env, outputs: tool.outputs, image: tool.image, ...(tool.bindings ? { bindings: tool.bindings } : {}) },
    values: {},
    inputs: inputsFor(tool, stored),
    deps: tool.rely.map((name) => ({ tool: name, attempt: 1 })),
    resources: { cpuMillicores: tool.cpuMillicores, memBytes: tool.memBytes, diskBytes: null, timeSeconds: null },
  };
}

describe('the workflow-level inputs of planned tools', () => {
  const two = planOf(['A', 'B']);
  const three = planOf(['A', 'B', 'C']);

  it('gives every tool the file inputs, and the sheet only to the tools whose commands read $TF_INPUT_samples (never a list input)', () => {
    expect(two.plan.tools.map((t) => [t.name, t.inputs])).toEqual([
      ['align[A]', ['ref']],
      ['align[B]', ['ref']],
      ['qc[A]', ['ref', 'samples']],
      ['qc[B]', ['ref', 'samples']],
      ['count', ['ref', 'samples']],
    ]);
  });

  it('leaves the first two rows\' instances, their inputs and their cache keys as they were when a third row is added', () => {
    for (const name of ['align[A]', 'align[B]']) {
      const before = toolOf(two.plan, name);
      const after = toolOf(three.plan, name);
      expect(after).toEqual(before);
      const key = name === 'align[A]' ? 'A' : 'B';
      expect(inputsFor(after, three.stored)).toEqual({ ref: three.stored.ref, [`samples/${key}/fastq`]: three.stored[`samples/${key}/fastq`] });
      expect(inputsFor(after, three.stored)).toEqual(inputsFor(before, two.stored));
      expect(keyed(requestOf(after, three.stored, 't2')).key).toBe(keyed(requestOf(before, two.stored, 't1')).key);
    }
  });

  it('gives the new sheet to the tools that read it, so their cache keys change with the rows', () => {
    for (const name of ['qc[A]', 'count']) {
      expect(inputsFor(toolOf(two.plan, name), two.stored).samples).toEqual(two.stored.samples);
      expect(inputsFor(toolOf(three.plan, name), three.stored).samples).toEqual(three.stored.samples);
    }
    const qcBefore = keyed(requestOf(toolOf(two.plan, 'qc[A]'), two.stored, 't1'));
    const qcAfter = keyed(requestOf(toolOf(three.plan, 'qc[A]'), three.stored, 't2'));
    expect(qcAfter.key).not.toBe(qcBefore.key);
    expect(qcAfter.parts.inputs).not.toBe(qcBefore.parts.inputs);
    expect(qcAfter.parts.items).toBe(qcBefore.parts.items);
    expect(inputsFor(toolOf(three.plan, 'count'), three.stored)).toEqual({ ref: three.stored.ref, samples: three.stored.samples });
  });
});

describe('inputsFor', () => {
  const all: Record<string, string> = { ref: 'R', samples: 'S', 'samples/A/fastq': 'FA', 'samples/B/fastq': 'FB', 'refs/x/item': 'X' };
  const itemBinding = { env: 'TF_ITEM_fastq', input: 'samples/A/fastq' };

  it('gives a tool without `inputs` (a template, a task stored before it) every workflow-level input, and the item files its bindings name', () => {
    expect(inputsFor({ bindings: [itemBinding] }, all)).toEqual({ ref: 'R', samples: 'S', 'samples/A/fastq': 'FA' });
    expect(inputsFor({}, all)).toEqual({ ref: 'R', samples: 'S' });
  });

  it('gives a planned tool only the inputs it names (an input the task did not store is left out), and the item files of its bindings', () => {
    expect(inputsFor({ inputs: ['ref'], bindings: [itemBinding, { env: 'TF_ITEM', input: 'refs/x/item' }] }, all)).toEqual({ ref: 'R', 'samples/A/fastq': 'FA', 'refs/x/item': 'X' });
    expect(inputsFor({ inputs: [], bindings: [itemBinding] }, all)).toEqual({ 'samples/A/fastq': 'FA' });
    expect(inputsFor({ inputs: ['ref', 'extra'], bindings: [] }, { samples: 'S' })).toEqual({});
  });
});

describe('workflowInputs', () => {
  const inputs: InputSpec[] = [
    { name: 'ref', required: true, description: '', type: 'file' },
    { name: 'sample-sheet', required: true, description: '', type: 'samples', key: 'sample', columns: [{ name: 'sample', type: 'string', required: true }] },
    { name: 'chroms', required: true, description: '', type: 'list', of: 'string' },
  ];

  it('finds $TF_INPUT_<input> and ${TF_INPUT_<input>} with "-" in the input\'s name as "_", in any command', () => {
    expect(workflowInputs({ cmds: ['echo', 'cat "${TF_INPUT_sample_sheet}"'] }, inputs)).toEqual(['ref', 'sample-sheet']);
    expect(workflowInputs({ cmds: ['cut -f1 $TF_INPUT_sample_sheet'] }, inputs)).toEqual(['ref', 'sample-sheet']);
  });

  it('leaves the sheet out for a longer name, a name without $, or commands naming no input; a list input is never one', () => {
    expect(workflowInputs({ cmds: ['echo "$TF_INPUT_sample_sheets" TF_INPUT_sample_sheet'] }, inputs)).toEqual(['ref']);
    expect(workflowInputs({ cmds: ['echo "$TF_INPUT_chroms"', 'true'] }, inputs)).toEqual(['ref']);
    expect(workflowInputs({ cmds: [] }, inputs)).toEqual(['ref']);
  });
});
