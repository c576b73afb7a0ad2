/**
 * The Kubernetes API double's kubelet: Pods run as local processes (init containers, native
 * sidecars with startupProbe, env and volume rewriting, memory limits enforced by a cgroup) and the
 * fault switches (image pulls, unschedulable, eviction, a stopped node), through the real
 * `@kubernetes/client-node`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import type { PodObject } from '../support/kube-double/index.js';
import { tempDir } from '../support/tmp.js';
import { startCluster } from './helpers.js';

const { double, core, watch } = await startCluster();
const namespace = 'default';
const tmp = tempDir('kube-double-kubelet-');

const podNamed = (name: string) => double.get('Pod', name) as PodObject | undefined;
const until = <T>(what: string, f: () => T | undefined | false | null, ms = 10_000) => double.waitFor(f, ms, what);
const phase = (name: string, p: string) => until(`${name} to be ${p}`, () => podNamed(name)?.status.phase === p && podNamed(name));
const container = (pod: PodObject | undefined, name: string) => [...(pod?.status.containerStatuses ?? []), ...(pod?.status.initContainerStatuses ?? [])].find((c) => c.name === name);
const sh = (name: string, script: string, extra: Partial<V1Container> = {}): V1Container => ({ name, image: 'busybox:1.36', command: ['/bin/sh', '-c', script], ...extra });
const pod = (name: string, containers: V1Container[], spec: Partial<NonNullable<V1Pod['spec']>> = {}, labels?: Record<string, string>): V1Pod => ({ metadata: { name, ...(labels ? { labels } : {}) }, spec: { restartPolicy: 'Never', containers, ...spec } });
/** /proc/<pid>/stat's state letter (T = stopped). */
const procState = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat[stat.lastIndexOf(')') + 2];
};

