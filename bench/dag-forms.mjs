#!/usr/bin/env node
// One DAG of no-op steps written three ways, so GNU make, Snakemake and toolflow run the very same
// graph in the benchmark (`bench/run.mjs`, `bench/services.mjs`):
//   Makefile       every step is a target `done/<step>` whose prerequisites are its parents' markers;
//   Snakefile      every step is a rule with the same input and output markers;
//   workflow.yaml  every step is a toolflow tool (cpu 1, mem 64M) whose `rely` lists its parents.
// Each step runs `true`; make and Snakemake also touch the step's marker under done/, since they
// decide what to run from files, where toolflow follows its own store.
//
// Shapes (N steps besides any source and sink):
//   chain    s1 -> s2 -> ... -> sN
//   fan      src -> (N steps side by side) -> join
//   diamond  N steps in layers of 10; each step relies on every step of the layer before
//
// Usage: node bench/dag-forms.mjs chain|fan|diamond N OUTDIR   (or import { writeDag } from it)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHAPES = ['chain', 'fan', 'diamond'];
const LAYER_WIDTH = 10;

/** Step names sort in creation order up to 99,999 steps: t00001, t00002, … */
const stepName = (i) => `t${String(i).padStart(5, '0')}`;

/**
 * The steps of a shape, in an order where every parent comes before its children.
 * @param {string} shape one of SHAPES
 * @param {number} n how many steps (a whole number ≥ 1)
 * @returns {{name: string, parents: string[]}[]}
 */
export function dagSteps(shape, n) {
  if (!SHAPES.includes(shape)) throw new Error(`unknown shape ${JSON.stringify(shape)}: one of ${SHAPES.join(', ')}`);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`the number of steps must be a whole number of at least 1, got ${n}`);
  const names = Array.from({ length: n }, (_, k) => stepName(k + 1));
  switch (shape) {
    case 'chain':
      return names.map((name, k) => ({ name, parents: k === 0 ? [] : [names[k - 1]] }));
    case 'fan':
      return [{ name: 'src', parents: [] }, ...names.map((name) => ({ name, parents: ['src'] })), { name: 'join', parents: names }];
    default: {
      const steps = [];
      for (let start = 0; start < n; start += LAYER_WIDTH) {
        const previous = start === 0 ? [] : names.slice(start - LAYER_WIDTH, start);
        for (const name of names.slice(start, start + LAYER_WIDTH)) steps.push({ name, parents: previous });
      }
      return steps;
    }
  }
}

/** Steps no other step relies on: what make's `all` and Snakemake's `rule all` ask for. */
function sinksOf(steps) {
  const relied = new Set();
  for (const s of steps) for (const p of s.parents) relied.add(p);
  return steps.filter((s) => !relied.has(s.name)).map((s) => s.name);
}

const marker = (name) => `done/${name}`;

function makefile(steps) {
  const lines = [`all: ${sinksOf(steps).map(marker).join(' ')}`, ''];
  for (const s of steps) lines.push(`${marker(s.name)}:${s.parents.map((p) => ` ${marker(p)}`).join('')}`, '\t@mkdir -p done && true && touch $@');
  return lines.join('\n') + '\n';
}

function snakefile(steps) {
  const quoted = (names) => names.map((x) => `"${marker(x)}"`).join(', ');
  const parts = [`rule all:\n    input: ${quoted(sinksOf(steps))}\n`];
  for (const s of steps) {
    parts.push(`rule ${s.name}:\n${s.parents.length ? `    input: ${quoted(s.parents)}\n` : ''}    output: "${marker(s.name)}"\n    shell: "true && touch {output}"\n`);
  }
  return parts.join('\n');
}

// Block sequences (one item a line), as the figures of earlier runs were measured on: the scale
// check's parse time depends on the layout.
function workflowYaml(shape, n, steps) {
  const parts = [`name: ${shape}-${n}\ndescription: ${n} no-op tools shaped as a ${shape}, for the overhead benchmark\ntools:\n`];
  for (const s of steps) {
    parts.push(`  - name: ${s.name}\n    cpu: 1\n    mem: 64M\n    cmds:\n      - "true"\n`);
    if (s.parents.length) parts.push(`    rely:\n${s.parents.map((p) => `      - ${p}\n`).join('')}`);
  }
  return parts.join('');
}

/**
 * Writes `Makefile`, `Snakefile` and `workflow.yaml` of one DAG into `outDir` (created if missing).
 * @returns {{steps: number, sinks: string[], files: string[]}}
 * @throws for an unknown shape or a bad step count.
 */
export function writeDag(shape, n, outDir) {
  const steps = dagSteps(shape, n);
  mkdirSync(outDir, { recursive: true });
  const files = { Makefile: makefile(steps), Snakefile: snakefile(steps), 'workflow.yaml': workflowYaml(shape, n, steps) };
  for (const [file, text] of Object.entries(files)) writeFileSync(join(outDir, file), text);
  return { steps: steps.length, sinks: sinksOf(steps), files: Object.keys(files).map((f) => join(outDir, f)) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [shape, count, outDir] = process.argv.slice(2);
  try {
    if (!outDir) throw new Error('missing arguments');
    const r = writeDag(shape, Number(count), outDir);
    console.log(`${r.steps} steps (${shape}) in ${r.files.join(', ')}`);
  } catch (err) {
    console.error(`dag-forms: ${err.message}\nusage: node bench/dag-forms.mjs ${SHAPES.join('|')} N OUTDIR`);
    process.exit(2);
  }
}
