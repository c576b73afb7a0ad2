/**
 * The Kubernetes objects of cluster mode, as plain objects typed with the client's models: a tool
 * attempt's Job (tool container + native sidecar, `shared/sidecar/pod-layout.ts`), a task's
 * work-manager Job, and the Service sidecars report to. Field rules and their sources: Kubernetes
 * docs "Jobs" (backoffLimit, podFailurePolicy — which needs `restartPolicy: Never` —,
 * activeDeadlineSeconds, ttlSecondsAfterFinished), "Sidecar Containers" (an init container with
 * `restartPolicy: Always`; the regular containers start once its startupProbe succeeds), "Resource
 * Management for Pods and Containers" (quantities; requests = limits for cpu and memory make the
 * Pod Guaranteed, the last to be evicted), "Owners and Dependents" (ownerReferences).
 */
import type { V1Container, V1EnvVar, V1Job, V1OwnerReference, V1SecurityContext, V1Service } from '@kubernetes/client-node';
import type { AttemptRequest } from '../executor.js';
import { POD_DIR, POD_DIR_ENV, POD_VOLUME, PodFile, SIDECAR_CONTAINER, TOOL_CONTAINER } from '../../sidecar/pod-layout.js';
import { TOOL_WRAPPER } from '../../sidecar/tool-wrapper.js';
import { Annotation, jobName, Label, labelValue, MANAGED_BY, workManagerJobName } from './names.js';
import { metricsEnv, metricsPorts } from './pod-metrics.js';
import type { KubernetesSettings } from './settings.js';

/** ServiceAccount of tool Pods: it is granted nothing, and its token is not mounted. */
export const TOOL_SERVICE_ACCOUNT = 'toolflow-tool';
/** ServiceAccount of work-manager Pods (knative/cluster/: watches and deletes the task's Jobs and Pods). */
export const WORK_MANAGER_SERVICE_ACCOUNT = 'toolflow-work-manager';
/** Name of the work manager's container and of its report port. */
export const WORK_MANAGER_CONTAINER = 'work-manager';
export const REPORT_PORT_NAME = 'grpc-reports';
/** Uid and gid of toolflow's image (`USER node` in the Dockerfile): runAsNonRoot needs a number. */
export const TOOLFLOW_UID = 1000;
/** Seconds a tool Job's `activeDeadlineSeconds` leaves beyond the time limit, start timeout and grace. */
export const DEADLINE_MARGIN_SECONDS = 60;
/** Resources of the sidecar (requests = limits): staging, uploads, reports. */
export const SIDECAR_RESOURCES = { cpu: '250m', memory: '256Mi' } as const;
/** Requests of the work manager (no limits: a big workflow's state may need more). */
export const WORK_MANAGER_REQUESTS = { cpu: '100m', memory: '256Mi' } as const;

/** The sidecar's startupProbe (`sh -c`): staging ended, well (`ready`) or not (`abort`). */
export const STARTUP_PROBE = `test -f "$${POD_DIR_ENV}/${PodFile.ready}" || test -f "$${POD_DIR_ENV}/${PodFile.abort}"`;

