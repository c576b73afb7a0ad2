#!/usr/bin/env node
// Times what toolflow does with a workflow before anything runs, in its own process so that its
// peak memory is its own. Prints one line of JSON.
//   node bench/plan.mjs WORKFLOW
//     parse + validate + plan (expandWorkflow) of the workflow file:
//     {"tools", "initiallyReady", "ms", "maxRssMB"}
//   node bench/plan.mjs --samples N
//     a variant-calling shape over an N-row sample sheet (issue 10's target: 1,000 samples x 4 tools
//     in < 1 s): align -> sort -> index scattered over the sheet (chained item by item), then one
//     call gathering every sample. Times what `toolflow run` does before and after its uploads:
//     load the workflow, read the sheet (N rows, N fastq files stat'ed), validateSubmission (parse
//     again, values, inputs, plan): {"samples", "templates", "tools", "relyEdges", "ms" (wall),
//     "readMs", "validateMs" (its two parts), "cpuMs" (this process's cpu time: what a loaded machine
//     does not change much), "maxRssMB"}
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateSubmission } from '../dist/shared/handlers/validate.js';
import { expandWorkflow } from '../dist/shared/spec/expand.js';
import { loadWorkflowFile } from '../dist/shared/spec/load.js';
import { resolveInputs } from '../dist/shared/spec/values.js';

const rss = () => Math.round(process.resourceUsage().maxRSS / 1024);

if (process.argv[2] === '--samples') {
  const n = Number(process.argv[3] ?? 1000);
  const dir = mkdtempSync(join(tmpdir(), 'toolflow-plan-'));
  try {
    const workflow = join(dir, 'workflow.yaml');
    writeFileSync(
      workflow,
      `name: variants
inputs:
  ref: {type: file}
  samples:
    type: samples
    key: sample
    columns:
      sample: {type: string}
      fastq: {type: file}
tools:
  - name: align
    scatter: samples
    outputs: {bam: "{sample}.bam"}
    cmds: ['bwa mem "$TF_INPUT_ref" "$TF_ITEM_fastq" > "$TF_OUT_bam"']
  - name: sort
    scatter: samples
    rely: [align]
    outputs: {sorted: "{sample}.sorted.bam"}
    cmds: ['samtools sort -o "$TF_OUT_sorted" "$TF_DEP_align_bam"']
  - name: index
    scatter: samples
    rely: [sort]
    outputs: {bai: "{sample}.sorted.bam.bai"}
    cmds: ['samtools index "$TF_DEP_sort_sorted" "$TF_OUT_bai"']
  - name: call
    rely: [index]
    outputs: {vcf: calls.vcf}
    cmds: ['bcftools mpileup -f "$TF_INPUT_ref" $TF_DEP_sort_sorted | bcftools call -mv -o "$TF_OUT_vcf"']
`,
    );
    writeFileSync(join(dir, 'ref.fa'), '>chr1\nACGT\n');
    mkdirSync(join(dir, 'reads'));
    const rows = ['sample\tfastq'];
    for (let k = 0; k < n; k++) {
      const key = `S${String(k).padStart(4, '0')}`;
      writeFileSync(join(dir, 'reads', `${key}.fq`), '@r\nA\n+\nI\n');
      rows.push(`${key}\treads/${key}.fq`);
    }
    writeFileSync(join(dir, 'samples.tsv'), rows.join('\n') + '\n');
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const { spec } = await loadWorkflowFile(workflow);
    const { files, items } = await resolveInputs(spec, [`ref=${join(dir, 'ref.fa')}`, `samples=${join(dir, 'samples.tsv')}`], workflow);
    const t1 = performance.now();
    // The uploads are not timed: each file stands for a stored input here.
    const inputs = Object.fromEntries(Object.keys(files).map((name) => [name, { key: `bench/${name}`, fileName: 'f' }]));
    const event = validateSubmission(
      { owner: 'bench', workflowFile: workflow, workflowText: readFileSync(workflow, 'utf8'), values: [], inputs, items },
      { capacity: { cpuMillicores: 2000, memBytes: 8 * 2 ** 30, diskBytes: null } },
    );
    const t2 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const tools = event.data.spec.tools;
    process.stdout.write(
      JSON.stringify({
        samples: n,
        templates: spec.tools.length,
        tools: tools.length,
        relyEdges: tools.reduce((sum, t) => sum + t.rely.length, 0),
        ms: Math.round(t2 - t0),
        readMs: Math.round(t1 - t0),
        validateMs: Math.round(t2 - t1),
        cpuMs: Math.round((cpu.user + cpu.system) / 1000),
        maxRssMB: rss(),
      }) + '\n',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  const t0 = performance.now();
  const { spec, dag, source } = await loadWorkflowFile(process.argv[2]);
  const plan = expandWorkflow(spec, {}, undefined, { file: process.argv[2], source });
  const ready = dag.order.filter((i) => dag.parents[i].length === 0);
  const ms = performance.now() - t0;
  process.stdout.write(JSON.stringify({ tools: plan.tools.length, initiallyReady: ready.length, ms: Math.round(ms), maxRssMB: rss() }) + '\n');
}
