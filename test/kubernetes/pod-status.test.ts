/**
 * Classification of a tool attempt's Pod (shared/executor/kubernetes/pod-status.ts), on Pods written
 * by hand as a kubelet reports them (Kubernetes API reference: PodStatus, ContainerStatus,
 * ContainerState; "Pod Lifecycle"; "Node-pressure Eviction"; Job conditions of "Jobs"), with the
 * Pod's spec and labels from the real tool Job.
 */
import type { V1ContainerStatus, V1Job, V1Pod, V1PodCondition, V1PodStatus } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { toolJob } from '../../shared/executor/kubernetes/manifests.js';
import { jobReport, podReport, unschedulableSince } from '../../shared/executor/kubernetes/pod-status.js';
import { requestFor, settingsFrom } from './fixtures.js';

const request = requestFor();
const job = toolJob(request, settingsFrom(), { token: 't'.repeat(43), ownerUid: 'wm-uid', reportAddress: 'wm:50051' });
const jobName = job.metadata!.name!;
const T0 = Date.parse('2026-03-01T10:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString().replace('.000Z', 'Z');
const ctx = { now: T0 + 100_000, unschedulableSeconds: 60 };

/** A Pod of the tool Job as the API returns it, with `status` (and metadata changes). */
function pod(status: V1PodStatus, meta: Record<string, unknown> = {}): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${jobName}-x7k2p`,
      namespace: 'toolflow',
      uid: 'pod-uid-1',
      resourceVersion: '4711',
      labels: { ...job.spec!.template.metadata!.labels, 'job-name': jobName, 'batch.kubernetes.io/job-name': jobName, 'controller-uid': 'job-uid' },
      annotations: job.spec!.template.metadata!.annotations,
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: jobName, uid: 'job-uid', controller: true, blockOwnerDeletion: true }],
      ...meta,
    },
    spec: job.spec!.template.spec!,
    status,
  } as unknown as V1Pod;
}

const scheduled: V1PodCondition = { type: 'PodScheduled', status: 'True', lastTransitionTime: at(1) as never };
const running = (name: string, since = 5): V1ContainerStatus => ({ name, image: 'img', imageID: '', ready: true, restartCount: 0, started: true, state: { running: { startedAt: at(since) as never } } });
const terminated = (name: string, exitCode: number, reason: string, finished = 50, extra: object = {}): V1ContainerStatus => ({
  name,
  image: 'img',
  imageID: '',
  ready: false,
  restartCount: 0,
  started: false,
  state: { terminated: { exitCode, reason, startedAt: at(5) as never, finishedAt: at(finished) as never, containerID: 'containerd://abc', ...extra } },
});
const waiting = (name: string, reason: string, message: string): V1ContainerStatus => ({ name, image: 'img', imageID: '', ready: false, restartCount: 0, started: false, state: { waiting: { reason, message } } });
const judge = (p: V1Pod, facts = {}) => podReport(p, facts, ctx);

describe('podReport', () => {
  it('says nothing of a Pod that is starting or running', () => {
    expect(judge(pod({ phase: 'Pending', conditions: [scheduled], initContainerStatuses: [running('toolflow-sidecar')], containerStatuses: [waiting('tool', 'PodInitializing', '')] }))).toBeNull();
    expect(judge(pod({ phase: 'Running', conditions: [scheduled], initContainerStatuses: [running('toolflow-sidecar')], containerStatuses: [running('tool')] }))).toBeNull();
  });

  it('reads the exit code of the container named tool, also when another container is listed first', () => {
    const p = pod({
      phase: 'Failed',
      conditions: [scheduled],
      initContainerStatuses: [terminated('toolflow-sidecar', 0, 'Completed', 52)],
      // A mesh's injected container first: containerStatuses[0] is not the tool.
      containerStatuses: [terminated('istio-proxy', 0, 'Completed', 53), terminated('tool', 3, 'Error', 51)],
    });
    expect(judge(p)).toMatchObject({ kind: 'exit', taskId: '0123456789ab', tool: 'align_reads', attempt: 2, exitCode: 3, oomKilled: false, at: T0 + 51_000, evidence: `pod ${jobName}-x7k2p: container tool terminated, reason Error, exit code 3` });
  });

  it('waits for the sidecar (it reports the exit with stderr and outputs) before reporting a tool that ended', () => {
    const ended: V1PodStatus = { phase: 'Running', conditions: [scheduled], containerStatuses: [terminated('tool', 0, 'Completed', 40)] };
    expect(judge(pod({ ...ended, initContainerStatuses: [running('toolflow-sidecar')] }))).toBeNull();
    const r = judge(pod({ ...ended, phase: 'Succeeded', initContainerStatuses: [terminated('toolflow-sidecar', 0, 'Completed', 41)] }));
    expect(r).toMatchObject({ exitCode: 0, missingOutputs: [] });
    expect(r).not.toHaveProperty('watchdog');
  });

  it('OOMKilled on the tool container: oomKilled, SIGKILL, the memory limit as the peak, with evidence', () => {
    const p = pod({ phase: 'Failed', conditions: [scheduled], initContainerStatuses: [terminated('toolflow-sidecar', 0, 'Completed')], containerStatuses: [terminated('tool', 137, 'OOMKilled')] });
    expect(judge(p)).toMatchObject({
      oomKilled: true,
      exitCode: null,
      signal: 'SIGKILL',
      peakMemBytes: 512 * 1024 ** 2,
      memLimitKind: 'cgroup',
      evidence: `pod ${jobName}-x7k2p: container tool terminated, reason OOMKilled, exit code 137`,
    });
    // Even while the sidecar still runs: the sidecar sends no Exit for a tool killed whole.
    expect(judge(pod({ phase: 'Running', initContainerStatuses: [running('toolflow-sidecar')], containerStatuses: [terminated('tool', 137, 'OOMKilled')] }))?.oomKilled).toBe(true);
  });

  it('evicted for ephemeral storage: diskFull at ephemeral-storage, the limit as the total', () => {
    const message = 'Pod ephemeral local storage usage exceeds the total limit of containers 1000000001. ';
    const p = pod({ phase: 'Failed', reason: 'Evicted', message, conditions: [scheduled, { type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message, lastTransitionTime: at(60) as never }], containerStatuses: [terminated('tool', 137, 'Error', 61)] });
    expect(judge(p)).not.toHaveProperty('watchdog');
    expect(judge(p)).toMatchObject({ diskFull: { path: 'ephemeral-storage', freeBytes: 0, totalBytes: 10 ** 9 + 1, freeInodes: null }, evidence: `pod ${jobName}-x7k2p: evicted: Pod ephemeral local storage usage exceeds the total limit of containers 1000000001.` });
    const emptyDir = pod({ phase: 'Failed', reason: 'Evicted', message: 'Usage of EmptyDir volume "toolflow" exceeds the limit "1Gi". ', containerStatuses: [terminated('tool', 137, 'Error')] });
    expect(judge(emptyDir)?.diskFull?.path).toBe('ephemeral-storage');
  });

  it('evicted for memory pressure, or preempted: lost, once the Pod is over', () => {
    const message = 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi. ';
    expect(judge(pod({ phase: 'Failed', reason: 'Evicted', message, containerStatuses: [terminated('tool', 137, 'Error')] }))).toMatchObject({ watchdog: 'lost', evidence: expect.stringContaining('evicted: The node was low on resource: memory') });
    const disruption: V1PodCondition = { type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', message: 'Preempted in order to admit critical pod', lastTransitionTime: at(60) as never };
    const killing = { conditions: [scheduled, disruption], initContainerStatuses: [running('toolflow-sidecar')], containerStatuses: [terminated('tool', 143, 'Error', 61)] };
    expect(judge(pod({ phase: 'Running', ...killing }, { deletionTimestamp: at(90), deletionGracePeriodSeconds: 30 }))).toBeNull();
    expect(judge(pod({ phase: 'Failed', ...killing }, { deletionTimestamp: at(90), deletionGracePeriodSeconds: 30 }))).toMatchObject({ watchdog: 'lost', evidence: `pod ${jobName}-x7k2p: disrupted (PreemptionByScheduler): Preempted in order to admit critical pod` });
  });

  it('an image that cannot be pulled, on the sidecar or the tool, or a bad container config: launchError with evidence', () => {
    const pull = pod({ phase: 'Pending', conditions: [scheduled], initContainerStatuses: [waiting('toolflow-sidecar', 'ErrImagePull', 'failed to pull image "registry.example.com/toolflow/toolflow:0.1.0": not found')], containerStatuses: [waiting('tool', 'PodInitializing', '')] });
    const r = judge(pull)!;
    expect(r.launchError).toBe('container toolflow-sidecar (image registry.example.com/toolflow/toolflow:0.1.0) cannot start: ErrImagePull: failed to pull image "registry.example.com/toolflow/toolflow:0.1.0": not found');
    expect(r.evidence).toBe(`pod ${jobName}-x7k2p: container toolflow-sidecar waiting, reason ErrImagePull: failed to pull image "registry.example.com/toolflow/toolflow:0.1.0": not found`);
    expect(r.exitCode).toBeNull();
    expect(r).not.toHaveProperty('watchdog');
    const backoff = pod({ phase: 'Pending', initContainerStatuses: [running('toolflow-sidecar')], containerStatuses: [waiting('tool', 'ImagePullBackOff', 'Back-off pulling image "biocontainers/bwa:0.7.17"')] });
    expect(judge(backoff)?.launchError).toMatch(/^container tool \(image biocontainers\/bwa:0\.7\.17\) cannot start: ImagePullBackOff/);
    const config = pod({ phase: 'Pending', initContainerStatuses: [waiting('toolflow-sidecar', 'CreateContainerConfigError', 'secret "toolflow-secrets" not found')] });
    expect(judge(config)?.launchError).toContain('CreateContainerConfigError: secret "toolflow-secrets" not found');
    // A waiting reason that passes (ContainerCreating) is nothing yet.
    expect(judge(pod({ phase: 'Pending', initContainerStatuses: [waiting('toolflow-sidecar', 'ContainerCreating', '')] }))).toBeNull();
  });

  it('unschedulable: nothing under the limit, undelivered over it, and the time it became so', () => {
    const message = '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';
    const stuck = (since: number) => pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastTransitionTime: at(since) as never }] });
    expect(unschedulableSince(stuck(50))).toBe(T0 + 50_000);
    expect(judge(stuck(50))).toBeNull(); // 50 s of 60
    expect(judge(stuck(30))).toMatchObject({ watchdog: 'undelivered', evidence: `pod ${jobName}-x7k2p: unschedulable for 70 s: ${message}` });
    expect(unschedulableSince(pod({ phase: 'Pending', conditions: [scheduled] }))).toBeUndefined();
  });

  it('a Pod that vanished under a running tool is lost; a Pod toolflow deleted is an ordinary end', () => {
    const live = pod({ phase: 'Running', initContainerStatuses: [running('toolflow-sidecar')], containerStatuses: [running('tool')] });
    expect(judge(live, { deleted: true })).toMatchObject({ watchdog: 'lost', evidence: `pod ${jobName}-x7k2p: deleted (phase Running) before container tool ended` });
    expect(judge(live, { deleted: true, cancelled: true })).toMatchObject({ exitCode: null, evidence: expect.stringContaining('deleted by toolflow') });
    expect(judge(live, { deleted: true, cancelled: true })).not.toHaveProperty('watchdog');
    const stopped = pod({ phase: 'Failed', initContainerStatuses: [terminated('toolflow-sidecar', 0, 'Completed', 70)], containerStatuses: [terminated('tool', 143, 'Error', 70)] }, { deletionTimestamp: at(95), deletionGracePeriodSeconds: 30 });
    expect(judge(stopped, { cancelled: true })).toMatchObject({ exitCode: 143, evidence: expect.stringContaining('(stopped by toolflow)') });
    expect(judge(stopped, { cancelled: true })).not.toHaveProperty('watchdog');
    expect(judge(stopped, { deleted: true })).toMatchObject({ watchdog: 'lost', evidence: expect.stringContaining('killed as its Pod went away') });
    // A tool that had ended before the deletion was asked for (TTL, garbage collection) ended on its own.
    const done = pod({ phase: 'Succeeded', initContainerStatuses: [terminated('toolflow-sidecar', 0, 'Completed', 41)], containerStatuses: [terminated('tool', 0, 'Completed', 40)] }, { deletionTimestamp: at(95), deletionGracePeriodSeconds: 30 });
    expect(judge(done, { deleted: true })).toMatchObject({ exitCode: 0 });
    expect(judge(done, { deleted: true })).not.toHaveProperty('watchdog');
    // A node that was lost: the kubelet never told the container's end.
    const unknown = pod({ phase: 'Failed', containerStatuses: [terminated('tool', 137, 'ContainerStatusUnknown', 80, { message: 'The container could not be located when the pod was terminated' })] });
    expect(judge(unknown)).toMatchObject({ watchdog: 'lost', evidence: expect.stringContaining('lost with its node') });
  });

  it('a Job past its activeDeadlineSeconds: timeout, from the Job alone or for its Pod', () => {
    const failed: V1Job = { ...job, status: { conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline', lastTransitionTime: at(90) as never }] } };
    expect(jobReport(failed, ctx)).toMatchObject({ kind: 'exit', tool: 'align_reads', attempt: 2, watchdog: 'timeout', evidence: `job ${jobName}: DeadlineExceeded: Job was active longer than specified deadline` });
    expect(jobReport(job, ctx)).toBeNull();
    const killed = pod({ phase: 'Failed', containerStatuses: [terminated('tool', 143, 'Error', 91)] }, { deletionTimestamp: at(120), deletionGracePeriodSeconds: 30 });
    expect(judge(killed, { deleted: true, job: failed })).toMatchObject({ watchdog: 'timeout' });
    // FailureTarget (Kubernetes 1.31+: set before the Pods are terminated) says the same.
    const target: V1Job = { ...job, status: { conditions: [{ type: 'FailureTarget', status: 'True', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' }] } };
    expect(jobReport(target, ctx)?.watchdog).toBe('timeout');
  });

  it('reads timestamps as Dates (typed list calls) the same as strings (watch events), and ignores Pods that are not toolflow attempts', () => {
    const asDate = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: 'no nodes', lastTransitionTime: new Date(T0) }] });
    expect(judge(asDate)?.watchdog).toBe('undelivered');
    const foreign = pod({ phase: 'Failed', containerStatuses: [terminated('tool', 1, 'Error')] }, { annotations: {}, labels: { app: 'other' } });
    expect(judge(foreign)).toBeNull();
    const wm = pod({ phase: 'Failed', containerStatuses: [terminated('tool', 1, 'Error')] }, { labels: { ...job.spec!.template.metadata!.labels, 'toolflow.io/role': 'work-manager' } });
    expect(judge(wm)).toBeNull();
  });
});