/** Cpu millicores as a Kubernetes quantity: `1500m`, `2` for whole cores. */
export function cpuQuantity(millicores: number): string {
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

/** Bytes as a Kubernetes quantity: `512Mi` when a whole number of MiB, else the plain number of bytes. */
export function bytesQuantity(bytes: number): string {
  const mi = 1024 ** 2;
  return bytes % mi === 0 ? `${bytes / mi}Mi` : String(bytes);
}

/** Hardening of toolflow's own containers: no privilege escalation, no capabilities, not root. */
function hardened(): V1SecurityContext {
  return { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, runAsUser: TOOLFLOW_UID, runAsGroup: TOOLFLOW_UID };
}

function labelsOf(taskId: string, role: 'tool' | 'work-manager', tool?: { name: string; attempt: number }): Record<string, string> {
  return {
    [Label.task]: labelValue(taskId),
    ...(tool ? { [Label.tool]: labelValue(tool.name), [Label.attempt]: String(tool.attempt) } : {}),
    [Label.role]: role,
    [Label.managedBy]: MANAGED_BY,
  };
}

function ownedBy(name: string, uid: string): V1OwnerReference[] {
  return [{ apiVersion: 'batch/v1', kind: 'Job', name, uid }];
}

/** What a tool Job needs beyond the request and the settings. */
export interface ToolJobContext {
  /** The attempt's report token (`attemptToken`), given to the sidecar inline. */
  token: string;
  /** Uid of the task's work-manager Job, the tool Job's owner (garbage-collected with it); undefined: no owner. */
  ownerUid: string | undefined;
  /** `host:port` the sidecar reports to. */
  reportAddress: string;
}

/** The sidecar's environment (the Sidecar section of notes/issue9.md). */
function sidecarEnv(request: AttemptRequest, settings: KubernetesSettings, ctx: ToolJobContext): V1EnvVar[] {
  const value = (name: string, v: string | number | undefined): V1EnvVar[] => (v === undefined ? [] : [{ name, value: String(v) }]);
  const fromSecret = (name: string): V1EnvVar => ({ name, valueFrom: { secretKeyRef: { name: settings.secret, key: name, optional: true } } });
  return [
    { name: POD_DIR_ENV, value: POD_DIR },
    { name: 'TOOLFLOW_ATTEMPT', value: JSON.stringify(request) },
    { name: 'TOOLFLOW_REPORT_ADDRESS', value: ctx.reportAddress },
    { name: 'TOOLFLOW_REPORT_TOKEN', value: ctx.token },
    { name: 'TOOLFLOW_KEEPALIVE_SECONDS', value: String(settings.keepaliveSeconds) },
    ...value('TOOLFLOW_REPORT_WAIT_SECONDS', settings.reportWaitSeconds),
    ...value('TOOLFLOW_S3_BUCKET', settings.s3?.bucket),
    ...value('TOOLFLOW_S3_ENDPOINT', settings.s3?.endpoint),
    ...value('TOOLFLOW_S3_REGION', settings.s3?.region),
    ...value('TOOLFLOW_HOME', settings.s3 ? undefined : settings.localHome),
    ...value('TOOLFLOW_LOG_LEVEL', settings.logLevel),
    ...(settings.s3 ? [fromSecret('AWS_ACCESS_KEY_ID'), fromSecret('AWS_SECRET_ACCESS_KEY')] : []),
    ...metricsEnv(settings.sidecarMetrics),
  ];
}

/**
 * `activeDeadlineSeconds` of a tool Job: time limit + start timeout + termination grace + 60 s, a
 * backstop (the work manager's own timer stops the attempt first); undefined without a time limit.
 */
export function toolDeadlineSeconds(request: AttemptRequest, settings: KubernetesSettings): number | undefined {
  const limit = request.resources.timeSeconds;
  return limit === null ? undefined : limit + settings.startTimeoutSeconds + settings.terminationGraceSeconds + DEADLINE_MARGIN_SECONDS;
}

/**
 * The Job of one attempt, `tf-<task>-<tool>-a<n>` in the settings' namespace: the tool container
 * `tool` (`request.spec.image` or the default tool image, `sh -c TOOL_WRAPPER`, requests = limits
 * from `request.resources`) and the native sidecar `toolflow-sidecar` (toolflow's image, `toolflow
 * sidecar`, `/metrics` on port 9465 `metrics`: `pod-metrics.ts`), sharing an `emptyDir` at
 * `POD_DIR`. One Pod, never retried by the Job controller (`backoffLimit: 0`; toolflow reruns as a
 * new attempt), failed at once when the tool exits non-zero or the Pod is disrupted
 * (`podFailurePolicy`).
 */
export function toolJob(request: AttemptRequest, settings: KubernetesSettings, ctx: ToolJobContext): V1Job {
  const { taskId, tool, attempt, resources } = request;
  const labels = labelsOf(taskId, 'tool', { name: tool, attempt });
  const annotations = { [Annotation.toolName]: tool, [Annotation.taskId]: taskId };
  const limits: Record<string, string> = { cpu: cpuQuantity(resources.cpuMillicores), memory: bytesQuantity(resources.memBytes) };
  if (resources.diskBytes !== null) limits['ephemeral-storage'] = bytesQuantity(resources.diskBytes);
  const mount = [{ name: POD_VOLUME, mountPath: POD_DIR }];
  const sidecarPorts = metricsPorts(settings.sidecarMetrics);
  const sidecar: V1Container = {
    name: SIDECAR_CONTAINER,
    image: settings.image,
    restartPolicy: 'Always',
    command: ['toolflow', 'sidecar'],
    env: sidecarEnv(request, settings, ctx),
    // `/metrics` for the PodMonitor toolflow-sidecars (knative/monitoring/30-pod-monitor.yaml).
    ...(sidecarPorts.length ? { ports: sidecarPorts } : {}),
    volumeMounts: mount,
    // The tool container starts once staging is done (`ready`), or failed (`abort`: the wrapper then
    // prints why and exits 127, which ends the Pod); the window is the start timeout.
    startupProbe: { exec: { command: ['sh', '-c', STARTUP_PROBE] }, periodSeconds: 1, failureThreshold: Math.max(1, settings.startTimeoutSeconds) },
    resources: { requests: { ...SIDECAR_RESOURCES }, limits: { ...SIDECAR_RESOURCES } },
    securityContext: hardened(),
  };
  const toolContainer: V1Container = {
    name: TOOL_CONTAINER,
    image: request.spec.image ?? settings.toolImage,
    command: ['/bin/sh', '-c', TOOL_WRAPPER],
    env: [{ name: POD_DIR_ENV, value: POD_DIR }, ...(settings.reportWaitSeconds === undefined ? [] : [{ name: 'TOOLFLOW_REPORT_WAIT_SECONDS', value: String(settings.reportWaitSeconds) }])],
    volumeMounts: mount,
    resources: { requests: { ...limits }, limits },
  };
  const deadline = toolDeadlineSeconds(request, settings);
  const wm = workManagerJobName(taskId);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName(taskId, tool, attempt),
      namespace: settings.namespace,
      labels,
      annotations,
      ...(ctx.ownerUid ? { ownerReferences: ownedBy(wm, ctx.ownerUid) } : {}),
    },
    spec: {
      backoffLimit: 0,
      ...(deadline === undefined ? {} : { activeDeadlineSeconds: deadline }),
      ttlSecondsAfterFinished: settings.jobTtlSeconds,
      podFailurePolicy: {
        rules: [
          { action: 'FailJob', onExitCodes: { containerName: TOOL_CONTAINER, operator: 'NotIn', values: [0] } },
          { action: 'FailJob', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        ],
      },
      template: {
        metadata: { labels, annotations },
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: TOOL_SERVICE_ACCOUNT,
          automountServiceAccountToken: false,
          // No `<SERVICE>_SERVICE_HOST` variables: one per Service of the namespace (a work manager's per task) would crowd the tool's environment.
          enableServiceLinks: false,
          terminationGracePeriodSeconds: settings.terminationGraceSeconds,
          // The shared volume's group: the sidecar (uid 1000) and a tool of any uid can both write what the other reads.
          securityContext: { fsGroup: TOOLFLOW_UID },
          volumes: [{ name: POD_VOLUME, emptyDir: {} }],
          initContainers: [sidecar],
          containers: [toolContainer],
        },
      },
    },
  };
}

