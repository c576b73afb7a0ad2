/**
 * The task watch survives what happens to watches (API concepts, "Efficient detection of changes"):
 * streams cut and events compacted away (410 Gone: listed again), a watch that goes silent without
 * ending (abandoned at its client-side deadline), and a Pod deleted while the watch saw nothing
 * (found by the periodic relist). No report is lost, none is sent twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolReport } from '../../shared/executor/executor.js';
import { jobName } from '../../shared/executor/kubernetes/names.js';
import { attempt, startCluster, until, type Cluster } from './cluster.js';
import type { ApiProxy } from './api-proxy.js';

type Exit = Extract<ToolReport, { kind: 'exit' }>;
let c: Cluster;
const noSink = () => undefined;
const count = (proxy: ApiProxy, verb: string, resource = 'pods') => proxy.requests.filter((r) => r.verb === verb && r.resource === resource).length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  c = await startCluster();
});
afterAll(async () => {
  await c?.close();
});

const podOf = (name: string) => c.double.pods('toolflow').find((p) => p.metadata.labels?.['job-name'] === name);

describe('the task watch', () => {
  it('after dropped streams lists again: the exit is reported, once', async () => {
    const task = await c.task();
    // No periodic relist within the test: every list after the first comes from a failure.
    const { executor, proxy } = await c.executor({ serverTimeoutSeconds: 60, deadlineMarginSeconds: 60, relistSeconds: 600 });
    const reports: Exit[] = [];
    const stop = executor.watchTask(task, (r) => reports.push(r as Exit));
    await until(() => count(proxy, 'watch') > 0, 'the Pod watch');
    await executor.start(attempt(task, 'flaky', ['sleep 2', 'exit 3']), noSink);
    const name = jobName(task, 'flaky', 1);
    // Cut the streams and forget the events again and again while the tool runs and ends.
    const ends = Date.now() + 4000;
    while (Date.now() < ends) {
      c.double.dropWatches();
      await sleep(250);
    }
    const r = await until(() => reports[0], 'the watch’s report');
    expect(r).toMatchObject({ tool: 'flaky', attempt: 1, exitCode: 3 });
    expect(c.sidecarReports.find((x) => x.taskId === task && x.kind === 'exit')).toMatchObject({ exitCode: 3 });
    expect(podOf(name)?.status.phase).toBe('Failed');
    expect(count(proxy, 'list')).toBeGreaterThan(1);
    await sleep(1500);
    expect(reports).toHaveLength(1);
    stop();
  });

  it('a watch resumed from a compacted resourceVersion (410 Gone) lists again: the exit is reported, once', async () => {
    const task = await c.task();
    const { executor, proxy } = await c.executor({ serverTimeoutSeconds: 1, deadlineMarginSeconds: 1, relistSeconds: 600 });
    const reports: Exit[] = [];
    const stop = executor.watchTask(task, (r) => reports.push(r as Exit));
    await until(() => count(proxy, 'watch') > 0, 'the Pod watch');
    await executor.start(attempt(task, 'compacted', ['sleep 1', 'exit 5']), noSink);
    // The streams go silent (no event, no bookmark, no end reaches the client); meanwhile the tool
    // ends, other writes move the store past the last resourceVersion the watch saw, and a
    // compaction forgets them: the watch abandoned at its deadline resumes from a resourceVersion gone.
    proxy.freezeOpenWatches();
    const lists = count(proxy, 'list');
    await until(() => c.sidecarReports.find((x) => x.taskId === task && x.kind === 'exit'), 'the sidecar’s exit');
    await c.task();
    c.double.compact();
    const r = await until(() => reports[0], 'the watch’s report');
    expect(r).toMatchObject({ tool: 'compacted', exitCode: 5 });
    expect(proxy.gone).toBeGreaterThan(0);
    expect(count(proxy, 'list')).toBeGreaterThan(lists);
    await sleep(1500);
    expect(reports).toHaveLength(1);
    stop();
  });

  it('a Pod deleted while its watch stream is silent is found by the periodic relist: lost, with evidence', async () => {
    const task = await c.task();
    const { executor, proxy } = await c.executor({ serverTimeoutSeconds: 60, deadlineMarginSeconds: 60, relistSeconds: 1 });
    const reports: Exit[] = [];
    const stop = executor.watchTask(task, (r) => reports.push(r as Exit));
    await executor.start(attempt(task, 'victim', ['sleep 60']), noSink);
    const name = jobName(task, 'victim', 1);
    await until(() => podOf(name)?.status.containerStatuses?.find((s) => s.name === 'tool')?.state?.running, 'the tool running');
    await sleep(300);
    proxy.freezeOpenWatches();
    const watches = count(proxy, 'watch');
    const lists = count(proxy, 'list');
    c.double.deletePod(podOf(name)!.metadata.name!, { namespace: 'toolflow', gracePeriodSeconds: 0 });
    const r = await until(() => reports[0], 'the watch’s report');
    expect(r.watchdog).toBe('lost');
    expect(r.evidence).toMatch(new RegExp(`^pod ${name}-[a-z0-9]+: deleted \\(phase Running\\) before container tool ended$`));
    // It came from a list, not from a new watch: the frozen streams were never replaced.
    expect(count(proxy, 'watch')).toBe(watches);
    expect(count(proxy, 'list')).toBeGreaterThan(lists);
    // The Job was read afresh before the Pod was called lost (not a Job past its deadline).
    expect(count(proxy, 'get', 'batch/jobs')).toBeGreaterThan(0);
    await sleep(1500);
    expect(reports).toHaveLength(1);
    stop();
  });

  it('a watch silent past its deadline is abandoned and resumed from where it was', async () => {
    const task = await c.task();
    const { executor, proxy } = await c.executor({ serverTimeoutSeconds: 1, deadlineMarginSeconds: 1, relistSeconds: 600 });
    const reports: Exit[] = [];
    const stop = executor.watchTask(task, (r) => reports.push(r as Exit));
    await until(() => count(proxy, 'watch') > 0, 'the Pod watch');
    proxy.freezeOpenWatches();
    const watches = count(proxy, 'watch');
    const lists = count(proxy, 'list');
    await until(() => count(proxy, 'watch') > watches, 'a new watch', 10_000);
    // Resumed, not relisted: the resourceVersion it had was still good.
    expect(count(proxy, 'list')).toBe(lists);
    await executor.start(attempt(task, 'after', ['exit 4']), noSink);
    expect(await until(() => reports[0], 'the watch’s report')).toMatchObject({ tool: 'after', exitCode: 4 });
    stop();
  });
});
