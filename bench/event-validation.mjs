#!/usr/bin/env node
// What validating events costs on the hot path (issue 8, section 2: events are validated when
// produced and when consumed). Needs the compiled dist/ (npm run build). Prints:
//   1. validateEvent per event type: the first call (the first of all loads ajv; the first of a type
//      compiles its schema) and the steady cost per call, µs;
//   2. an embedded chain of 200 no-op tools (real local executor, SQLite), run alternately with
//      validation and without it in this same process, wall time submit -> finished.
// "Without" is a second copy of dist/ loaded under a `?novalidate` query, in which a loader hook
// replaces shared/events/event-schemas.js with a stub that accepts everything: the product has no
// switch to turn validation off.
//
// Usage: node bench/event-validation.mjs [RUNS]   (RUNS of each kind, default 3)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { writeDag } from './dag-forms.mjs';

const HOOKS = `
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (context.parentURL?.includes('?novalidate') && r.url.startsWith('file:') && r.url.includes('/dist/') && !r.url.includes('?')) return { ...r, url: r.url + '?novalidate' };
  return r;
}
export async function load(url, context, next) {
  if (url.endsWith('/shared/events/event-schemas.js?novalidate')) {
    return { format: 'module', shortCircuit: true, source: 'export function validateEvent() { return { ok: true }; }\\nexport function assertValidEvents() {}\\n' };
  }
  return next(url, context);
}`;
register(`data:text/javascript,${encodeURIComponent(HOOKS)}`);

const root = join(import.meta.dirname, '..');
const dist = (p) => pathToFileURL(join(root, 'dist/shared', p)).href;
const runs = Number(process.argv[2] ?? 3);
const work = mkdtempSync(join(tmpdir(), 'toolflow-bench-validation-'));

// 1. validateEvent per type, in a module graph where nothing has validated yet.
const { validateEvent } = await import(dist('events/event-schemas.js'));
const { EventType, makeEvent } = await import(dist('events/catalog.js'));
const ref = { taskId: 't1', tool: 'align', attempt: 1 };
const resources = { cpuMillicores: 1000, memBytes: 1073741824, diskBytes: null, timeSeconds: null };
const retry = { maxAttempts: 3, on: ['oom', 'disk'], grow: 2, capMemBytes: 64e9, capDiskBytes: 500e9, capTimeSeconds: 604800 };
const tool = { name: 'align', description: '', output: '', cpuMillicores: 1000, memBytes: 1073741824, diskBytes: null, timeSeconds: null, image: null, outputs: ['out.bam'], env: { LC_ALL: 'C' }, passEnv: [], options: [{ name: 'q', desc: '', type: 'int', required: false, default: 20 }], cmds: ['bwa mem ref.fa "$TF_INPUT_reads" > out.bam'], rely: [], retry };
const samples = {
  [EventType.taskSubmitted]: { taskId: 't1', owner: 'me', workflowFile: 'wf.yaml', spec: { name: 'w', description: '', inputs: [{ name: 'reads', required: true, description: '' }], tools: Array.from({ length: 7 }, (_, i) => ({ ...tool, name: `t${i}` })) }, values: { t0: { q: 20 } }, inputs: { reads: { key: 'me/u/reads.fastq', fileName: 'reads.fastq' } }, failFast: false },
  [EventType.taskQueued]: { taskId: 't1' },
  [EventType.taskStarted]: { taskId: 't1' },
  [EventType.taskSucceeded]: { taskId: 't1' },
  [EventType.taskFailed]: { taskId: 't1', error: 'x' },
  [EventType.taskCancelled]: { taskId: 't1', error: 'x' },
  [EventType.toolReady]: { ...ref, owner: 'me', spec: { name: 'align', cmds: tool.cmds, env: tool.env, outputs: tool.outputs, image: null, passEnv: [] }, values: { q: 20 }, inputs: {}, deps: [{ tool: 'index', attempt: 1 }], resources },
  [EventType.toolStarted]: { ...ref, at: Date.now() },
  [EventType.toolKeepalive]: { ...ref, at: Date.now(), memBytes: 123456 },
  [EventType.toolExited]: { ...ref, at: Date.now(), resources, retry, exitCode: 0, signal: null, oomKilled: false, oomKills: 0, peakMemBytes: 1234567, memLimitKind: 'cgroup', stderrTail: '', missingOutputs: [] },
  [EventType.toolAttemptFailed]: { ...ref, reason: 'oom', message: 'out of memory', resources, retry },
  [EventType.toolRetrying]: { ...ref, reason: 'oom', resources, previous: 'out of memory' },
  [EventType.toolSucceeded]: ref,
  [EventType.toolFailed]: { ...ref, reason: 'exit', message: 'exited with code 1' },
  [EventType.toolSkipped]: { ...ref, because: 'x failed' },
  [EventType.toolCancelled]: ref,
};
const us = (ms) => (ms * 1000).toFixed(1);
console.log('validateEvent per event type (µs): first call (compiles the type; the very first, task.queued, also loads ajv), then steady per call');
let total = 0;
// task.queued first: its first call also loads ajv, so the load shows apart from the bigger schemas' compile.
const order = [EventType.taskQueued, ...Object.keys(samples).filter((t) => t !== EventType.taskQueued)];
for (const type of order) {
  const data = samples[type];
  const event = makeEvent(type, '/bench', data);
  let t = performance.now();
  const check = validateEvent(event);
  const first = performance.now() - t;
  if (!check.ok) throw new Error(check.message);
  const n = 20000;
  t = performance.now();
  for (let i = 0; i < n; i++) validateEvent(event);
  const per = (performance.now() - t) / n;
  total += first;
  console.log(`  ${type.padEnd(34)} first ${us(first).padStart(8)}   steady ${us(per).padStart(6)}`);
}
console.log(`  all 16 types compiled: ${total.toFixed(1)} ms in all`);

