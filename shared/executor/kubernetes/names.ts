/**
 * Names and labels of toolflow's Kubernetes objects. Object names are DNS-1123 labels (lowercase
 * letters, digits and `-`, at most 63, starting and ending with a letter or digit): a Job's name
 * becomes its Pods' `job-name` label, whose value may not be longer, and a Service's name must be a
 * DNS-1035 label (starting with a letter; `tf-` does). Source: Kubernetes docs, "Object Names and
 * IDs" and "Labels and Selectors" (syntax and character set).
 */
import { createHash } from 'node:crypto';

/** Label keys and values toolflow sets on its Jobs, their Pods, and the work manager's Service. */
export const Label = {
  /** The task id (`labelValue`), the watch's selector. */
  task: 'toolflow.io/task',
  /** The tool's name (`labelValue`: sanitized; the full name is the annotation `toolflow.io/tool-name`). */
  tool: 'toolflow.io/tool',
  /** The attempt number, decimal. */
  attempt: 'toolflow.io/attempt',
  /** `tool` or `work-manager`. */
  role: 'toolflow.io/role',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

/** Annotation keys. */
export const Annotation = {
  /** The tool's full name, as in the workflow. */
  toolName: 'toolflow.io/tool-name',
  /** The task id, as given. */
  taskId: 'toolflow.io/task-id',
} as const;

/** `app.kubernetes.io/managed-by` of every toolflow object. */
export const MANAGED_BY = 'toolflow';
/** Label the Job controller sets on a Job's Pods (also as `batch.kubernetes.io/job-name` since 1.27). */
export const JOB_NAME_LABEL = 'job-name';
/** Longest object name (DNS-1123 label) and label value, characters. */
export const MAX_NAME = 63;

/** Characters of the hash suffix that keeps shortened or rewritten names apart. */
const HASH_CHARS = 8;

const VALID_PART = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function hash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, HASH_CHARS);
}

/** Lowercase, every character but `[a-z0-9-]` turned into `-`. */
function dnsPart(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9-]/g, '-');
}

/**
 * `tf-<parts…><suffix>` as a DNS-1123 label. When each part is a DNS-1123 label already and the
 * whole fits, it is exactly that; otherwise (a tool `Align_Reads`, a long name) the parts are
 * rewritten (`dnsPart`), cut so the whole fits, and followed by `-<8 hex of SHA-256 of the parts>`,
 * so two names that differ only in case, in `_` vs `-`, or after the cut still get different names.
 */
function objectName(parts: string[], suffix: string): string {
  const plain = `tf-${parts.join('-')}${suffix}`;
  if (parts.every((p) => VALID_PART.test(p)) && plain.length <= MAX_NAME) return plain;
  const tail = `-${hash(...parts)}${suffix}`;
  const head = `tf-${parts.map(dnsPart).join('-')}`.slice(0, MAX_NAME - tail.length).replace(/-+$/, '');
  return `${head}${tail}`;
}

/**
 * Deterministic name of an attempt's Job (docs/architecture.md, "Data"): `tf-<task>-<tool>-a<attempt>`,
 * a DNS-1123 label of at most 63 characters (see `objectName` for tool names that are not one
 * already, or too long: task ids of `newTaskId` are 12 hex characters, leaving 43 for the tool).
 * @param attempt 1-based attempt number.
 */
export function jobName(taskId: string, tool: string, attempt: number): string {
  return objectName([taskId, tool], `-a${attempt}`);
}

/** Name of a task's work-manager Job and of its Service: `tf-<task>-wm`. */
export function workManagerJobName(taskId: string): string {
  return objectName([taskId], '-wm');
}

/**
 * A label value for `s`: at most 63 characters of `[A-Za-z0-9._-]`, starting and ending with a
 * letter or digit (or empty). Other characters become `-`; a value cut or rewritten keeps its
 * distinctness through a hash suffix, as names do.
 */
export function labelValue(s: string): string {
  if (/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(s) && s.length <= MAX_NAME) return s;
  const tail = `-${hash(s)}`;
  const head = s.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, MAX_NAME - tail.length).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return head ? `${head}${tail}` : tail.slice(1);
}

/** The label selector of every object of a task (`toolflow.io/task=<id>`). */
export function taskSelector(taskId: string): string {
  return `${Label.task}=${labelValue(taskId)}`;
}
