#!/usr/bin/env node
// `npm run bench`: toolflow against GNU make (the near-floor) and Snakemake on the same DAGs, written
// by bench/dag-forms.mjs, in one run on this machine; then the 100,000-tool scale check.
// Every figure is a wall time measured here and now; ratios compare figures of this same run.
// Env: BENCH_REPEAT (default 3) runs of make and toolflow per shape (the median is reported);
// BENCH_SNAKEMAKE_DEFAULT=0 skips Snakemake's slow default scheduler; BENCH_SCALE=0 skips the scale check;
// BENCH_SERVICES=0 skips services mode (bench/services.mjs: RabbitMQ, MariaDB and etcd on loopback);
// BENCH_STARTUP=0 skips the start-up cost of commands and functions (bench/startup.mjs);
// BENCH_HTTP=0 skips the HTTP figures (bench/http.mjs: submit → finished over `toolflow dev`, events/s
// through the in-process bus, the AMQP bus and the connector + HTTP function);
// BENCH_CLUSTER=0 skips cluster mode (bench/cluster.mjs: reports/s and keepalive CPU of one work
// manager, step latency on the Kubernetes API test double);
// BENCH_UPLOADS=0 skips the uploads (bench/uploads.mjs: a 1 GiB file through the upload function
// with tus against a direct lib-storage upload to radosgw, the function's peak RSS, parts sent again
// after a resume; an embedded `toolflow run` of that file against `wc -c` directly);
// BENCH_METRICS=0 skips the cost of metrics (bench/metrics.mjs: chain-200 with and without them, the
// `toolflow run` process and the in-process hot path, interleaved, with / without ratio);
// BENCH_BASELINE=DIR also runs the toolflow of another built checkout (with node_modules) on the
// same DAGs, interleaved with this one's runs, e.g. the tree before a change (its own column).
// The floor: a bare `bash -c true` (fork + exec of bash, as a tool's process at the least costs),
// the mean of BENCH_FLOOR_N (default 500) run one after another by a bash loop.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDag } from './dag-forms.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out');
const repeat = Number(process.env.BENCH_REPEAT ?? 3);
const cpus = 2;
const baseline = process.env.BENCH_BASELINE ? resolve(process.env.BENCH_BASELINE) : null;

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}
if (!have('snakemake') && process.getuid?.() === 0 && process.env.BENCH_INSTALL !== '0') {
  console.error('bench: installing snakemake (apt-get install -y snakemake)…');
  spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq snakemake'], { stdio: 'inherit' });
}
const snakemake = have('snakemake');

