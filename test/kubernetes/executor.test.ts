/**
 * The Kubernetes executor against the API double (real HTTP, the real client; Pods run as local
 * processes: the tool container runs TOOL_WRAPPER, the sidecar the built `toolflow sidecar`,
 * reporting to a real report server): Jobs created once, cancels that wait for the Pods, and what
 * the Pod watch reports about attempts the platform ended (image pulls, OOM kills, evictions,
 * unschedulable Pods), each with evidence and each once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolReport } from '../../shared/executor/executor.js';
import { BatchV1Api } from '@kubernetes/client-node';
import { toolJob } from '../../shared/executor/kubernetes/manifests.js';
import { jobName, workManagerJobName } from '../../shared/executor/kubernetes/names.js';
import { ServiceUnavailableError } from '../../shared/errors.js';
import { attemptToken } from '../../shared/reports/attempt-token.js';
import { attemptObjectPrefix } from '../../shared/sidecar/pod-layout.js';
import { UNSCHEDULABLE_MESSAGE } from '../support/kube-double/index.js';
import { attempt, startCluster, until, type Cluster } from './cluster.js';
import { TEST_SECRET } from './fixtures.js';

type Exit = Extract<ToolReport, { kind: 'exit' }>;
let c: Cluster;
const noSink = () => undefined;

beforeAll(async () => {
  c = await startCluster();
});
afterAll(async () => {
  await c?.close();
});

/** The Pods of an attempt's Job in the double. */
const podsOf = (name: string) => c.double.pods('toolflow').filter((p) => p.metadata.labels?.['job-name'] === name);
const toolState = (name: string) => podsOf(name)[0]?.status.containerStatuses?.find((s) => s.name === 'tool')?.state;

/** Follows a task: the reports its watch sends. */
async function follow(taskId: string, watch?: Parameters<Cluster['executor']>[0]) {
  const { executor, proxy } = await c.executor(watch);
  const reports: Exit[] = [];
  const stop = executor.watchTask(taskId, (r) => reports.push(r as Exit));
  return { executor, proxy, reports, stop };
}

