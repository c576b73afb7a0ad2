/**
 * The Kubernetes API double's Job controller and garbage collector, driven through the real
 * `@kubernetes/client-node`: completion, backoffLimit, podFailurePolicy, activeDeadlineSeconds,
 * ttlSecondsAfterFinished, and deletion with each propagationPolicy.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { JobObject, PodObject } from '../support/kube-double/index.js';
import { tempDir } from '../support/tmp.js';
import { apiError, shJob, startCluster } from './helpers.js';

const { double, batch, core } = await startCluster();
const namespace = 'default';
const tmp = tempDir('kube-double-jobs-');

const condition = (job: JobObject | undefined, type: string) => job?.status.conditions?.find((c) => c.type === type && c.status === 'True');
const jobNamed = (name: string) => double.jobs().find((j) => j.metadata.name === name);
const podsOf = (job: string) => double.pods().filter((p) => p.metadata.labels?.['job-name'] === job);
const running = (p: PodObject | undefined) => p?.status.phase === 'Running' && p.status.containerStatuses?.every((c) => c.state?.running);
const until = <T>(what: string, f: () => T | undefined | false | null, ms = 10_000) => double.waitFor(f, ms, what);
/** A script that exits 0 on SIGTERM and otherwise sleeps long. */
const SLEEP = "trap 'exit 0' TERM; sleep 30 & wait $!";