/** Wall time of a command in seconds; throws when it fails. */
function time(cmd, args, opts = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...opts });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${String(r.stderr).slice(-2000)}`);
  return s;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (s) => (s === null ? '-' : `${s.toFixed(2)} s`);
const ratio = (a, b) => (a === null || b === null ? '-' : `${(a / b).toFixed(2)}x`);

const results = [];
for (const [shape, n] of [['fan', 500], ['chain', 200]]) {
  const dir = join(out, `${shape}-${n}`);
  rmSync(dir, { recursive: true, force: true });
  writeDag(shape, n, dir);
  const clean = () => rmSync(join(dir, 'done'), { recursive: true, force: true });
  const runs = { make: [], toolflow: [], baseline: [] };
  const toolflowRun = (tree, i) => {
    const home = join(dir, `.toolflow-${i}`);
    const s = time('node', [join(tree, 'bin', 'toolflow.js'), 'run', join(dir, 'workflow.yaml'), '--cpus', String(cpus), '--quiet'], { env: { ...process.env, TOOLFLOW_HOME: home } });
    rmSync(home, { recursive: true, force: true });
    return s;
  };
  for (let i = 0; i < repeat; i++) {
    clean();
    runs.make.push(time('make', ['-j', String(cpus), '-s', '-C', dir]));
    runs.toolflow.push(toolflowRun(root, i));
    if (baseline) runs.baseline.push(toolflowRun(baseline, i));
  }
  let greedy = null;
  let deflt = null;
  if (snakemake) {
    clean();
    rmSync(join(dir, '.snakemake'), { recursive: true, force: true });
    greedy = time('snakemake', ['--cores', String(cpus), '-q', '--scheduler', 'greedy'], { cwd: dir });
    if (process.env.BENCH_SNAKEMAKE_DEFAULT !== '0') {
      clean();
      rmSync(join(dir, '.snakemake'), { recursive: true, force: true });
      deflt = time('snakemake', ['--cores', String(cpus), '-q'], { cwd: dir });
    }
  }
  const r = { shape: `${shape}-${n}`, make: median(runs.make), toolflow: median(runs.toolflow), baseline: baseline ? median(runs.baseline) : null, greedy, deflt };
  results.push(r);
  console.error(`bench: ${r.shape} done`);
}

/** Mean wall time of one `bash -c true` in ms: BENCH_FLOOR_N of them, one after another, from a bash loop. */
function floorMs() {
  const n = Number(process.env.BENCH_FLOOR_N ?? 500);
  return (time('bash', ['-c', 'for ((i = 0; i < $1; i++)); do bash -c true; done', 'floor', String(n)]) * 1000) / n;
}

console.log(`\nOverhead on no-op DAGs, ${cpus} cpu slots, median of ${repeat} runs for make and toolflow (wall time, process start included):\n`);
const base = baseline ? ' | toolflow (baseline) | baseline / toolflow' : '';
console.log(`| DAG | make -j2 | toolflow | snakemake greedy | snakemake default | toolflow / make | snakemake greedy / toolflow | snakemake default / toolflow${base} |`);
console.log(`| --- | --- | --- | --- | --- | --- | --- | ---${baseline ? ' | --- | ---' : ''} |`);
for (const r of results) {
  const b = baseline ? ` | ${fmt(r.baseline)} | ${ratio(r.baseline, r.toolflow)}` : '';
  console.log(`| ${r.shape} | ${fmt(r.make)} | ${fmt(r.toolflow)} | ${fmt(r.greedy)} | ${fmt(r.deflt)} | ${ratio(r.toolflow, r.make)} | ${ratio(r.greedy, r.toolflow)} | ${ratio(r.deflt, r.toolflow)}${b} |`);
}
if (baseline) console.log(`\n(baseline: ${baseline})`);
console.log(`\nFloor: a bare \`bash -c true\` (fork + exec) takes ${floorMs().toFixed(2)} ms here.`);
if (!snakemake) console.log('\n(snakemake is not installed: its columns are empty)');

if (process.env.BENCH_SCALE !== '0') {
  console.log('\nScale: parse + validate + plan of 100,000-tool workflows (own process each; peak RSS of that process):\n');
  console.log('| DAG | tools | time | peak memory |');
  console.log('| --- | --- | --- | --- |');
  // Layers of 10 rather than one fan-in of 100,000: a tool relying on 100,000 others would get
  // 100,000 TF_DEP_* variables, an environment no exec takes, which validation refuses.
  for (const shape of ['diamond', 'chain']) {
    const dir = join(out, `${shape}-100000`);
    mkdirSync(dir, { recursive: true });
    writeDag(shape, 100_000, dir);
    const r = JSON.parse(execFileSync('node', [join(root, 'bench', 'plan.mjs'), join(dir, 'workflow.yaml')], { encoding: 'utf8' }));
    console.log(`| ${shape}-100000 | ${r.tools} | ${(r.ms / 1000).toFixed(2)} s | ${r.maxRssMB} MB |`);
  }
  // A sample sheet of 1,000 rows × 4 tools (3 scattered and chained, 1 gather): what run does before any tool starts.
  const p = JSON.parse(execFileSync('node', [join(root, 'bench', 'plan.mjs'), '--samples', '1000'], { encoding: 'utf8' }));
  console.log(`| sheet of ${p.samples} samples × ${p.templates} tools | ${p.tools} | ${(p.ms / 1000).toFixed(2)} s (sheet ${p.readMs} ms, validate + plan ${p.validateMs} ms; target < 1 s) | ${p.maxRssMB} MB |`);
}

if (process.env.BENCH_STARTUP !== '0') {
  const r = spawnSync('node', [join(root, 'bench', 'startup.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}

if (process.env.BENCH_SERVICES !== '0') {
  const r = spawnSync('node', [join(root, 'bench', 'services.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}

if (process.env.BENCH_HTTP !== '0') {
  const r = spawnSync('node', [join(root, 'bench', 'http.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}

if (process.env.BENCH_CLUSTER !== '0') {
  const r = spawnSync('node', [join(root, 'bench', 'cluster.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}

if (process.env.BENCH_UPLOADS !== '0') {
  const r = spawnSync('node', [join(root, 'bench', 'uploads.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}

if (process.env.BENCH_METRICS !== '0') {
  const r = spawnSync('node', [join(root, 'bench', 'metrics.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}