// 2. chain-200, embedded, alternating with and without validation.
writeDag('chain', 200, join(work, 'dag'));
const workflowText = readFileSync(join(work, 'dag/workflow.yaml'), 'utf8');
const graphs = {
  with: await import(dist('runtime/runtime.js')),
  without: await import(`${dist('runtime/runtime.js')}?novalidate`),
};
const { loadConfig } = await import(dist('runtime/config.js'));
const { pino } = await import('pino');
const times = { with: [], without: [] };
for (let i = 0; i < runs; i++) {
  for (const kind of i % 2 ? ['with', 'without'] : ['without', 'with']) {
    const rt = await graphs[kind].createRuntime(loadConfig({ TOOLFLOW_HOME: join(work, `${kind}-${i}`) }, { cpuMillicores: 2000 }), { log: pino({ level: 'silent' }) });
    const t = performance.now();
    const taskId = await rt.submit({ owner: 'bench', workflowFile: 'chain-200.yaml', workflowText, values: [], inputs: {} });
    const final = await rt.waitFor(taskId);
    const ms = performance.now() - t;
    await rt.close();
    if (final.type !== EventType.taskSucceeded) throw new Error(`chain-200 (${kind} validation) ended ${final.type}`);
    times[kind].push(ms);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`embedded chain-200, ${runs} runs each (ms): with validation ${times.with.map((t) => t.toFixed(0)).join(', ')}; without ${times.without.map((t) => t.toFixed(0)).join(', ')}`);
const w = median(times.with);
const wo = median(times.without);
console.log(`  median with ${w.toFixed(0)} ms, without ${wo.toFixed(0)} ms: ${(w - wo).toFixed(0)} ms (${(((w - wo) / wo) * 100).toFixed(1)} %), ${((w - wo) / 200).toFixed(2)} ms per tool`);
rmSync(work, { recursive: true, force: true });
