/**
 * TEST DOUBLE of the Kubernetes API (see ./README.md): the defaults the API server fills in on
 * create (pkg/apis/core/v1/defaults.go, pkg/apis/batch/v1/defaults.go, the Job strategy's
 * generated selector and labels, the ServiceAccount admission's default account, the
 * DefaultTolerationSeconds admission), so objects read back look as from a real cluster.
 */
import { randomBytes } from 'node:crypto';
import { parseQuantity } from './quantity.js';
import type { IContainer, IProbe, JobObject, KubeObject, PodObject } from './types.js';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';

/** Labels the Job controller's objects carry (KEP-3326 names plus the legacy ones). */
export const JOB_LABELS = { controllerUid: 'batch.kubernetes.io/controller-uid', jobName: 'batch.kubernetes.io/job-name', legacyControllerUid: 'controller-uid', legacyJobName: 'job-name' } as const;

function probeDefaults(p: IProbe | undefined): void {
  if (!p) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
}

function containerDefaults(c: IContainer): void {
  const tag = /:([\w][\w.-]*)$/.exec(c.image?.split('/').pop() ?? '')?.[1];
  c.imagePullPolicy ??= c.image?.includes('@') || (tag && tag !== 'latest') ? 'IfNotPresent' : 'Always';
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  // Requests default to limits when unset (defaults.go: SetDefaults_Pod).
  if (c.resources.limits) c.resources.requests = { ...c.resources.limits, ...(c.resources.requests ?? {}) };
  for (const port of c.ports ?? []) port.protocol ??= 'TCP';
  for (const e of c.env ?? []) if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ??= 'v1';
  probeDefaults(c.startupProbe);
  probeDefaults(c.readinessProbe);
  probeDefaults(c.livenessProbe);
}

/** Defaults of a Pod spec (also a Job's template). */
export function podSpecDefaults(spec: IPodSpec): void {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  spec.enableServiceLinks ??= true;
  spec.priority ??= 0;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) containerDefaults(c);
  for (const v of spec.volumes ?? []) {
    if (!Object.keys(v).some((k) => k !== 'name')) v.emptyDir = {};
  }
}

/** Guaranteed (requests = limits for cpu and memory in every container), Burstable or BestEffort. */
export function qosClass(spec: IPodSpec): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const cs = [...(spec.initContainers ?? []), ...spec.containers];
  const any = cs.some((c) => Object.keys(c.resources?.requests ?? {}).length > 0 || Object.keys(c.resources?.limits ?? {}).length > 0);
  if (!any) return 'BestEffort';
  const guaranteed = cs.every((c) =>
    ['cpu', 'memory'].every((r) => {
      const l = c.resources?.limits?.[r];
      const q = c.resources?.requests?.[r];
      return l !== undefined && parseQuantity(l) === parseQuantity(q ?? l);
    }),
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function podDefaults(pod: PodObject): void {
  podSpecDefaults(pod.spec);
  // DefaultTolerationSeconds admission.
  const tolerations = (pod.spec.tolerations ??= []);
  for (const k of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    if (!tolerations.some((t) => t.key === k)) tolerations.push({ key: k, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  }
  pod.status = { phase: 'Pending', qosClass: qosClass(pod.spec) };
}

function jobDefaults(job: JobObject): void {
  const s = job.spec;
  if (s.completions === undefined && s.parallelism === undefined) s.completions = 1;
  s.parallelism ??= 1;
  s.backoffLimit ??= 6;
  s.completionMode ??= 'NonIndexed';
  s.suspend ??= false;
  s.podReplacementPolicy ??= s.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  const uid = job.metadata.uid!;
  const name = job.metadata.name!;
  const tmeta = (s.template.metadata ??= {});
  tmeta.labels = { ...(tmeta.labels ?? {}), [JOB_LABELS.controllerUid]: uid, [JOB_LABELS.jobName]: name, [JOB_LABELS.legacyControllerUid]: uid, [JOB_LABELS.legacyJobName]: name };
  if (!s.manualSelector) s.selector = { matchLabels: { [JOB_LABELS.controllerUid]: uid } };
  if (!job.metadata.labels || Object.keys(job.metadata.labels).length === 0) job.metadata.labels = { ...tmeta.labels };
  podSpecDefaults(s.template.spec!);
  job.status = {};
}

/** The next free address of the service CIDR 10.96.0.0/12 (not routed: processes reach each other on 127.0.0.1). */
let nextServiceIp = 10;

function serviceDefaults(svc: KubeObject): void {
  const spec = (svc.spec ??= {}) as Record<string, unknown> & { ports?: Array<Record<string, unknown>>; clusterIP?: string; type?: string };
  spec.type ??= 'ClusterIP';
  if (spec.clusterIP !== 'None') {
    spec.clusterIP ??= `10.96.${Math.floor(nextServiceIp / 250)}.${(nextServiceIp % 250) + 1}`;
    nextServiceIp++;
  }
  spec.clusterIPs ??= [spec.clusterIP];
  spec.sessionAffinity ??= 'None';
  spec.ipFamilies ??= ['IPv4'];
  spec.ipFamilyPolicy ??= 'SingleStack';
  spec.internalTrafficPolicy ??= 'Cluster';
  for (const p of spec.ports ?? []) {
    p.protocol ??= 'TCP';
    p.targetPort ??= p.port;
  }
  svc.status = { loadBalancer: {} };
}

function secretDefaults(secret: KubeObject): void {
  secret.type ??= 'Opaque';
  const stringData = secret.stringData as Record<string, string> | undefined;
  if (stringData) {
    const data = (secret.data ??= {}) as Record<string, string>;
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(v, 'utf8').toString('base64');
    delete secret.stringData;
  }
}

/** Fills in the create-time defaults of `resource` (in place). `metadata.uid` must be set already. */
export function applyCreateDefaults(resource: string, obj: KubeObject): void {
  if (resource === 'pods') podDefaults(obj as PodObject);
  else if (resource === 'jobs') jobDefaults(obj as JobObject);
  else if (resource === 'services') serviceDefaults(obj);
  else if (resource === 'secrets') secretDefaults(obj);
  else if (resource === 'namespaces') {
    obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name! };
    obj.spec = { finalizers: ['kubernetes'] };
    obj.status = { phase: 'Active' };
  }
}

/** Letters of `k8s.io/apimachinery/pkg/util/rand.String` (no vowels, no confusable digits). */
const RAND_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `n` random characters of the API server's name alphabet (a subset of [a-z0-9]). */
export function randomSuffix(n = 5): string {
  const bytes = randomBytes(n);
  return [...bytes].map((b) => RAND_ALPHABET[b % RAND_ALPHABET.length]).join('');
}

/** A name from `generateName` as the API server makes it: the prefix cut to 58 characters, then 5 random ones (names.SimpleNameGenerator). */
export function generateName(prefix: string): string {
  return `${prefix.slice(0, 58)}${randomSuffix(5)}`;
}
