#!/usr/bin/env node
// Embedded-mode input benchmark (issue 11; part of `npm run bench` through bench/uploads.mjs, or
// alone: `node bench/embedded-input.mjs [--gib N]` after `npm run build`), all in this one run:
//
// a one-tool workflow `wc -c "$TF_INPUT_data"` run by `toolflow run --input data=FILE --no-cache`
// in embedded mode on a generated FILE of N GiB (default 1; bench/big-file.mjs, warm in the page
// cache since it was just written), against the same `wc -c FILE` run directly, `cat FILE` (one
// read of the file) and `openssl dgst -sha256 FILE` (one read and SHA-256 of it: what a first sight
// of an input costs at least) and, as the floor, `bash -c true`. Rows, each the median of BENCH_EMBEDDED_REPEAT runs (default 3), each run a new
// process:
// - first run: a fresh TOOLFLOW_HOME, so the input is seen for the first time;
// - second run: the same home and the same file again (checksummed once, it must not be read again);
// - toolflow with a 1-byte input: toolflow's own cost (node, planning, SQLite, the tool's process),
//   so "first run − this" is what the input's size costs.
// Besides the wall time, each row gives the bytes the process and its children read (`rchar` of
// /proc: read-like system calls), which shows whether the file was read (hashed, copied) again.
// BENCH_BASELINE=DIR also runs the toolflow of another built checkout (with node_modules) in the
// same rounds, e.g. the tree before a change (rows of its own).
// Note: GNU `wc -c` of a regular file takes the size from fstat and reads nothing, so the direct
// run is a few ms and toolflow's fixed start-up alone is many times that; the figures say both.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchFlags, ioCounters, median, size, writeBigFile } from './big-file.mjs';
import { embeddedEnv } from './http-support.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'toolflow.js');
const repeat = Number(process.env.BENCH_EMBEDDED_REPEAT ?? 3);
const FLOOR_N = Number(process.env.BENCH_FLOOR_N ?? 500);
const baseline = process.env.BENCH_BASELINE ? resolve(process.env.BENCH_BASELINE) : null;

const WORKFLOW = `name: wc-input
inputs:
  data: {type: file}
tools:
  - name: count
    cmds:
      - wc -c "$TF_INPUT_data"
`;

/**
 * Runs `cmd args…` to its end (stdout and stderr captured).
 * @returns {{ ms: number, rchar: number | null, stdout: string }} wall time, and bytes read by it and
 *   its children (null without /proc).
 * @throws when it exits non-zero, with its stderr's tail.
 */
function timed(cmd, args, opts = {}) {
  const io0 = ioCounters();
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  const ms = performance.now() - t0;
  const io1 = ioCounters();
  if (r.status !== 0) throw new Error(`bench: ${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${String(r.stderr).slice(-2000)}`);
  return { ms, rchar: io0 && io1 ? io1.rchar - io0.rchar : null, stdout: r.stdout };
}

/** Median wall time and median bytes read of `runs` results. */
const summary = (runs) => ({ ms: median(runs.map((r) => r.ms)), rchar: runs[0].rchar === null ? null : median(runs.map((r) => r.rchar)) });

/**
 * Measures `toolflow run` of the wc workflow on `file` against `wc -c file` (see the header).
 * @param {{ file: string, bytes: number, work: string, label?: string }} o `work`: a folder for the
 *   homes and the workflow, emptied by the caller; `label`: a note for the table's title (e.g. "before").
 * @returns {Promise<object>} the figures, also printed as a Markdown table on stdout.
 * @throws when a run fails.
 */
