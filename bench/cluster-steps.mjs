// Figure 3 of the cluster benchmark (bench/cluster.mjs): step latency of a chain of no-op tools
// through cluster mode on the Kubernetes API test double, and through services mode, in one run.
// The test double and the tests' cluster stack (test/support/cluster-stack.ts: MariaDB, RabbitMQ,
// etcd, s3rver, the double, its ConfigMap and Secret) are TypeScript under test/: they are bundled
// here with esbuild, not built into dist/. Their one use of vitest (`afterAll`, for temp folders)
// is served by a stub whose cleanups `closeStack` runs.
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import amqp from 'amqplib';
import * as esbuild from 'esbuild';
import { pct, runProcess } from './http-support.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'toolflow.js');
const { amqpNames, fromMessage } = await import(pathToFileURL(join(root, 'dist/shared/events/amqp-binding.js')).href);

const AFTER_ALL = '__toolflowBenchAfterAll';

/** esbuild plugin: `vitest` is a module whose `afterAll(fn)` keeps `fn` for `closeStack`. */
const vitestStub = {
  name: 'vitest-stub',
  setup(build) {
    build.onResolve({ filter: /^vitest$/ }, () => ({ path: 'vitest', namespace: 'bench-stub' }));
    build.onLoad({ filter: /.*/, namespace: 'bench-stub' }, () => ({
      contents: `export function afterAll(fn) { (globalThis.${AFTER_ALL} ??= []).push(fn); }`,
      loader: 'js',
    }));
  },
};

/**
 * Bundles test/support/cluster-stack.ts (with the double) into `bench/out/` (two folders below the
 * root, as the test file is: its `BIN` is found from there) and imports it.
 * @returns the module: `startClusterStack(etcdEndpoints, timing)`, …
 */
export async function loadClusterStack(tag) {
  const outfile = join(root, 'bench', 'out', `cluster-stack-${tag}.mjs`);
  await esbuild.build({
    entryPoints: [join(root, 'test/support/cluster-stack.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile,
    logLevel: 'error',
    plugins: [vitestStub],
  });
  try {
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(outfile, { force: true });
  }
}

/** Closes a stack, then removes the temp folders its modules made (their `afterAll`s). */
export async function closeStack(stack) {
  try {
    await stack?.close();
  } finally {
    for (const fn of (globalThis[AFTER_ALL] ?? []).splice(0)) fn();
  }
}

/**
 * A queue bound to every event of `namespace`'s exchange, to read the events a run published.
 * @returns {{ events: () => Promise<object[]>, close: () => Promise<void> }} `events` takes what the
 *   queue holds; `close` deletes it.
 */
export async function recordEvents(url, namespace) {
  const names = amqpNames(namespace);
  const conn = await amqp.connect(url);
  const ch = await conn.createChannel();
  const queue = names.queue('bench-recorder');
  await ch.assertExchange(names.exchange, 'topic', { durable: true });
  await ch.assertQueue(queue, { durable: true });
  await ch.bindQueue(queue, names.exchange, '#');
  return {
    async events() {
      const out = [];
      for (let m; (m = await ch.get(queue, { noAck: true })); ) out.push(fromMessage(m));
      return out;
    },
    async close() {
      await ch.deleteQueue(queue);
      await conn.close();
    },
  };
}

/** Runs `toolflow run file --json` with `env`. @returns its task id. */
export async function runChain(file, env) {
  const { stdout } = await runProcess([bin, 'run', file, '--quiet', '--json'], env);
  const { taskId, status } = JSON.parse(stdout);
  if (status !== 'succeeded') throw new Error(`bench: task ${taskId} ended ${status}`);
  return taskId;
}

/**
 * When each tool's sidecar logged (pino `time`, epoch ms) that the tool ended and its outputs were
 * uploaded, and that its Exit was reported (then its logs uploaded); read from the sidecar containers' logs, which
 * carry those lines at level info (the sidecars get `toolflow run`'s TOOLFLOW_LOG_LEVEL).
 * @returns {Map<string, { uploaded?: number, reported?: number }>} by job name.
 */
export function sidecarTimes(stack) {
  const times = new Map();
  for (const pod of stack.kube.pods('toolflow')) {
    const job = pod.metadata.ownerReferences?.find((o) => o.kind === 'Job')?.name;
    const path = stack.kube.logPath(pod.metadata.name, 'toolflow-sidecar', 'toolflow');
    if (!job || !path) continue;
    const lines = readFileSync(path, 'utf8')
      .split('\n')
      .map((l) => {
        try {
          return JSON.parse(l);
        } catch {
          return null; // not a log record
        }
      })
      .filter(Boolean);
    times.set(job, { uploaded: lines.find((l) => l.msg?.startsWith('tool ended'))?.time, reported: lines.find((l) => l.msg === 'exit reported')?.time });
  }
  return times;
}

const summary = (xs) => (xs.length ? { p50: pct(xs, 50), p95: pct(xs, 95), n: xs.length } : null);

/**
 * Step figures of one chain run, from its rows (`tool_runs`: `finished_at` is the exit report's
 * time, `started_at` the Start report's), its events (`time` of `tool.exited`, `tool.ready`: when
 * the work manager made them) and, cluster mode, the double's journal (a Job's ADDED time) and the
 * sidecars' log times (`sidecarTimes`).
 * @returns p50/p95 (ms) of: exit → next Job created, exit → next start, and the parts of a step
 *   (exit → tool.exited, tool.exited → next tool.ready, tool.ready → Job created or started),
 *   plus, over every tool, Job created → start (the Pod's start), and the sidecar's share of
 *   exit → tool.exited: exit → uploaded (its look at the exit file, the uploads), uploaded → reported.
 */
export function stepFigures(rows, events, journal, sidecar) {
  const byName = [...rows].sort((a, b) => (a.tool < b.tool ? -1 : 1));
  const eventTime = (type, tool) => {
    const e = events.find((x) => x.type === type && x.data.tool === tool && x.data.attempt === 1);
    return e ? Date.parse(e.time) : undefined;
  };
  const jobAdded = (row) => journal?.find((j) => j.resource === 'jobs' && j.type === 'ADDED' && j.name === row.job_name)?.at;
  const diffs = (f) => byName.slice(1).map((r, i) => f(r, byName[i])).filter((x) => Number.isFinite(x));
  const fin = (r) => Number(r.finished_at);
  const started = (r) => Number(r.started_at);
  return {
    tools: rows.length,
    step: summary(diffs((r, prev) => started(r) - fin(prev))),
    exitToJob: journal ? summary(diffs((r, prev) => jobAdded(r) - fin(prev))) : null,
    exitToExited: summary(diffs((_r, prev) => eventTime('io.toolflow.tool.exited', prev.tool) - fin(prev))),
    exitedToReady: summary(diffs((r, prev) => eventTime('io.toolflow.tool.ready', r.tool) - eventTime('io.toolflow.tool.exited', prev.tool))),
    readyToNext: summary(diffs((r) => (journal ? jobAdded(r) : started(r)) - eventTime('io.toolflow.tool.ready', r.tool))),
    podStart: journal ? summary(byName.map((r) => started(r) - jobAdded(r)).filter((x) => Number.isFinite(x))) : null,
    exitToUploaded: sidecar ? summary(byName.map((r) => sidecar.get(r.job_name)?.uploaded - fin(r)).filter((x) => Number.isFinite(x))) : null,
    uploadedToReported: sidecar ? summary(byName.map((r) => sidecar.get(r.job_name)?.reported - sidecar.get(r.job_name)?.uploaded).filter((x) => Number.isFinite(x))) : null,
  };
}