describe('containers', () => {
  test('a native sidecar starts before the main container (after its startupProbe) and is SIGTERMed after it ends', async () => {
    // The trap ignores a second TERM: one CI run saw the line written twice, a TERM reaching the shell
    // again while it ran the trap (the signal goes to the container's process group, sleep included).
    // What this test checks is the order, and that the sidecar is stopped after the main container.
    const env = [{ name: 'POD_DIR', value: '/pod' }];
    const volumeMounts = [{ name: 'pod', mountPath: '/pod' }];
    const sidecar = sh('sidecar', `echo sidecar-start >> "$POD_DIR/order"; trap 'trap "" TERM; echo sidecar-term >> "$POD_DIR/order"; exit 0' TERM; sleep 0.3; touch "$POD_DIR/ready"; while :; do sleep 0.05; done`, {
      restartPolicy: 'Always',
      env,
      volumeMounts,
      startupProbe: { exec: { command: ['sh', '-c', 'test -f "$POD_DIR/ready"'] }, periodSeconds: 1, failureThreshold: 100 },
    });
    await core.createNamespacedPod({ namespace, body: pod('with-sidecar', [sh('main', 'echo main >> "$POD_DIR/order"', { env, volumeMounts })], { initContainers: [sidecar], volumes: [{ name: 'pod', emptyDir: {} }] }) });
    const done = await phase('with-sidecar', 'Succeeded');
    expect(readFileSync(join(double.volumePath('with-sidecar', 'pod'), 'order'), 'utf8')).toBe('sidecar-start\nmain\nsidecar-term\n');
    expect(container(done, 'sidecar')?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(container(done, 'sidecar')?.restartCount).toBe(0);
    expect(container(done, 'main')?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(done.status.conditions?.find((c) => c.type === 'Initialized')?.status).toBe('True');
  });

  test('a sidecar that ignores SIGTERM is SIGKILLed after terminationGracePeriodSeconds; the phase follows the main container', async () => {
    const env = [{ name: 'ARMED', value: join(tmp, 'deaf-armed') }];
    const sidecar = sh('sidecar', `trap '' TERM; touch "$ARMED"; while :; do sleep 0.05; done`, { restartPolicy: 'Always', env, startupProbe: { exec: { command: ['sh', '-c', 'test -f "$ARMED"'] }, periodSeconds: 1, failureThreshold: 100 } });
    const body = pod('deaf-sidecar', [sh('main', 'true')], { terminationGracePeriodSeconds: 1, initContainers: [sidecar] });
    await core.createNamespacedPod({ namespace, body });
    const done = await phase('deaf-sidecar', 'Succeeded');
    expect(container(done, 'sidecar')?.state?.terminated).toMatchObject({ exitCode: 137, signal: 9 });
    expect(container(done, 'main')?.state?.terminated?.exitCode).toBe(0);
  });

  test('a sidecar that exits while the main container runs is restarted', async () => {
    const d = join(tmp, 'restart');
    const env = [{ name: 'D', value: d }];
    await core.createNamespacedPod({
      namespace,
      body: pod('sidecar-restart', [sh('main', 'until [ "$(wc -l < "$D/starts")" -ge 2 ]; do sleep 0.05; done', { env })], {
        initContainers: [sh('sidecar', 'mkdir -p "$D"; echo start >> "$D/starts"; [ -e "$D/once" ] || { touch "$D/once"; exit 1; }; exec sleep 30', { restartPolicy: 'Always', env })],
      }),
    });
    const done = await phase('sidecar-restart', 'Succeeded');
    const s = container(done, 'sidecar')!;
    expect(s.restartCount).toBe(1);
    expect(s.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(s.state?.terminated?.exitCode).toBe(143);
    expect(await core.readNamespacedPodLog({ namespace, name: 'sidecar-restart', container: 'sidecar', previous: true })).toBe('');
  });

  test('init containers run in order, each to completion; a failing one fails the Pod before the main container', async () => {
    const f = join(tmp, 'init-order');
    const env = [{ name: 'F', value: f }];
    await core.createNamespacedPod({ namespace, body: pod('inits', [sh('main', 'echo main >> "$F"', { env })], { initContainers: [sh('one', 'sleep 0.1; echo one >> "$F"', { env }), sh('two', 'echo two >> "$F"', { env })] }) });
    await phase('inits', 'Succeeded');
    expect(readFileSync(f, 'utf8')).toBe('one\ntwo\nmain\n');
    await core.createNamespacedPod({ namespace, body: pod('init-fails', [sh('main', 'true')], { initContainers: [sh('bad', 'exit 4')] }) });
    const failed = await phase('init-fails', 'Failed');
    expect(container(failed, 'bad')?.state?.terminated?.exitCode).toBe(4);
    expect(container(failed, 'main')?.state?.waiting?.reason).toBe('PodInitializing');
  });

  test('env: fieldRef, secretKeyRef, configMapKeyRef, envFrom, $(VAR) expansion, mountPath rewriting of values and workingDir', async () => {
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'creds' }, stringData: { key: 's3cr3t' } } });
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'settings' }, data: { level: 'debug', mode: 'fast' } } });
    const main = sh('main', 'mkdir -p "$DATA"; pwd > "$DATA/pwd"; env > "$DATA/env"', {
      workingDir: '/data/wd',
      volumeMounts: [{ name: 'work', mountPath: '/data' }],
      envFrom: [{ configMapRef: { name: 'settings' }, prefix: 'CFG_' }],
      env: [
        { name: 'DATA', value: '/data/sub' },
        { name: 'FLAG', value: '--dir=/data' },
        { name: 'ME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'SECRET', valueFrom: { secretKeyRef: { name: 'creds', key: 'key' } } },
        { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'settings', key: 'level' } } },
        { name: 'REF', value: '$(ME)-x' },
        { name: 'ESCAPED', value: '$$(ME)' },
      ],
    });
    await core.createNamespacedPod({ namespace, body: pod('env-pod', [main], { volumes: [{ name: 'work', emptyDir: {} }] }) });
    await phase('env-pod', 'Succeeded');
    const vol = double.volumePath('env-pod', 'work');
    expect(readFileSync(join(vol, 'sub', 'pwd'), 'utf8').trim()).toBe(join(vol, 'wd'));
    const env = Object.fromEntries(readFileSync(join(vol, 'sub', 'env'), 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(env).toMatchObject({ DATA: join(vol, 'sub'), FLAG: '--dir=/data', ME: 'env-pod', HOSTNAME: 'env-pod', NS: 'default', IP: '127.0.0.1', NODE: double.nodeName, SECRET: 's3cr3t', LEVEL: 'debug', CFG_level: 'debug', CFG_mode: 'fast', REF: 'env-pod-x', ESCAPED: '$(ME)' });
  });

  test('a missing Secret holds the container in CreateContainerConfigError until it exists', async () => {
    await core.createNamespacedPod({ namespace, body: pod('needs-secret', [sh('main', 'test "$V" = later', { env: [{ name: 'V', valueFrom: { secretKeyRef: { name: 'late', key: 'v' } } }] })]) });
    const waiting = await until('the config error', () => container(podNamed('needs-secret'), 'main')?.state?.waiting?.reason === 'CreateContainerConfigError' && podNamed('needs-secret'));
    expect(container(waiting, 'main')?.state?.waiting?.message).toBe('secret "late" not found');
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'late' }, stringData: { v: 'later' } } });
    await phase('needs-secret', 'Succeeded');
  });

  test('a container over its memory limit is OOMKilled with exit code 137', async () => {
    expect(double.memoryMechanism).not.toBe('rlimit');
    await core.createNamespacedPod({ namespace, body: pod('hog', [{ name: 'hog', image: 'busybox', command: ['tail', '/dev/zero'], resources: { limits: { memory: '32Mi' } } }]) });
    const failed = await phase('hog', 'Failed');
    expect(container(failed, 'hog')?.state?.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    expect(failed.status.qosClass).toBe('Burstable');
  });

  test('an executable missing from PATH ends the container with StartError, exit code 128', async () => {
    await core.createNamespacedPod({ namespace, body: pod('no-exec', [{ name: 'main', image: 'busybox', command: ['no-such-tool-here'] }]) });
    const failed = await phase('no-exec', 'Failed');
    expect(container(failed, 'main')?.state?.terminated).toMatchObject({ exitCode: 128, reason: 'StartError' });
    expect(container(failed, 'main')?.state?.terminated?.message).toContain('executable file not found in $PATH');
  });

  test('deletion: SIGTERM, then SIGKILL after gracePeriodSeconds; the DELETED object carries the final status', async () => {
    const armed = join(tmp, 'stubborn-armed');
    await core.createNamespacedPod({ namespace, body: pod('stubborn', [sh('main', `trap '' TERM; touch "$F"; while :; do sleep 0.05; done`, { env: [{ name: 'F', value: armed }] })]) });
    await until('stubborn to ignore SIGTERM', () => existsSync(armed));
    const events: Array<{ type: string; pod: V1Pod }> = [];
    const w = await watch.watch('/api/v1/namespaces/default/pods', { fieldSelector: 'metadata.name=stubborn', resourceVersion: podNamed('stubborn')!.metadata.resourceVersion }, (type, pod) => events.push({ type, pod }), () => {});
    const t0 = Date.now();
    await core.deleteNamespacedPod({ namespace, name: 'stubborn', gracePeriodSeconds: 1 });
    await until('the DELETED event', () => events.some((e) => e.type === 'DELETED'));
    w.abort();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(events[0]!.pod.metadata?.deletionTimestamp).toBeTruthy();
    const last = events.find((e) => e.type === 'DELETED')!.pod;
    expect(last.status?.phase).toBe('Failed');
    expect(last.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 137, signal: 9, reason: 'Error' });
  });
});