export async function measureEmbeddedInput({ file, bytes, work, label }) {
  const wf = join(work, 'wc.yaml');
  writeFileSync(wf, WORKFLOW);
  const tiny = join(work, 'one-byte.bin');
  writeFileSync(tiny, 'x');
  const trees = [{ name: 'toolflow', bin }, ...(baseline ? [{ name: 'toolflow (baseline)', bin: join(baseline, 'bin', 'toolflow.js') }] : [])];
  const run = (treeBin, home, input) => {
    const r = timed(process.execPath, [treeBin, 'run', wf, '--input', `data=${input}`, '--no-cache', '--quiet', '--json'], { env: embeddedEnv({ TOOLFLOW_HOME: home }), cwd: work });
    const out = JSON.parse(r.stdout);
    if (out.status !== 'succeeded') throw new Error(`bench: toolflow run ended ${out.status}`);
    return r;
  };
  const runs = trees.map(() => ({ first: [], second: [], fixed: [] }));
  const direct = [];
  const read = [];
  const hash = [];
  for (let i = 0; i < repeat; i++) {
    for (const [t, tree] of trees.entries()) {
      const home = join(work, `home-${t}-${i}`);
      runs[t].first.push(run(tree.bin, home, file));
      runs[t].second.push(run(tree.bin, home, file));
      rmSync(home, { recursive: true, force: true });
      const tinyHome = join(work, `home-tiny-${t}-${i}`);
      run(tree.bin, tinyHome, tiny); // the second run of the tiny input is counted, as it would be second in the home
      runs[t].fixed.push(run(tree.bin, tinyHome, tiny));
      rmSync(tinyHome, { recursive: true, force: true });
    }
    direct.push(timed('wc', ['-c', file]));
    read.push(timed('cat', [file], { stdio: ['ignore', 'ignore', 'pipe'] }));
    hash.push(timed('openssl', ['dgst', '-sha256', file]));
    console.error(`bench: embedded input, round ${i + 1} of ${repeat} done`);
  }
  const floor = timed('bash', ['-c', 'for ((i = 0; i < $1; i++)); do bash -c true; done', 'floor', String(FLOOR_N)]).ms / FLOOR_N;
  const f = {
    trees: trees.map((tree, t) => ({ name: tree.name, first: summary(runs[t].first), second: summary(runs[t].second), fixed: summary(runs[t].fixed) })),
    direct: summary(direct),
    read: summary(read),
    hash: summary(hash),
    floorMs: floor,
  };

  const ms = (x) => `${x >= 1000 ? (x / 1000).toFixed(2) + ' s' : x.toFixed(x < 10 ? 2 : 0) + ' ms'}`;
  const got = (r) => (r === null ? '-' : size(r));
  const added = (x) => `${ms(x - f.direct.ms)} (${(((x - f.direct.ms) / f.direct.ms) * 100).toFixed(0)} %)`;
  console.log(`\nEmbedded input${label ? ` (${label})` : ''}: \`toolflow run --input data=FILE --no-cache\` of a one-tool workflow \`wc -c "$TF_INPUT_data"\`, FILE ${size(bytes)} of random bytes (warm in the page cache), against the same \`wc -c FILE\` run directly; median of ${repeat} runs, each a new process; bytes read = rchar of the process and its children:\n`);
  console.log('| run | wall | bytes read | added to the direct `wc -c` (as % of it) |');
  console.log('| --- | --- | --- | --- |');
  console.log(`| \`wc -c FILE\` directly (reads no byte: the size comes from fstat) | ${ms(f.direct.ms)} | ${got(f.direct.rchar)} | |`);
  console.log(`| \`cat FILE > /dev/null\` (one read of the file) | ${ms(f.read.ms)} | ${got(f.read.rchar)} | ${added(f.read.ms)} |`);
  console.log(`| \`openssl dgst -sha256 FILE\` (one read + SHA-256 of the file) | ${ms(f.hash.ms)} | ${got(f.hash.rchar)} | ${added(f.hash.ms)} |`);
  for (const t of f.trees) {
    console.log(`| ${t.name}, 1-byte input (its fixed cost) | ${ms(t.fixed.ms)} | ${got(t.fixed.rchar)} | ${added(t.fixed.ms)} |`);
    console.log(`| ${t.name}, first run of FILE (fresh home) | ${ms(t.first.ms)} | ${got(t.first.rchar)} | ${added(t.first.ms)} |`);
    console.log(`| ${t.name}, second run of FILE (same home, same file) | ${ms(t.second.ms)} | ${got(t.second.rchar)} | ${added(t.second.ms)} |`);
  }
  console.log('');
  for (const t of f.trees) {
    const again = t.second.rchar === null ? 'not measurable here' : t.second.rchar < bytes / 2 ? 'it does not' : '**it reads it again**';
    console.log(`${t.name}: what the input's size costs: first run − 1-byte run = ${ms(t.first.ms - t.fixed.ms)} (${(((t.first.ms - t.fixed.ms) / f.hash.ms) * 100).toFixed(0)} % of one openssl SHA-256 of FILE), second run − 1-byte run = ${ms(t.second.ms - t.fixed.ms)}; does the second run read FILE again? ${again}.`);
  }
  if (baseline) console.log(`(baseline: ${baseline})`);
  console.log(`Targets: toolflow's added time ≤ 5 % of the direct run; a second run that does not read the file again. Floor: a bare \`bash -c true\` (fork + exec) takes ${floor.toFixed(2)} ms here (mean of ${FLOOR_N}).`);
  return f;
}

/** `node bench/embedded-input.mjs [--gib N] [--label TEXT]`: makes the file, measures, removes it. */
async function main() {
  const { bytes, label } = benchFlags();
  const work = mkdtempSync(join(tmpdir(), 'toolflow-bench-input-'));
  try {
    const file = join(work, 'data.bin');
    const genMs = writeBigFile(file, bytes);
    console.error(`bench: wrote ${size(bytes)} in ${(genMs / 1000).toFixed(1)} s (not counted)`);
    await measureEmbeddedInput({ file, bytes, work, label });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