describe('completion and failure', () => {
  test('a Job running sh -c "echo hi" completes; its Pod is labelled, owned, and exited 0', async () => {
    await batch.createNamespacedJob({ namespace, body: shJob('hello', 'echo hi') });
    await until('hello to complete', () => condition(jobNamed('hello'), 'Complete'));
    const job = await batch.readNamespacedJobStatus({ namespace, name: 'hello' });
    expect(job.status?.succeeded).toBe(1);
    expect(job.status?.failed).toBeUndefined();
    expect(job.status?.startTime).toBeInstanceOf(Date);
    expect(job.status?.completionTime).toBeInstanceOf(Date);
    expect(job.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['SuccessCriteriaMet', 'True', 'CompletionsReached'],
      ['Complete', 'True', 'CompletionsReached'],
    ]);
    const pods = (await core.listNamespacedPod({ namespace, labelSelector: 'batch.kubernetes.io/job-name=hello' })).items;
    expect(pods).toHaveLength(1);
    const pod = pods[0]!;
    expect(pod.metadata?.name).toMatch(/^hello-[a-z0-9]{5}$/);
    expect(pod.metadata?.labels).toMatchObject({ 'job-name': 'hello', 'controller-uid': job.metadata?.uid, 'batch.kubernetes.io/controller-uid': job.metadata?.uid });
    expect(pod.metadata?.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'Job', name: 'hello', uid: job.metadata?.uid, controller: true, blockOwnerDeletion: true }]);
    expect(pod.spec?.nodeName).toBe(double.nodeName);
    expect(pod.status?.phase).toBe('Succeeded');
    expect(pod.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(await core.readNamespacedPodLog({ namespace, name: pod.metadata!.name!, container: 'main' })).toBe('hi\n');
  });

  test('a failed Pod is replaced while failures stay within backoffLimit', async () => {
    const body = shJob('retry', 'if [ -e "$MARKER" ]; then echo second; else touch "$MARKER"; exit 3; fi', { backoffLimit: 2 });
    body.spec!.template.spec!.containers[0]!.env = [{ name: 'MARKER', value: join(tmp, 'retry-marker') }];
    await batch.createNamespacedJob({ namespace, body });
    const job = await until('retry to complete', () => condition(jobNamed('retry'), 'Complete') && jobNamed('retry'));
    expect(job.status).toMatchObject({ succeeded: 1, failed: 1 });
    const exits = podsOf('retry').map((p) => p.status.containerStatuses![0]!.state!.terminated!.exitCode).sort();
    expect(exits).toEqual([0, 3]);
  });

  test('failures past backoffLimit fail the Job with BackoffLimitExceeded', async () => {
    await batch.createNamespacedJob({ namespace, body: shJob('give-up', 'exit 1', { backoffLimit: 1 }) });
    const job = await until('give-up to fail', () => condition(jobNamed('give-up'), 'Failed') && jobNamed('give-up'));
    expect(condition(job, 'Failed')).toMatchObject({ reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect(condition(job, 'FailureTarget')?.reason).toBe('BackoffLimitExceeded');
    expect(job.status.failed).toBe(2);
    expect(podsOf('give-up').map((p) => p.status.phase)).toEqual(['Failed', 'Failed']);
  });

  test('a deleted Pod of a Job with backoffLimit 6 is replaced (the work manager case)', async () => {
    await batch.createNamespacedJob({ namespace, body: shJob('wm', SLEEP, { backoffLimit: 6 }) });
    const first = await until('the first wm Pod to run', () => podsOf('wm').find(running));
    await core.deleteNamespacedPod({ namespace, name: first.metadata.name! });
    const second = await until('a replacement wm Pod to run', () => podsOf('wm').find((p) => p.metadata.name !== first.metadata.name && running(p)));
    await until('the first wm Pod to go', () => !podsOf('wm').some((p) => p.metadata.uid === first.metadata.uid));
    const job = await until('the Job to count the failure', () => jobNamed('wm')?.status.failed === 1 && jobNamed('wm'));
    expect(job.status.active).toBe(1);
    expect(second.metadata.name).toMatch(/^wm-[a-z0-9]{5}$/);
    await batch.deleteNamespacedJob({ namespace, name: 'wm', propagationPolicy: 'Background' });
    await until('the wm Pods to go', () => podsOf('wm').length === 0);
  });

  test('podFailurePolicy FailJob on an exit code fails the Job at once', async () => {
    const rule = (operator: 'In' | 'NotIn', values: number[]) => ({ podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'main', operator, values } }, { action: 'FailJob', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] }, backoffLimit: 3 });
    await batch.createNamespacedJob({ namespace, body: shJob('pfp-in', 'exit 42', rule('In', [42])) });
    await batch.createNamespacedJob({ namespace, body: shJob('pfp-notin', 'exit 7', rule('NotIn', [0])) });
    for (const [name, code] of [['pfp-in', 42], ['pfp-notin', 7]] as const) {
      const job = await until(`${name} to fail`, () => condition(jobNamed(name), 'Failed') && jobNamed(name));
      const pods = podsOf(name);
      expect(pods).toHaveLength(1);
      expect(condition(job, 'Failed')).toMatchObject({ reason: 'PodFailurePolicy', message: `Container main for pod default/${pods[0]!.metadata.name} failed with exit code ${code} matching FailJob rule at index 0` });
    }
  });

  test('podFailurePolicy judges a Pod deleted under a running tool by its final status (exit 143)', async () => {
    await batch.createNamespacedJob({ namespace, body: shJob('pfp-deleted', 'sleep 30', { backoffLimit: 0, podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'NotIn', values: [0] } }] } }) });
    const p = await until('the pfp-deleted Pod to run', () => podsOf('pfp-deleted').find(running));
    await core.deleteNamespacedPod({ namespace, name: p.metadata.name! });
    const job = await until('pfp-deleted to fail', () => condition(jobNamed('pfp-deleted'), 'Failed') && jobNamed('pfp-deleted'));
    expect(condition(job, 'Failed')?.message).toBe(`Container main for pod default/${p.metadata.name} failed with exit code 143 matching FailJob rule at index 0`);
    expect(podsOf('pfp-deleted')).toEqual([]);
  });

  test('podFailurePolicy Ignore on DisruptionTarget replaces an evicted Pod without counting it', async () => {
    await batch.createNamespacedJob({ namespace, body: shJob('ignore', SLEEP, { backoffLimit: 0, podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] } }) });
    const first = await until('the ignore Pod to run', () => podsOf('ignore').find(running));
    double.evict(first.metadata.name!);
    await until('a replacement to run', () => podsOf('ignore').find((p) => p.metadata.uid !== first.metadata.uid && running(p)));
    expect(jobNamed('ignore')!.status.failed).toBeUndefined();
    expect(condition(jobNamed('ignore'), 'Failed')).toBeUndefined();
    await batch.deleteNamespacedJob({ namespace, name: 'ignore', propagationPolicy: 'Background' });
  });

  test('activeDeadlineSeconds fails the Job with DeadlineExceeded and ends its Pod', async () => {
    await batch.createNamespacedJob({ namespace, body: shJob('deadline', 'sleep 30', { activeDeadlineSeconds: 1 }) });
    const job = await until('deadline to fail', () => condition(jobNamed('deadline'), 'Failed') && jobNamed('deadline'));
    expect(condition(job, 'Failed')).toMatchObject({ reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    await until('the deadline Pod to go', () => podsOf('deadline').length === 0);
    expect(double.processes().filter((p) => p.pod.startsWith('deadline-'))).toEqual([]);
  });

  test('ttlSecondsAfterFinished deletes the finished Job and its Pods', async () => {
    await batch.createNamespacedJob({ namespace, body: shJob('ttl', 'true', { ttlSecondsAfterFinished: 1 }) });
    await until('ttl to complete', () => condition(jobNamed('ttl'), 'Complete'));
    await until('ttl and its Pods to go', () => !jobNamed('ttl') && podsOf('ttl').length === 0, 8000);
    expect((await apiError(batch.readNamespacedJob({ namespace, name: 'ttl' }))).code).toBe(404);
  });
});

