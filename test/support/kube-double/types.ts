/**
 * TEST DOUBLE of the Kubernetes API (see ./README.md): wire shapes (JSON as served, timestamps as
 * RFC 3339 strings), taken from `kubernetes-models`' interfaces.
 */
import type { IObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IPodStatus } from 'kubernetes-models/v1/PodStatus';
import type { IJobSpec } from 'kubernetes-models/batch/v1/JobSpec';
import type { IJobStatus } from 'kubernetes-models/batch/v1/JobStatus';

export type { IObjectMeta };
export type { IContainer } from 'kubernetes-models/v1/Container';
export type { IContainerStatus } from 'kubernetes-models/v1/ContainerStatus';
export type { IPodCondition } from 'kubernetes-models/v1/PodCondition';
export type { IProbe } from 'kubernetes-models/v1/Probe';
export type { IJobCondition } from 'kubernetes-models/batch/v1/JobCondition';
export type { IPodFailurePolicyRule } from 'kubernetes-models/batch/v1/PodFailurePolicyRule';

/** Any stored object: metadata plus whatever the kind has. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: IObjectMeta;
  [field: string]: unknown;
}

/** A Pod as stored (spec and status always present once created). */
export interface PodObject extends KubeObject {
  spec: IPodSpec;
  status: IPodStatus;
}

/** A Job as stored. */
export interface JobObject extends KubeObject {
  spec: IJobSpec;
  status: IJobStatus;
}

/** A Secret or ConfigMap as stored (Secret `data` values are base64). */
export interface DataObject extends KubeObject {
  data?: Record<string, string>;
}

/** RFC 3339 with seconds, as the API server writes timestamps (`2024-05-01T10:00:00Z`). */
export function timestamp(d: Date = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** RFC 3339 with microseconds, as `metav1.MicroTime` fields are written. */
export function microTimestamp(d: Date = new Date()): string {
  return d.toISOString().replace(/Z$/, '000Z');
}
