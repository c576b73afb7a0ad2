/**
 * Cluster mode under faults, end to end on the local Kubernetes API: the work manager's Pod killed
 * mid-run, a sidecar that stops reporting, a Pod never scheduled, a tool OOMKilled, a Pod evicted
 * for ephemeral storage, an image that cannot be pulled, watches dropped and compacted, a report
 * with another attempt's token. Watchdog times are scaled down (keepalive 1 s, lost after 6 s,
 * start within 15 s: a Pod's start takes a few seconds on a loaded 2-core machine).
 */
import { BatchV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { attemptToken } from '../../shared/reports/attempt-token.js';
import { ReportClient } from '../../shared/reports/report-client.js';
import type { Store, ToolRunRow } from '../../shared/store/store.js';
import { CLUSTER_SECRET, runCli, runInBackground, startClusterStack, type ClusterStack } from '../support/cluster-stack.js';
import { skipped } from '../support/services.js';

const all = !skipped('mysql') && !skipped('rabbitmq') && !skipped('etcd');

describe.skipIf(!all)('cluster mode under faults', () => {
  let stack: ClusterStack;
  let store: Store;
  beforeAll(async () => {
    stack = await startClusterStack(inject('etcdEndpoints'), { keepaliveSeconds: 1, lostAfterSeconds: 6, startTimeoutSeconds: 15 });
    store = await stack.store();
  });
  afterAll(async () => {
    await store?.close();
    await stack?.close();
  });

  /** The attempts of a task, as `tool/attempt/status/reason`. */
  async function attempts(taskId: string): Promise<string[]> {
    return (await store.listToolRuns(taskId)).map((r) => `${r.tool}/${r.attempt}/${r.status}/${r.reason ?? '-'}`);
  }

  async function row(taskId: string, tool: string, attempt: number): Promise<ToolRunRow | undefined> {
    return store.getToolRun({ taskId, tool, attempt });
  }

  /** Waits until the store shows `tool`'s attempt `attempt` running. */
  async function running(taskId: string, tool: string, attempt = 1): Promise<void> {
    for (let i = 0; i < 600; i++) {
      if ((await row(taskId, tool, attempt))?.status === 'running') return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${tool}/${attempt} of ${taskId} never ran\n${stack.dump()}`);
  }

  /** The running Pod of a Job name prefix. */
  function podOf(prefix: string): string {
    const pod = stack.kube.pods('toolflow').find((p) => p.metadata!.name!.startsWith(prefix) && p.status?.phase === 'Running');
    if (!pod) throw new Error(`no running pod ${prefix}…\n${stack.dump()}`);
    return pod.metadata!.name!;
  }

  function signal(pod: string, container: string, sig: NodeJS.Signals): void {
    const p = stack.kube.processes(pod, 'toolflow').find((x) => x.container === container);
    if (!p) throw new Error(`no ${container} process in ${pod}`);
    process.kill(-p.pid, sig);
  }

  async function finished(run: ReturnType<typeof runInBackground>): Promise<{ code: number | null; stderr: string }> {
    const r = await run.done;
    return r;
  }

  it('the work manager killed mid-run: its Pod is replaced, the new one adopts the running tool (no rerun) and finishes the task', async () => {
    const run = runInBackground(stack, 'name: wm-killed\ntools:\n  - {name: slow, cmds: ["sleep 3", "echo done > out.txt"], outputs: [out.txt]}\n  - {name: after, rely: [slow], cmds: ["cat \\"$TF_DEP_slow/out.txt\\" > copy.txt"], outputs: [copy.txt]}\n');
    const taskId = await run.taskId();
    await running(taskId, 'slow');
    const first = podOf(`tf-${taskId}-wm-`);
    signal(first, 'work-manager', 'SIGKILL');
    const r = await finished(run);
    expect(r.code, `${r.stderr}\n${stack.dump()}`).toBe(0);
    expect(await attempts(taskId)).toEqual(['after/1/succeeded/-', 'slow/1/succeeded/-'].sort());
    const wmPods = stack.kube.journal().filter((e) => e.resource === 'pods' && e.type === 'ADDED' && e.name.startsWith(`tf-${taskId}-wm-`));
    expect(wmPods.length).toBe(2);
    expect(await stack.s3Keys(`attempts/${taskId}/after/attempt-1/`)).toContain(`attempts/${taskId}/after/attempt-1/copy.txt`);
  }, 90_000);

  it('a sidecar that stops its keepalives: the attempt is lost and rerun', async () => {
    const run = runInBackground(stack, 'name: silent\ntools:\n  - {name: quiet, cmds: ["sleep 2"]}\n');
    const taskId = await run.taskId();
    await running(taskId, 'quiet');
    signal(podOf(`tf-${taskId}-quiet-a1`), 'toolflow-sidecar', 'SIGSTOP');
    const r = await finished(run);
    expect(r.code, `${r.stderr}\n${stack.dump()}`).toBe(0);
    expect(await attempts(taskId)).toEqual(['quiet/1/failed/lost', 'quiet/2/succeeded/-']);
  }, 90_000);

  it('a Pod no node takes: no Start within the delivery limit is undelivered; the rerun runs once the cluster has room', async () => {
    const release = stack.kube.holdPending('toolflow.io/attempt=1,toolflow.io/role=tool');
    try {
      const run = runInBackground(stack, 'name: pending\ntools:\n  - {name: waits, cmds: ["true"]}\n');
      const taskId = await run.taskId();
      for (let i = 0; i < 600 && (await row(taskId, 'waits', 1))?.status !== 'failed'; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await row(taskId, 'waits', 1)).toMatchObject({ status: 'failed', reason: 'undelivered' });
      const r = await finished(run);
      expect(r.code, `${r.stderr}\n${stack.dump()}`).toBe(0);
      expect(await attempts(taskId)).toEqual(['waits/1/failed/undelivered', 'waits/2/succeeded/-']);
    } finally {
      release();
    }
  }, 90_000);

  it('a Pod deleted under a running tool (gracefully, as kubectl delete pod does): lost and rerun, not the tool\'s own failure', async () => {
    const run = runInBackground(stack, 'name: deleted\ntools:\n  - {name: victim, cmds: ["sleep 3"]}\n');
    const taskId = await run.taskId();
    await running(taskId, 'victim');
    stack.kube.deletePod(podOf(`tf-${taskId}-victim-a1`), { namespace: 'toolflow' });
    const r = await finished(run);
    expect(r.code, `${r.stderr}\n${stack.dump()}`).toBe(0);
    expect(await attempts(taskId)).toEqual(['victim/1/failed/lost', 'victim/2/succeeded/-']);
    expect((await row(taskId, 'victim', 1))!.evidence).toMatch(/went away|deleted|disrupted/);
  }, 90_000);

  it('a Pod evicted under memory pressure: lost and rerun (not an exit of the tool\'s)', async () => {
    const run = runInBackground(stack, 'name: pressure\ntools:\n  - {name: pressed, cmds: ["sleep 3"]}\n');
    const taskId = await run.taskId();
    await running(taskId, 'pressed');
    stack.kube.evict(podOf(`tf-${taskId}-pressed-a1`), 'The node was low on resource: memory.', 'toolflow');
    const r = await finished(run);
    expect(r.code, `${r.stderr}\n${stack.dump()}`).toBe(0);
    expect(await attempts(taskId)).toEqual(['pressed/1/failed/lost', 'pressed/2/succeeded/-']);
    expect((await row(taskId, 'pressed', 1))!.evidence).toMatch(/low on resource: memory/);
  }, 90_000);

  it('commands run under bash where the image has it, as on the local executor: [[ ]] works and a failing pipeline stage fails the tool', async () => {
    const run = runInBackground(stack, 'name: shells\ntools:\n  - {name: brackets, cmds: ["[[ 1 == 1 ]]"]}\n  - {name: pipeline, cmds: ["false | true"], retry: {max: 1}}\n');
    const taskId = await run.taskId();
    const r = await finished(run);
    expect(r.code).toBe(1);
    expect(await attempts(taskId)).toEqual(['brackets/1/succeeded/-', 'pipeline/1/failed/exit']);
  }, 90_000);

  it('toolflow resume of a task whose work-manager Job is gone: recreates the Job, which adopts the running tool', async () => {
    const run = runInBackground(stack, 'name: orphaned\ntools:\n  - {name: slow, cmds: ["sleep 4"]}\n  - {name: next, rely: [slow], cmds: ["true"]}\n');
    const taskId = await run.taskId();
    await running(taskId, 'slow');
    // The Job deleted with its Pods left behind (--cascade=orphan), then its process killed: no work manager at all.
    const kc = new KubeConfig();
    kc.loadFromFile(stack.kube.kubeconfigPath);
    const wmPod = podOf(`tf-${taskId}-wm-`);
    await kc.makeApiClient(BatchV1Api).deleteNamespacedJob({ name: `tf-${taskId}-wm`, namespace: 'toolflow', propagationPolicy: 'Orphan' });
    signal(wmPod, 'work-manager', 'SIGKILL');
    const resumed = await runCli(['resume', taskId, '--json'], stack.env);
    expect(resumed.stderr).toContain(`driven by its work-manager Job tf-${taskId}-wm`);
    expect(resumed.code, `${resumed.stderr}\n${stack.dump()}`).toBe(0);
    expect((await finished(run)).code).toBe(0);
    expect(await attempts(taskId)).toEqual(['next/1/succeeded/-', 'slow/1/succeeded/-']);
  }, 90_000);

  it('a tool whose environment passes what one variable may hold (the sidecar gets the attempt as one): refused at launch, saying why', async () => {
    const big = 'x'.repeat(70_000);
    const run = runInBackground(stack, `name: big-env\ntools:\n  - {name: heavy, env: {A: ${big}, B: ${big}}, cmds: ["true"]}\n`);
    const taskId = await run.taskId();
    expect((await finished(run)).code).toBe(1);
    expect(await attempts(taskId)).toEqual(['heavy/1/failed/config']);
    expect((await row(taskId, 'heavy', 1))!.message).toContain('MAX_ARG_STRLEN');
  }, 90_000);

  it('a tool OOMKilled at its memory limit is rerun with more memory (retry.grow: 4)', async () => {
    const workflow = [
      'name: oom',
      'tools:',
      '  - name: hungry',
      '    mem: 64Mi',
      '    retry: {on: [oom], grow: 4, cap: {mem: 1Gi}}',
      // 60 MB held (about twice that while perl builds it): killed at 64 MiB, fits in 256 MiB.
      `    cmds: ["perl -e '$x = \\"a\\" x (60 * 1000 * 1000); print length($x)' > size.txt"]`,
      '    outputs: [size.txt]',
    ].join('\n');
    const run = runInBackground(stack, `${workflow}\n`);
    const taskId = await run.taskId();
    const r = await finished(run);
    expect(r.code, `${r.stderr}\n${stack.dump()}`).toBe(0);
    expect(await attempts(taskId)).toEqual(['hungry/1/failed/oom', 'hungry/2/succeeded/-']);
    expect((await row(taskId, 'hungry', 2))!.mem_bytes).toBe(256 * 1024 ** 2);
  }, 90_000);

  it('a Pod evicted for ephemeral storage is rerun with more disk, the eviction kept as evidence', async () => {
    const run = runInBackground(stack, 'name: evicted\ntools:\n  - {name: writer, disk: 1Gi, cmds: ["sleep 2"]}\n');
    const taskId = await run.taskId();
    await running(taskId, 'writer');
    stack.kube.evict(podOf(`tf-${taskId}-writer-a1`), undefined, 'toolflow');
    const r = await finished(run);
    expect(r.code, `${r.stderr}\n${stack.dump()}`).toBe(0);
    expect(await attempts(taskId)).toEqual(['writer/1/failed/disk', 'writer/2/succeeded/-']);
    const first = (await row(taskId, 'writer', 1))!;
    expect(first.evidence).toMatch(/evict/i);
    expect((await row(taskId, 'writer', 2))!.disk_bytes).toBe(2 * 1024 ** 3);
  }, 90_000);

  it('an image that cannot be pulled fails the tool at once, naming the image, without a rerun', async () => {
    const undo = stack.kube.failImagePull(/no-such-image/);
    try {
      const run = runInBackground(stack, 'name: bad-image\ntools:\n  - {name: pulled, image: "registry.example.com/no-such-image:1", cmds: ["true"]}\n');
      const taskId = await run.taskId();
      const r = await finished(run);
      expect(r.code).toBe(1);
      expect(await attempts(taskId)).toEqual(['pulled/1/failed/config']);
      const first = (await row(taskId, 'pulled', 1))!;
      expect(first.message).toContain('no-such-image');
      expect(first.evidence).toMatch(/ErrImagePull|ImagePullBackOff/);
    } finally {
      undo();
    }
  }, 90_000);

  it('watches dropped and compacted mid-run (410 Gone): the task still completes, each tool once', async () => {
    const run = runInBackground(stack, 'name: watches\ntools:\n  - {name: one, cmds: ["sleep 1"]}\n  - {name: two, rely: [one], cmds: ["sleep 1"]}\n');
    const taskId = await run.taskId();
    await running(taskId, 'one');
    stack.kube.dropWatches();
    stack.kube.compact();
    await running(taskId, 'two');
    stack.kube.compact();
    stack.kube.dropWatches();
    const r = await finished(run);
    expect(r.code, `${r.stderr}\n${stack.dump()}`).toBe(0);
    expect(await attempts(taskId)).toEqual(['one/1/succeeded/-', 'two/1/succeeded/-']);
  }, 90_000);

  it('toolflow cancel from another terminal: the work manager Job sees it, deletes the running tool\'s Job, the task ends cancelled', async () => {
    const run = runInBackground(stack, 'name: cancelled\ntools:\n  - {name: long, cmds: ["sleep 60"]}\n  - {name: never, rely: [long], cmds: ["true"]}\n');
    const taskId = await run.taskId();
    await running(taskId, 'long');
    const cancel = await runCli(['cancel', taskId], stack.env);
    expect(cancel.code, cancel.stderr).toBe(0);
    const r = await finished(run);
    expect(r.code).toBe(1);
    expect((await store.getTask(taskId))!.status).toBe('cancelled');
    expect(await attempts(taskId)).toEqual(['long/1/cancelled/cancelled', 'never/1/cancelled/cancelled']);
    await stack.kube.waitFor(() => !stack.kube.jobs('toolflow').some((j) => j.metadata!.name === `tf-${taskId}-long-a1`), 20_000, 'the cancelled tool\'s Job deleted');
    await stack.kube.waitFor(() => !stack.kube.pods('toolflow').some((p) => p.metadata!.name!.startsWith(`tf-${taskId}-long-a1`)), 20_000, 'its Pod gone');
  }, 90_000);

  it('a report carrying another attempt\'s token is refused by the work manager', async () => {
    const run = runInBackground(stack, 'name: tokens\ntools:\n  - {name: t, cmds: ["sleep 2"]}\n');
    const taskId = await run.taskId();
    await running(taskId, 't');
    const client = new ReportClient({ address: stack.reportAddress });
    try {
      const exit = { kind: 'exit' as const, taskId, tool: 't', attempt: 1, at: Date.now(), exitCode: 0, signal: null, oomKilled: false, peakMemBytes: null, stderrTail: '', missingOutputs: [] };
      const otherAttempt = attemptToken(CLUSTER_SECRET, { taskId, tool: 't', attempt: 2 });
      expect(await client.send(exit, otherAttempt, { giveUpAfterMs: 5000 })).toBe('refused');
      expect(await client.send(exit, attemptToken('another-secret-0123456789abcdef', { taskId, tool: 't', attempt: 1 }), { giveUpAfterMs: 5000 })).toBe('refused');
    } finally {
      client.close();
    }
    const r = await finished(run);
    expect(r.code).toBe(0);
    // The forged exit changed nothing: the tool ran its 2 s and its own exit was taken.
    const t = (await row(taskId, 't', 1))!;
    expect(t.status).toBe('succeeded');
    expect(Number(t.finished_at) - Number(t.started_at)).toBeGreaterThanOrEqual(1500);
  }, 90_000);
});