/**
 * A task's work-manager Job `tf-<task>-wm`: one Pod running `toolflow work-manager <task>` with the
 * deployment's environment (`envFrom` the ConfigMap and the Secret), serving reports on port 50051
 * (`grpc-reports`) and `/metrics` on port 9464 (`metrics`, `TOOLFLOW_METRICS_PORT`: `pod-metrics.ts`).
 * A killed work manager's Pod is replaced (`backoffLimit: 6`); the new one adopts the attempts in
 * flight.
 */
export function workManagerJob(taskId: string, settings: KubernetesSettings): V1Job {
  const labels = labelsOf(taskId, 'work-manager');
  const annotations = { [Annotation.taskId]: taskId };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: workManagerJobName(taskId), namespace: settings.namespace, labels, annotations },
    spec: {
      backoffLimit: 6,
      ttlSecondsAfterFinished: settings.jobTtlSeconds,
      template: {
        metadata: { labels, annotations },
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: WORK_MANAGER_SERVICE_ACCOUNT,
          automountServiceAccountToken: true,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: settings.terminationGraceSeconds,
          containers: [
            {
              name: WORK_MANAGER_CONTAINER,
              image: settings.image,
              command: ['toolflow', 'work-manager', taskId],
              envFrom: [{ configMapRef: { name: settings.configMap } }, { secretRef: { name: settings.secret } }],
              env: [{ name: 'TOOLFLOW_REPORT_LISTEN', value: `0.0.0.0:${settings.reportPort}` }, ...metricsEnv(settings.workManagerMetrics)],
              // `/metrics` on `metrics` for the PodMonitor toolflow-work-managers (knative/monitoring/30-pod-monitor.yaml).
              ports: [{ name: REPORT_PORT_NAME, containerPort: settings.reportPort, protocol: 'TCP' }, ...metricsPorts(settings.workManagerMetrics)],
              // In the Service's endpoints once the report server listens.
              readinessProbe: { tcpSocket: { port: REPORT_PORT_NAME }, periodSeconds: 2 },
              resources: { requests: { ...WORK_MANAGER_REQUESTS } },
              securityContext: hardened(),
            },
          ],
        },
      },
    },
  };
}

/**
 * The Service `tf-<task>-wm` in front of the work manager's Pod (port 50051 `grpc-reports`), owned
 * by the work-manager Job (deleted with it).
 * @param owner the work-manager Job's name and uid.
 */
export function workManagerService(taskId: string, settings: KubernetesSettings, owner: { name: string; uid: string }): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: workManagerJobName(taskId),
      namespace: settings.namespace,
      labels: labelsOf(taskId, 'work-manager'),
      annotations: { [Annotation.taskId]: taskId },
      ownerReferences: ownedBy(owner.name, owner.uid),
    },
    spec: {
      type: 'ClusterIP',
      selector: { [Label.task]: labelValue(taskId), [Label.role]: 'work-manager' },
      ports: [{ name: REPORT_PORT_NAME, port: settings.reportPort, targetPort: REPORT_PORT_NAME, protocol: 'TCP', appProtocol: 'grpc' }],
    },
  };
}
