/**
 * The objects cluster mode creates (shared/executor/kubernetes/manifests.ts) and the accounts of
 * knative/cluster/: each validates against the Kubernetes schema (kubernetes-models, generated from
 * the API's OpenAPI document), and what the schema cannot say is checked by hand — name lengths,
 * the native sidecar's fields, podFailurePolicy's need for `restartPolicy: Never`, requests = limits,
 * quantities, where the token goes (Kubernetes docs: "Jobs", "Sidecar Containers", "Resource
 * Management for Pods and Containers").
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { bytesQuantity, cpuQuantity, toolJob, workManagerJob, workManagerService, TOOL_SERVICE_ACCOUNT, WORK_MANAGER_SERVICE_ACCOUNT } from '../../shared/executor/kubernetes/manifests.js';
import { jobName, workManagerJobName } from '../../shared/executor/kubernetes/names.js';
import { POD_DIR, SIDECAR_CONTAINER, TOOL_CONTAINER } from '../../shared/sidecar/pod-layout.js';
import { TOOL_WRAPPER } from '../../shared/sidecar/tool-wrapper.js';
import { parseBytes, parseCpu } from '../../shared/spec/resources.js';
import { loadManifests, type Manifest } from '../deploy/manifests.js';
import { checkSettings } from '../../shared/checks/check-settings.js';
import { tempDir } from '../support/tmp.js';
import { requestFor, settingsFrom } from './fixtures.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const settings = settingsFrom({ TOOLFLOW_S3_BUCKET: 'toolflow', TOOLFLOW_S3_ENDPOINT: 'http://minio.toolflow.svc:9000', TOOLFLOW_S3_REGION: 'us-east-1', TOOLFLOW_LOG_LEVEL: 'info' });
const ctx = { token: 'the-attempt-token-abcdefghijklmnopqrstuvwxyz0123456', ownerUid: '6a1e0a7e-0000-4000-8000-000000000001', reportAddress: 'tf-0123456789ab-wm.toolflow.svc:50051' };
const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const dir = tempDir('toolflow-probe-');
const other = tempDir('toolflow-probe-');

describe('toolJob', () => {
  const request = requestFor();
  const job = toolJob(request, settings, ctx);
  const pod = job.spec!.template.spec!;
  const sidecar = pod.initContainers![0]!;
  const tool = pod.containers[0]!;
  const env = Object.fromEntries(sidecar.env!.map((e) => [e.name, e]));

  it('validates against the Job schema, and a broken Job does not (the check is not vacuous)', () => {
    expect(() => new Job(plain(job) as never).validate()).not.toThrow();
    const broken = plain(job) as { spec: { backoffLimit: unknown } };
    broken.spec.backoffLimit = 'none';
    expect(() => new Job(broken as never).validate()).toThrow(/backoffLimit/);
  });

  it('is named tf-<task>-<tool>-a<n>, labelled and annotated for the watch, and owned by the work-manager Job', () => {
    expect(job.metadata!.name).toBe(jobName(request.taskId, request.tool, request.attempt));
    expect(job.metadata!.name).toMatch(DNS_LABEL);
    expect(job.metadata!.namespace).toBe('toolflow');
    const labels = job.metadata!.labels!;
    expect(labels).toEqual({ 'toolflow.io/task': '0123456789ab', 'toolflow.io/tool': 'align_reads', 'toolflow.io/attempt': '2', 'toolflow.io/role': 'tool', 'app.kubernetes.io/managed-by': 'toolflow' });
    for (const v of Object.values(labels)) expect(v).toMatch(LABEL_VALUE);
    expect(job.metadata!.annotations).toEqual({ 'toolflow.io/tool-name': 'align_reads', 'toolflow.io/task-id': '0123456789ab' });
    // The Pods carry the same, for the Pod watch.
    expect(job.spec!.template.metadata).toEqual({ labels, annotations: job.metadata!.annotations });
    expect(job.metadata!.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'Job', name: workManagerJobName('0123456789ab'), uid: ctx.ownerUid }]);
    expect(toolJob(request, settings, { ...ctx, ownerUid: undefined }).metadata!.ownerReferences).toBeUndefined();
  });

  it('runs one Pod, never retried, failed at once on a tool exit other than 0 or a disruption', () => {
    expect(job.spec!.backoffLimit).toBe(0);
    // podFailurePolicy is refused unless the Pod template's restartPolicy is Never.
    expect(pod.restartPolicy).toBe('Never');
    expect(job.spec!.podFailurePolicy!.rules).toEqual([
      { action: 'FailJob', onExitCodes: { containerName: TOOL_CONTAINER, operator: 'NotIn', values: [0] } },
      { action: 'FailJob', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    ]);
    expect(job.spec!.ttlSecondsAfterFinished).toBe(3600);
    // time limit 600 + start timeout 120 + grace 30 + 60: a backstop behind the work manager's own timer.
    expect(job.spec!.activeDeadlineSeconds).toBe(810);
    expect(toolJob(requestFor({ resources: { timeSeconds: null } }), settings, ctx).spec!.activeDeadlineSeconds).toBeUndefined();
    expect(pod.terminationGracePeriodSeconds).toBe(30);
  });

  it('has the native sidecar first (restartPolicy Always, startupProbe on ready) and the tool container running the wrapper', () => {
    expect(pod.initContainers!.map((c) => c.name)).toEqual([SIDECAR_CONTAINER]);
    expect(pod.containers.map((c) => c.name)).toEqual([TOOL_CONTAINER]);
    expect(sidecar.restartPolicy).toBe('Always');
    expect(sidecar.image).toBe(settings.image);
    expect(sidecar.command).toEqual(['toolflow', 'sidecar']);
    // `abort` too: the wrapper handles it (prints the sidecar's message, exits 127), which needs the tool container started.
    expect(sidecar.startupProbe!.exec!.command).toEqual(['sh', '-c', 'test -f "$TOOLFLOW_POD_DIR/ready" || test -f "$TOOLFLOW_POD_DIR/abort"']);
    expect(sidecar.startupProbe!.failureThreshold! * sidecar.startupProbe!.periodSeconds!).toBe(settings.startTimeoutSeconds);
    expect(tool.command).toEqual(['/bin/sh', '-c', TOOL_WRAPPER]);
    expect(tool.image).toBe('biocontainers/bwa:0.7.17');
    expect(toolJob(requestFor({ spec: { image: null } }), settings, ctx).spec!.template.spec!.containers[0]!.image).toBe('debian:bookworm-slim');
    expect(tool.env).toEqual([{ name: 'TOOLFLOW_POD_DIR', value: POD_DIR }]);
    for (const c of [sidecar, tool]) expect(c.volumeMounts).toEqual([{ name: 'toolflow', mountPath: POD_DIR }]);
    expect(pod.volumes).toEqual([{ name: 'toolflow', emptyDir: {} }]);
  });

  it('the startup probe passes once staging ended (ready or abort), run by sh as the kubelet runs it', () => {
    const probe = () => spawnSync(sidecar.startupProbe!.exec!.command![0]!, sidecar.startupProbe!.exec!.command!.slice(1), { env: { PATH: process.env.PATH, TOOLFLOW_POD_DIR: dir } }).status;
    expect(probe()).not.toBe(0);
    writeFileSync(join(dir, 'abort'), 'staging failed\n');
    expect(probe()).toBe(0);
    writeFileSync(join(other, 'ready'), '');
    expect(spawnSync('sh', ['-c', sidecar.startupProbe!.exec!.command![2]!], { env: { PATH: process.env.PATH, TOOLFLOW_POD_DIR: other } }).status).toBe(0);
  });

  it('gives the tool requests = limits from the request, as Kubernetes quantities', () => {
    expect(tool.resources).toEqual({
      requests: { cpu: '1500m', memory: '512Mi', 'ephemeral-storage': '1000000001' },
      limits: { cpu: '1500m', memory: '512Mi', 'ephemeral-storage': '1000000001' },
    });
    expect(toolJob(requestFor({ resources: { diskBytes: null } }), settings, ctx).spec!.template.spec!.containers[0]!.resources!.limits).not.toHaveProperty('ephemeral-storage');
    expect(sidecar.resources!.requests).toEqual(sidecar.resources!.limits);
    for (const m of [1, 250, 1000, 1500, 64_000]) expect(parseCpu(cpuQuantity(m))).toBe(m);
    for (const b of [1, 1023, 1024 ** 2, 3 * 1024 ** 3, 10 ** 9]) expect(parseBytes(bytesQuantity(b))).toBe(b);
    expect(cpuQuantity(2000)).toBe('2');
    expect(bytesQuantity(3 * 1024 ** 3)).toBe('3072Mi');
  });

  it('gives the sidecar its attempt, report address and token, the object store, and the S3 keys from the Secret', () => {
    expect(JSON.parse(env.TOOLFLOW_ATTEMPT!.value!)).toEqual(request);
    expect(env.TOOLFLOW_POD_DIR!.value).toBe(POD_DIR);
    expect(env.TOOLFLOW_REPORT_ADDRESS!.value).toBe(ctx.reportAddress);
    expect(env.TOOLFLOW_REPORT_TOKEN!.value).toBe(ctx.token);
    expect(env.TOOLFLOW_KEEPALIVE_SECONDS!.value).toBe('30');
    expect([env.TOOLFLOW_S3_BUCKET!.value, env.TOOLFLOW_S3_ENDPOINT!.value, env.TOOLFLOW_S3_REGION!.value, env.TOOLFLOW_LOG_LEVEL!.value]).toEqual(['toolflow', 'http://minio.toolflow.svc:9000', 'us-east-1', 'info']);
    for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
      expect(env[key]).toEqual({ name: key, valueFrom: { secretKeyRef: { name: 'toolflow-secrets', key, optional: true } } });
    }
    // The token is in that one variable only: not in a label, an annotation, the tool's container.
    const text = JSON.stringify(job);
    expect(text.split(ctx.token).length - 1).toBe(1);
    expect(env).not.toHaveProperty('TOOLFLOW_HOME');
    // Without a bucket (Pods on this machine, as in tests), the local objects folder instead.
    const local = toolJob(request, settingsFrom({ TOOLFLOW_HOME: '/tmp/tf-home' }), ctx).spec!.template.spec!.initContainers![0]!.env!;
    expect(local.find((e) => e.name === 'TOOLFLOW_HOME')?.value).toBe('/tmp/tf-home');
    expect(local.map((e) => e.name)).not.toContain('AWS_ACCESS_KEY_ID');
  });

  it('runs under toolflow-tool without a token, hardens the sidecar, and keeps Service variables out of the tool', () => {
    expect(pod.serviceAccountName).toBe(TOOL_SERVICE_ACCOUNT);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.enableServiceLinks).toBe(false);
    expect(sidecar.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 });
    expect(pod.securityContext).toEqual({ fsGroup: 1000 });
  });
});

describe('workManagerJob and workManagerService', () => {
  const job = workManagerJob('0123456789ab', settings);
  const pod = job.spec!.template.spec!;
  const c = pod.containers[0]!;
  const service = workManagerService('0123456789ab', settings, { name: job.metadata!.name!, uid: 'wm-uid-1' });

  it('validate against their schemas', () => {
    expect(() => new Job(plain(job) as never).validate()).not.toThrow();
    expect(() => new Service(plain(service) as never).validate()).not.toThrow();
    const broken = plain(service) as { spec: { ports: { port: unknown }[] } };
    broken.spec.ports[0]!.port = 'fifty';
    expect(() => new Service(broken as never).validate()).toThrow(/port/);
  });

  it('run `toolflow work-manager <task>` with the deployment’s environment, replaced when killed', () => {
    expect(job.metadata!.name).toBe('tf-0123456789ab-wm');
    expect(job.spec!.backoffLimit).toBe(6);
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.serviceAccountName).toBe(WORK_MANAGER_SERVICE_ACCOUNT);
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(c.command).toEqual(['toolflow', 'work-manager', '0123456789ab']);
    expect(c.image).toBe(settings.image);
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'toolflow-config' } }, { secretRef: { name: 'toolflow-secrets' } }]);
    // TOOLFLOW_METRICS_PORT in env wins over the ConfigMap's: the declared port `metrics` is where it listens (pod-metrics.test.ts).
    expect(c.env).toEqual([{ name: 'TOOLFLOW_REPORT_LISTEN', value: '0.0.0.0:50051' }, { name: 'TOOLFLOW_METRICS_PORT', value: '9464' }]);
    expect(c.ports).toEqual([{ name: 'grpc-reports', containerPort: 50051, protocol: 'TCP' }, { name: 'metrics', containerPort: 9464, protocol: 'TCP' }]);
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true });
  });

  it('the Service (a DNS-1035 name) selects the work manager’s Pod and no tool Pod, on the named port, owned by the Job', () => {
    expect(service.metadata!.name).toMatch(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
    expect(service.metadata!.name).toBe(job.metadata!.name);
    const selects = (labels: Record<string, string>) => Object.entries(service.spec!.selector!).every(([k, v]) => labels[k] === v);
    expect(selects(job.spec!.template.metadata!.labels!)).toBe(true);
    expect(selects(toolJob(requestFor(), settings, ctx).spec!.template.metadata!.labels!)).toBe(false);
    expect(service.spec!.ports).toEqual([{ name: 'grpc-reports', port: 50051, targetPort: 'grpc-reports', protocol: 'TCP', appProtocol: 'grpc' }]);
    expect(c.ports![0]!.name).toBe(service.spec!.ports![0]!.targetPort);
    expect(service.metadata!.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'Job', name: 'tf-0123456789ab-wm', uid: 'wm-uid-1' }]);
    // The default report address is this Service.
    expect(settings.reportAddress.replace('{task}', '0123456789ab').replace('{namespace}', 'toolflow')).toBe(`${service.metadata!.name}.toolflow.svc:50051`);
  });
});

describe('knative/cluster/', () => {
  const all = loadManifests('knative/cluster');
  const models: Record<string, new (data: never) => { validate(): void }> = { ServiceAccount, Role, RoleBinding, ConfigMap, CronJob };
  const named = (kind: string, name: string) => all.find((m) => m.kind === kind && m.metadata.name === name);
  type RoleManifest = Manifest & { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };

  it('validates, lives in the toolflow namespace, and holds the two accounts the manifests name', () => {
    expect(all.length).toBe(7); // 20-rbac.yaml's 4, and the periodic check's account, settings and CronJob
    for (const m of all) {
      const { where: _w, ...object } = m;
      expect(() => new models[m.kind]!(object as never).validate(), m.where).not.toThrow();
      expect(m.metadata.namespace, m.where).toBe('toolflow');
      expect(m.metadata.name, m.where).toMatch(DNS_LABEL);
    }
    const tool = named('ServiceAccount', TOOL_SERVICE_ACCOUNT) as Manifest & { automountServiceAccountToken: boolean };
    const wm = named('ServiceAccount', WORK_MANAGER_SERVICE_ACCOUNT) as Manifest & { automountServiceAccountToken: boolean };
    expect([tool.automountServiceAccountToken, wm.automountServiceAccountToken]).toEqual([false, true]);
  });

  it('grants the work manager exactly what it calls, in its namespace, and the tool account nothing', () => {
    const roles = all.filter((m) => m.kind === 'Role') as RoleManifest[];
    expect(roles.map((r) => r.metadata.name)).toEqual([WORK_MANAGER_SERVICE_ACCOUNT]);
    expect(roles[0]!.rules).toEqual([
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['delete', 'get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['delete', 'list', 'watch'] },
    ]);
    const bindings = all.filter((m) => m.kind === 'RoleBinding') as (Manifest & { roleRef: { kind: string; name: string }; subjects: { kind: string; name: string; namespace: string }[] })[];
    expect(bindings.map((b) => [b.roleRef.kind, b.roleRef.name, b.subjects])).toEqual([['Role', WORK_MANAGER_SERVICE_ACCOUNT, [{ kind: 'ServiceAccount', name: WORK_MANAGER_SERVICE_ACCOUNT, namespace: 'toolflow' }]]]);
  });

  it('runs the periodic check every 5 minutes, one at a time, once per schedule, with the notify Secret and its settings file, and no API token', () => {
    type CronManifest = Manifest & { spec: { schedule: string; concurrencyPolicy: string; jobTemplate: { spec: { backoffLimit: number; template: { spec: Record<string, unknown> & { containers: { args: string[]; envFrom: { secretRef: { name: string } }[]; volumeMounts: { name: string; mountPath: string }[] }[]; volumes: { name: string; configMap: { name: string } }[] } } } } } };
    const cron = named('CronJob', 'toolflow-check') as CronManifest;
    expect(cron.spec).toMatchObject({ schedule: '*/5 * * * *', concurrencyPolicy: 'Forbid', jobTemplate: { spec: { backoffLimit: 0 } } });
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect(pod).toMatchObject({ serviceAccountName: 'toolflow-check', automountServiceAccountToken: false, restartPolicy: 'Never' });
    expect((named('ServiceAccount', 'toolflow-check') as Manifest & { automountServiceAccountToken: boolean }).automountServiceAccountToken).toBe(false);
    const [c] = pod.containers;
    expect(c!.envFrom.map((e) => e.secretRef.name)).toEqual(['toolflow-notify']);
    expect(c!.args.slice(0, 2)).toEqual(['toolflow', 'check']);
    // The --config file is the ConfigMap's check.yaml, mounted where the args say; checkSettings takes it.
    const config = c!.args[c!.args.indexOf('--config') + 1]!;
    const mount = c!.volumeMounts.find((m) => config.startsWith(`${m.mountPath}/`))!;
    const volume = pod.volumes.find((v) => v.name === mount.name)!;
    const map = named('ConfigMap', volume.configMap.name) as Manifest & { data: Record<string, string> };
    const file = join(dir, 'check.yaml');
    writeFileSync(file, map.data[config.slice(mount.mountPath.length + 1)]!);
    expect(checkSettings({ config: file }, {})).toEqual({
      prometheus: 'http://prometheus-operated.monitoring.svc:9090',
      namespace: 'toolflow',
      periodSeconds: 900,
      rateWindowSeconds: 120,
      limits: { pendingPods: 0, pendingForSeconds: 600, pods: 200, cpuMillicores: 64_000, memoryBytes: 256 * 1024 ** 3, runningTools: 150, queueDepth: 1000 },
    });
  });

  it('knative/task-host/ lets start-workflow create the work-manager Job and Service, schedule-tool create tool Jobs; both get Jobs', () => {
    const host = loadManifests('knative/task-host');
    const rules = (name: string) => (host.find((m) => m.kind === 'Role' && m.metadata.name === name) as RoleManifest | undefined)?.rules;
    expect(rules('start-workflow')).toEqual([
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get'] },
      { apiGroups: [''], resources: ['services'], verbs: ['create'] },
    ]);
    expect(rules('schedule-tool')).toEqual([{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get'] }]);
  });
});