describe('faults', () => {
  test('failImagePull: ErrImagePull, then ImagePullBackOff; never runs until undone', async () => {
    const undo = double.failImagePull(/^registry\.invalid\//);
    await core.createNamespacedPod({ namespace, body: pod('bad-image', [{ ...sh('main', 'echo ran'), image: 'registry.invalid/tool:1' }]) });
    await until('ErrImagePull', () => container(podNamed('bad-image'), 'main')?.state?.waiting?.reason === 'ErrImagePull');
    const backoff = await until('ImagePullBackOff', () => container(podNamed('bad-image'), 'main')?.state?.waiting?.reason === 'ImagePullBackOff' && podNamed('bad-image'));
    expect(backoff.status.phase).toBe('Pending');
    expect(double.processes('bad-image')).toEqual([]);
    expect(double.logPath('bad-image', 'main')).toBeUndefined();
    undo();
    await phase('bad-image', 'Succeeded');
    expect(await core.readNamespacedPodLog({ namespace, name: 'bad-image' })).toBe('ran\n');
  });

  test('holdPending: PodScheduled=False, Unschedulable, until released', async () => {
    const release = double.holdPending({ size: 'huge' });
    await core.createNamespacedPod({ namespace, body: pod('too-big', [sh('main', 'true')], {}, { size: 'huge' }) });
    const pending = await until('Unschedulable', () => podNamed('too-big')?.status.conditions?.find((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable') && podNamed('too-big'));
    expect(pending.status.phase).toBe('Pending');
    expect(pending.spec.nodeName).toBeUndefined();
    expect(pending.status.conditions!.find((c) => c.type === 'PodScheduled')).toMatchObject({ status: 'False', message: expect.stringContaining('0/1 nodes are available: 1 Insufficient memory.') });
    release();
    await phase('too-big', 'Succeeded');
  });

  test('evict: containers killed, phase Failed, reason Evicted, DisruptionTarget', async () => {
    await core.createNamespacedPod({ namespace, body: pod('evictee', [sh('main', 'sleep 30')]) });
    await until('evictee to run', () => container(podNamed('evictee'), 'main')?.state?.running);
    double.evict('evictee');
    const failed = await phase('evictee', 'Failed');
    expect(failed.status).toMatchObject({ reason: 'Evicted', message: 'Pod ephemeral local storage usage exceeds the total limit of containers 1Gi.' });
    expect(failed.status.conditions!.find((c) => c.type === 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'TerminationByKubelet' });
    expect(container(failed, 'main')?.state?.terminated?.exitCode).toBe(143);
    expect(double.processes('evictee')).toEqual([]);
  });

  test('stopNode freezes processes and statuses; resumeNode catches up (here: a deletion made meanwhile)', async () => {
    const f = join(tmp, 'ticks');
    await core.createNamespacedPod({ namespace, body: pod('ticker', [sh('main', 'while :; do echo x >> "$F"; sleep 0.05; done', { env: [{ name: 'F', value: f }] })]) });
    await until('ticks', () => existsSync(f) && statSync(f).size > 0);
    double.stopNode();
    const [proc] = double.processes('ticker');
    await until('the process to stop', () => procState(proc!.pid) === 'T', 2000);
    const size = statSync(f).size;
    await core.deleteNamespacedPod({ namespace, name: 'ticker', gracePeriodSeconds: 1 });
    await new Promise((r) => setTimeout(r, 400));
    expect(statSync(f).size).toBe(size);
    const frozen = podNamed('ticker')!;
    expect(frozen.metadata.deletionTimestamp).toBeTruthy();
    expect(frozen.status.phase).toBe('Running');
    double.resumeNode();
    await until('ticker to go after the node resumes', () => !podNamed('ticker'));
    expect(double.processes('ticker')).toEqual([]);
  });
});