describe('garbage collection by propagationPolicy', () => {
  const deletedAt = (resource: string, name: string) => double.journal().find((e) => e.type === 'DELETED' && e.resource === resource && e.name === name)?.rv;

  test('Background: the Job goes at once, its Pods after', async () => {
    await batch.createNamespacedJob({ namespace, body: shJob('gc-bg', SLEEP) });
    const pod = await until('the gc-bg Pod to run', () => podsOf('gc-bg').find(running));
    await batch.deleteNamespacedJob({ namespace, name: 'gc-bg', propagationPolicy: 'Background' });
    expect((await apiError(batch.readNamespacedJob({ namespace, name: 'gc-bg' }))).code).toBe(404);
    await until('the gc-bg Pod to go', () => deletedAt('pods', pod.metadata.name!));
    expect(deletedAt('jobs', 'gc-bg')!).toBeLessThan(deletedAt('pods', pod.metadata.name!)!);
    expect(double.processes(pod.metadata.name!)).toEqual([]);
  });

  test('Foreground: the Job waits, with a finalizer, until its Pods are gone', async () => {
    // Its Pod takes a while to end on SIGTERM, so the Job is seen waiting.
    await batch.createNamespacedJob({ namespace, body: shJob('gc-fg', "trap 'sleep 1; exit 0' TERM; echo trapped; sleep 30 & wait $!") });
    const pod = await until('the gc-fg Pod to run', () => podsOf('gc-fg').find(running));
    // Running is not enough: the SIGTERM must come once the shell has set its trap.
    await until('the gc-fg shell to set its trap', () => {
      const log = double.logPath(pod.metadata.name!, 'main');
      return log !== undefined && existsSync(log) && readFileSync(log, 'utf8').includes('trapped');
    });
    await batch.deleteNamespacedJob({ namespace, name: 'gc-fg', body: { propagationPolicy: 'Foreground' } });
    const waiting = await batch.readNamespacedJob({ namespace, name: 'gc-fg' });
    expect(waiting.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    expect(waiting.metadata?.finalizers).toEqual(['foregroundDeletion']);
    await until('gc-fg to go', () => deletedAt('jobs', 'gc-fg'));
    expect(deletedAt('pods', pod.metadata.name!)!).toBeLessThan(deletedAt('jobs', 'gc-fg')!);
  });

  test('Orphan (also the API default for Jobs): the Pod keeps running without its owner', async () => {
    await batch.createNamespacedJob({ namespace, body: shJob('gc-orphan', SLEEP) });
    const pod = await until('the gc-orphan Pod to run', () => podsOf('gc-orphan').find(running));
    await batch.deleteNamespacedJob({ namespace, name: 'gc-orphan' });
    await until('gc-orphan to go', () => deletedAt('jobs', 'gc-orphan'));
    const orphan = await until('the Pod to lose its ownerReference', () => {
      const p = double.get('Pod', pod.metadata.name!) as PodObject | undefined;
      return p && !p.metadata.ownerReferences && p;
    });
    expect(running(orphan)).toBe(true);
    await core.deleteNamespacedPod({ namespace, name: pod.metadata.name!, gracePeriodSeconds: 0 });
  });

  test('an object whose owner is gone (by uid) is collected', async () => {
    const owner = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'owner' } } });
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'dependent', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid! }] } } });
    await core.deleteNamespacedConfigMap({ namespace, name: 'owner' });
    await until('the dependent Secret to go', () => !double.get('Secret', 'dependent'));
  });
});
