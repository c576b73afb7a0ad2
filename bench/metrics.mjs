#!/usr/bin/env node
// Metrics cost (issue 12 §1: "metrics cost nothing measurable on the hot path"; part of
// `npm run bench`, or alone: `node bench/metrics.mjs` after `npm run build`). The chain-200 no-op
// DAG of bench/dag-forms.mjs with a budget of 2 cpus, with and without metrics, interleaved, in
// this one run on this machine:
//
// 1. `toolflow run` (embedded), a new process each time, wall time process start included:
//    without metrics (no TOOLFLOW_METRICS_PORT: prom-client is not loaded, every record call is a
//    no-op) against TOOLFLOW_METRICS_PORT=127.0.0.1:<free port> with a scraper GETting /metrics
//    every BENCH_METRICS_SCRAPE_MS (default 1000; Prometheus' default is 15 s) while the run lasts.
// 2. The hot path alone: in one process per run (this script with --inner), the in-process runtime
//    (the real local executor, SQLite, the in-process bus) from `submit` to the task's end, without
//    metrics against with them on (metrics loaded, their server up, scraped as above), and with
//    them on but not scraped (the cost of counting alone; a scrape of chain-200's 200 tools formats
//    about 6,000 series); start-up is not in the figure.
//
// One warm-up run of each first (not counted), then BENCH_METRICS_REPEAT runs of each (default 5):
// medians, the ratio with / without, and the median of each round's ratio (its two runs are
// neighbours in time). The hot path is also given as the cpu time of the toolflow process.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDag } from './dag-forms.mjs';
import { embeddedEnv, freePort } from './http-support.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repeat = Number(process.env.BENCH_METRICS_REPEAT ?? 5);
const scrapeMs = Number(process.env.BENCH_METRICS_SCRAPE_MS ?? 1000);
const CPUS = '2';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** GETs `url` every `scrapeMs` until stopped; counts the scrapes that answered 200. */
function scraper(url) {
  let ok = 0;
  let stopped = false;
  const once = () =>
    new Promise((res) => {
      request(url, (r) => {
        if (r.statusCode === 200) ok++;
        r.resume();
        r.on('end', res);
      })
        .on('error', () => res())
        .end();
    });
  const loop = (async () => {
    while (!stopped) {
      await once();
      await new Promise((r) => setTimeout(r, scrapeMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return ok;
    },
  };
}

/** Runs `node args` with `env`; resolves with its wall time in seconds and its stdout. @throws when it fails. */
function timed(args, env, onStart = () => undefined) {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    onStart();
    child.on('close', (code) => (code === 0 ? res({ s: (performance.now() - t0) / 1000, out }) : rej(new Error(`node ${args.join(' ')} failed (${code}): ${err.slice(-2000)}`))));
  });
}

/**
 * The inner run (--inner on|off WORKFLOW HOME): the in-process runtime from submit to the task's
 * end; prints `{"ms", "cpuMs", "scrapes"}`: wall time, and the cpu time (user + system) of this
 * process alone (its tools are child processes, not counted), which a busy machine disturbs less.
 */
async function inner(mode, workflow, home) {
  const dist = join(root, 'dist/shared');
  const { loadConfig } = await import(join(dist, 'runtime/config.js'));
  const { createRuntime } = await import(join(dist, 'runtime/runtime.js'));
  const { pino } = await import('pino');
  let server;
  if (mode !== 'off') {
    const { startMetricsServer } = await import(join(dist, 'metrics/server.js'));
    server = await startMetricsServer(0, '127.0.0.1');
  }
  const config = loadConfig({ TOOLFLOW_HOME: home, TOOLFLOW_CPUS: CPUS }, {});
  const rt = await createRuntime(config, { log: pino({ level: 'silent' }) });
  const scrapes = mode === 'on' ? scraper(server.url) : undefined;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const taskId = await rt.submit({ owner: 'bench', workflowFile: workflow, workflowText: readFileSync(workflow, 'utf8'), values: [], inputs: {}, failFast: false });
  const final = await rt.waitFor(taskId);
  const ms = performance.now() - t0;
  const used = process.cpuUsage(cpu0);
  const n = (await scrapes?.stop()) ?? 0;
  await rt.close();
  await server?.close();
  if (!final.type.endsWith('succeeded')) throw new Error(`the task ended ${final.type}`);
  process.stdout.write(JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000, scrapes: n }) + '\n');
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'toolflow-bench-metrics-'));
  const dag = join(work, 'chain-200');
  writeDag('chain', 200, dag);
  const workflow = join(dag, 'workflow.yaml');
  const cli = { off: [], on: [] };
  const hot = { off: [], on: [], idle: [] };
  const hotCpu = { off: [], on: [], idle: [] };
  let scrapes = 0;
  let i = 0;
  // One warm-up of each first, not counted (the page cache, node's compile cache).
  for (const mode of ['off', 'on']) {
    const home = join(work, `home-${i++}`);
    await timed([fileURLToPath(import.meta.url), '--inner', mode, workflow, home], embeddedEnv());
    rmSync(home, { recursive: true, force: true });
  }
  for (let r = 0; r < repeat; r++) {
    for (const mode of r % 2 === 0 ? ['off', 'on'] : ['on', 'off']) {
      const home = join(work, `home-${i++}`);
      const port = mode === 'on' ? await freePort() : undefined;
      const env = embeddedEnv({ TOOLFLOW_HOME: home, ...(port ? { TOOLFLOW_METRICS_PORT: `127.0.0.1:${port}` } : {}) });
      let s;
      const { s: secs } = await timed([join(root, 'bin/toolflow.js'), 'run', workflow, '--cpus', CPUS, '--quiet'], env, () => {
        if (port) s = scraper(`http://127.0.0.1:${port}/metrics`);
      });
      if (s) scrapes += await s.stop();
      cli[mode].push(secs);
      rmSync(home, { recursive: true, force: true });
    }
    for (const mode of r % 2 === 0 ? ['on', 'idle', 'off'] : ['off', 'idle', 'on']) {
      const home = join(work, `home-${i++}`);
      const { out } = await timed([fileURLToPath(import.meta.url), '--inner', mode, workflow, home], embeddedEnv());
      const r = JSON.parse(out.trim().split('\n').pop());
      hot[mode].push(r.ms / 1000);
      hotCpu[mode].push(r.cpuMs / 1000);
      rmSync(home, { recursive: true, force: true });
    }
    console.error(`bench: metrics round ${r + 1}/${repeat} done`);
  }
  rmSync(work, { recursive: true, force: true });
  // Runs of one round are neighbours in time: their ratio is what a load that drifts over the
  // run (another process starting) disturbs least, so the median of the rounds' ratios is given too.
  const row = (what, x, on = x.on) => {
    const off = median(x.off);
    const with_ = median(on);
    const paired = median(on.map((v, k) => v / x.off[k]));
    return `| ${what} | ${off.toFixed(2)} s | ${with_.toFixed(2)} s | ${(with_ / off).toFixed(3)}x | ${paired.toFixed(3)}x | ${x.off.map((v) => v.toFixed(2)).join(', ')} / ${on.map((v) => v.toFixed(2)).join(', ')} |`;
  };
  console.log(`\nMetrics cost on chain-200 (no-op tools, --cpus ${CPUS}), median of ${repeat} interleaved runs each; with metrics: /metrics served and scraped every ${scrapeMs} ms (${scrapes} scrapes answered over the CLI runs):\n`);
  console.log('| run | without metrics | with metrics | with / without (medians) | median of each round\'s with / without | every run (without / with) |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  console.log(row('`toolflow run`: wall time of the process (start-up included)', cli));
  console.log(row('hot path: in-process runtime, submit → finished, wall time', hot));
  console.log(row('hot path: the same, cpu time of the toolflow process (its tools not counted)', hotCpu));
  console.log(row('hot path, metrics on but not scraped: wall time', hot, hot.idle));
  console.log(row('hot path, metrics on but not scraped: cpu time of the toolflow process', hotCpu, hotCpu.idle));
}

if (process.argv[2] === '--inner') {
  inner(process.argv[3], process.argv[4], process.argv[5]).catch((err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    process.stderr.write(`bench/metrics.mjs: ${err.stack ?? err}\n`);
    process.exitCode = 1;
  });
}