describe('KubernetesExecutor against the API double', () => {
  it('start creates the Job, owned by the work-manager Job; a second start is a 409 taken as started; the watch reports the exit once', async () => {
    const task = await c.task();
    const { executor, reports, stop } = await follow(task);
    const req = attempt(task, 'say', ['echo hi > out.txt'], { spec: { outputs: ['out.txt'] } });
    await executor.start(req, noSink);
    await executor.start(req, noSink);
    const name = jobName(task, 'say', 1);
    const jobs = c.double.jobs('toolflow').filter((j) => j.metadata.labels?.['toolflow.io/task'] === task && j.metadata.labels?.['toolflow.io/role'] === 'tool');
    expect(jobs.map((j) => j.metadata.name)).toEqual([name]);
    const wm = c.double.get('Job', workManagerJobName(task), 'toolflow')!;
    expect(jobs[0]!.metadata.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'Job', name: workManagerJobName(task), uid: wm.metadata.uid }]);
    expect(c.double.get('Service', workManagerJobName(task), 'toolflow')).toBeDefined();
    const exit = await until(() => reports[0], 'the watch’s report');
    expect(exit).toMatchObject({ kind: 'exit', taskId: task, tool: 'say', attempt: 1, exitCode: 0, missingOutputs: [] });
    expect(exit.evidence).toMatch(new RegExp(`^pod ${name}-[a-z0-9]+: container tool terminated, reason Completed, exit code 0$`));
    // The sidecar reported the same attempt (Start, Exit) and uploaded the output.
    expect(c.sidecarReports.filter((r) => r.taskId === task).map((r) => r.kind)).toContain('exit');
    expect(await c.objects.head(`${attemptObjectPrefix(task, 'say', 1)}out.txt`)).toBeDefined();
    await c.double.waitFor(() => c.double.jobs('toolflow').find((j) => j.metadata.name === name)?.status?.conditions?.some((x) => x.type === 'Complete'), 20_000, 'the Job complete');
    await new Promise((r) => setTimeout(r, 500));
    expect(reports).toHaveLength(1);
    stop();
  });

  it('a tool that exits 0 without its declared output: the watch names it missing (from the object store)', async () => {
    const task = await c.task();
    const { executor, reports, stop } = await follow(task);
    await executor.start(attempt(task, 'quiet', ['true'], { spec: { outputs: ['result.txt'] } }), noSink);
    expect(await until(() => reports[0], 'the watch’s report')).toMatchObject({ exitCode: 0, missingOutputs: ['result.txt'] });
    stop();
  });

  it('a Job the API refuses is a launch error with the API’s message; an API that does not answer is ServiceUnavailableError', async () => {
    const task = await c.task();
    const { executor, proxy } = await c.executor();
    // NaN bytes make a quantity the API server's validation refuses (422 Invalid).
    const refused = await executor.start(attempt(task, 'bad', ['true'], { resources: { memBytes: Number.NaN } }), noSink).catch((e: unknown) => e as Error);
    expect(refused).toBeInstanceOf(Error);
    expect(refused).not.toBeInstanceOf(ServiceUnavailableError);
    expect((refused as Error).message).toMatch(/^the Kubernetes API refused creating Job tf-[0-9a-f]+-bad-a1 \(422\): .*quantities must match/);
    expect((refused as Error).message).not.toContain(attemptToken(TEST_SECRET, { taskId: task, tool: 'bad', attempt: 1 }));
    proxy.cut();
    const other = await c.task();
    const down = await executor.start(attempt(other, 'later', ['true']), noSink).catch((e: unknown) => e as Error);
    expect(down).toBeInstanceOf(ServiceUnavailableError);
    expect((down as Error).message).toMatch(/^the Kubernetes API did not answer while reading the work-manager Job tf-[0-9a-f]+-wm: /);
    proxy.restore();
    await executor.start(attempt(other, 'later', ['true']), noSink);
    expect(c.double.get('Job', jobName(other, 'later', 1), 'toolflow')).toBeDefined();
  });

  it('cancel deletes the Job and resolves once its Pods are gone; the watch reports a stop, not a loss', async () => {
    const task = await c.task();
    const { executor, reports, stop } = await follow(task);
    await executor.start(attempt(task, 'sleeper', ['sleep 60']), noSink);
    const name = jobName(task, 'sleeper', 1);
    await until(() => toolState(name)?.running, 'the tool running');
    await executor.cancel(task, 'sleeper', 1);
    expect(podsOf(name)).toEqual([]);
    expect(c.double.get('Job', name, 'toolflow')).toBeUndefined();
    const r = await until(() => reports[0], 'the watch’s report');
    expect(r.watchdog).toBeUndefined();
    expect(r.evidence).toMatch(/stopped by toolflow|deleted by toolflow/);
    // Gone already: nothing to stop, and a cancel again is fine.
    expect(await executor.stopLeftover(task, 'sleeper', 1)).toBe(false);
    await executor.cancel(task, 'sleeper', 1, 0);
    stop();
  });

  it('stopLeftover kills a running attempt at once and says it found one', async () => {
    const task = await c.task();
    const { executor } = await c.executor();
    await executor.start(attempt(task, 'left', ['sleep 60']), noSink);
    const name = jobName(task, 'left', 1);
    await until(() => toolState(name)?.running, 'the tool running');
    expect(await executor.stopLeftover(task, 'left', 1)).toBe(true);
    expect(podsOf(name)).toEqual([]);
  });

  it('an image that cannot be pulled: an exit with launchError and evidence, and the Job is deleted', async () => {
    const task = await c.task();
    const undo = c.double.failImagePull(/^broken\.example\//);
    try {
      const { executor, reports, stop } = await follow(task);
      await executor.start(attempt(task, 'pull', ['true'], { spec: { image: 'broken.example/none:1' } }), noSink);
      const r = await until(() => reports[0], 'the watch’s report');
      expect(r.launchError).toMatch(/^container tool \(image broken\.example\/none:1\) cannot start: (ErrImagePull|ImagePullBackOff): /);
      expect(r.evidence).toMatch(/container tool waiting, reason (ErrImagePull|ImagePullBackOff)/);
      await until(() => c.double.get('Job', jobName(task, 'pull', 1), 'toolflow') === undefined, 'the Job deleted');
      stop();
    } finally {
      undo();
    }
  });

  it('an OOM-killed tool container: oomKilled with evidence', async () => {
    const task = await c.task();
    const { executor, reports, stop } = await follow(task);
    const hog = `awk 'BEGIN { s = "x"; while (1) s = s s }'`;
    await executor.start(attempt(task, 'hog', [hog], { resources: { memBytes: 64 * 1024 ** 2 } }), noSink);
    const r = await until(() => reports[0], 'the watch’s report', 60_000);
    expect(r).toMatchObject({ oomKilled: true, signal: 'SIGKILL', peakMemBytes: 64 * 1024 ** 2 });
    expect(r.evidence).toMatch(/container tool terminated, reason OOMKilled, exit code 137(, signal 9)?$/);
    stop();
  });

  it('a Pod no node can take, past the limit: undelivered with the scheduler’s message, and the Job is deleted', async () => {
    const task = await c.task();
    const undo = c.double.holdPending({ 'toolflow.io/task': task, 'toolflow.io/role': 'tool' });
    try {
      const { executor, reports, stop } = await follow(task);
      await executor.start(attempt(task, 'big', ['true']), noSink);
      const r = await until(() => reports[0], 'the watch’s report');
      expect(r.watchdog).toBe('undelivered');
      expect(r.evidence).toContain(UNSCHEDULABLE_MESSAGE);
      await until(() => c.double.get('Job', jobName(task, 'big', 1), 'toolflow') === undefined, 'the Job deleted');
      stop();
    } finally {
      undo();
    }
  });

  it('a Job past its activeDeadlineSeconds: timeout, with the Job controller’s words', async () => {
    const task = await c.task();
    const { reports, stop } = await follow(task);
    // The manifest's own deadline is the time limit + start timeout + grace + 60 s (manifests.test.ts);
    // this Job is the same with a 2 s deadline, created through the API as the executor would.
    const req = attempt(task, 'slow', ['sleep 60'], { resources: { timeSeconds: 1 } });
    const body = toolJob(req, c.settings, { token: attemptToken(TEST_SECRET, req), ownerUid: undefined, reportAddress: c.settings.reportAddress });
    body.spec!.activeDeadlineSeconds = 2;
    const { kubeConfig } = await c.client();
    await kubeConfig.makeApiClient(BatchV1Api).createNamespacedJob({ namespace: 'toolflow', body });
    const r = await until(() => reports[0], 'the watch’s report');
    expect(r.watchdog).toBe('timeout');
    expect(r.evidence).toBe(`job ${jobName(task, 'slow', 1)}: DeadlineExceeded: Job was active longer than specified deadline`);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(reports).toHaveLength(1);
    stop();
  });

  it('a Pod evicted for ephemeral storage: diskFull at ephemeral-storage', async () => {
    const task = await c.task();
    const { executor, reports, stop } = await follow(task);
    await executor.start(attempt(task, 'filler', ['sleep 60'], { resources: { diskBytes: 1024 ** 3 } }), noSink);
    const name = jobName(task, 'filler', 1);
    await until(() => toolState(name)?.running, 'the tool running');
    c.double.evict(podsOf(name)[0]!.metadata.name!, undefined, 'toolflow');
    const r = await until(() => reports[0], 'the watch’s report');
    expect(r.diskFull).toEqual({ path: 'ephemeral-storage', freeBytes: 0, totalBytes: 1024 ** 3, freeInodes: null });
    expect(r.evidence).toMatch(/: evicted: Pod ephemeral local storage usage exceeds/);
    stop();
  });
});
