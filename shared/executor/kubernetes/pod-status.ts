/**
 * What a tool attempt's Pod (and its Job) says about the attempt, as the exit report a sidecar would
 * have sent, with `evidence` (one line for people). Pure: no API calls. The tool's exit is read from
 * the container named `tool`, never from `containerStatuses[0]` (the order is not guaranteed).
 * Status shapes: Kubernetes API reference, Pod v1 `PodStatus` / `ContainerStatus`, Job v1
 * `JobCondition`; "Pod Lifecycle" (phases, `DisruptionTarget`), "Node-pressure Eviction" (reason
 * `Evicted`), "Jobs" (`DeadlineExceeded`, `PodFailurePolicy`).
 *
 * Order of the rules: evicted for ephemeral storage → `diskFull`; the tool container `OOMKilled` →
 * `oomKilled`; the Job past its `activeDeadlineSeconds` → `timeout`; a Pod disrupted, lost with its
 * node, or deleted under a running tool → `lost`; the tool's own exit (once the sidecar is done, so
 * its Exit, with the stderr tail and outputs, goes first); an image or container that cannot be
 * started → `launchError`; unschedulable longer than the limit → `undelivered`.
 */
import type { V1ContainerStateTerminated, V1ContainerStatus, V1Job, V1Pod } from '@kubernetes/client-node';
import { constants } from 'node:os';
import { exitReport as portExitReport, type AttemptRequest, type ExitReport } from '../executor.js';
import { SIDECAR_CONTAINER, TOOL_CONTAINER } from '../../sidecar/pod-layout.js';
import { parseBytes } from '../../spec/resources.js';
import { Annotation, Label } from './names.js';

/** An exit report. */
export type { ExitReport } from '../executor.js';

/** The attempt a Pod or Job belongs to, from its annotations and labels (and its request, from the sidecar's `TOOLFLOW_ATTEMPT`). */
export interface PodAttempt {
  taskId: string;
  tool: string;
  attempt: number;
  /** The attempt's request, when the Pod carries it. */
  request?: AttemptRequest;
}

/** What the caller knows beyond the Pod object. */
export interface PodFacts {
  /** The Pod is gone: a DELETED event, or missing on a relist. */
  deleted?: boolean;
  /** toolflow deleted the attempt's Job itself (cancel, stopLeftover): an end, not a loss. */
  cancelled?: boolean;
  /** The attempt's Job as last seen (for `DeadlineExceeded` and how it failed); undefined: not known or gone. */
  job?: V1Job;
}

/** When and how to judge. */
export interface PodContext {
  /** Now, epoch ms. */
  now: number;
  /** A Pod unschedulable this long, seconds, is `undelivered`. */
  unschedulableSeconds: number;
}

/** Waiting reasons that mean the container will not start without a change (image, config). */
export const LAUNCH_REASONS = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError']);

/** A timestamp of the API as epoch ms: a Date (typed calls) or an RFC 3339 string (watch events). */
export function timeOf(t: Date | string | undefined): number | undefined {
  if (t === undefined || t === null) return undefined;
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** One line, at most 400 characters. */
function line(s: string): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > 400 ? `${flat.slice(0, 399)}…` : flat;
}

/**
 * The attempt of a toolflow Pod or Job: task from the annotation `toolflow.io/task-id`, tool from
 * `toolflow.io/tool-name`, attempt from the label `toolflow.io/attempt`; undefined for anything else
 * (the work manager, an object without them).
 */
export function attemptOf(obj: V1Pod | V1Job): PodAttempt | undefined {
  const meta = obj.metadata;
  const taskId = meta?.annotations?.[Annotation.taskId];
  const tool = meta?.annotations?.[Annotation.toolName];
  const attempt = Number(meta?.labels?.[Label.attempt]);
  if (!taskId || !tool || meta?.labels?.[Label.role] !== 'tool' || !Number.isInteger(attempt) || attempt < 1) return undefined;
  const spec = 'initContainers' in (obj.spec ?? {}) ? (obj as V1Pod).spec : (obj as V1Job).spec?.template.spec;
  const raw = spec?.initContainers?.find((c) => c.name === SIDECAR_CONTAINER)?.env?.find((e) => e.name === 'TOOLFLOW_ATTEMPT')?.value;
  let request: AttemptRequest | undefined;
  try {
    request = raw ? (JSON.parse(raw) as AttemptRequest) : undefined;
  } catch {
    request = undefined;
  }
  return { taskId, tool, attempt, ...(request ? { request } : {}) };
}

function statusOf(statuses: V1ContainerStatus[] | undefined, name: string): V1ContainerStatus | undefined {
  return statuses?.find((s) => s.name === name);
}

/** A container's limit of `resource` in bytes, or null. */
function limitBytes(pod: V1Pod, container: string, resource: string): number | null {
  const q = pod.spec?.containers?.find((c) => c.name === container)?.resources?.limits?.[resource];
  try {
    return q === undefined ? null : parseBytes(String(q));
  } catch {
    return null;
  }
}

function signalName(n: number | undefined): string | null {
  if (!n) return null;
  return Object.entries(constants.signals).find(([, v]) => v === n)?.[0] ?? null;
}

function exitReport(a: PodAttempt, at: number, fields: Partial<ExitReport> & { evidence: string }): ExitReport {
  return portExitReport(a, { ...fields, evidence: line(fields.evidence) }, at);
}

function terminatedText(t: V1ContainerStateTerminated): string {
  return `reason ${t.reason ?? 'unknown'}, exit code ${t.exitCode}${t.signal ? `, signal ${t.signal}` : ''}${t.message ? `: ${t.message}` : ''}`;
}

/** The Job's failure condition (`Failed` or `FailureTarget`, status True), if any. */
export function jobFailure(job: V1Job | undefined): { reason: string; message: string } | undefined {
  const c = job?.status?.conditions?.find((x) => (x.type === 'Failed' || x.type === 'FailureTarget') && x.status === 'True');
  return c ? { reason: c.reason ?? '', message: c.message ?? '' } : undefined;
}

/**
 * A Job past its `activeDeadlineSeconds` (condition reason `DeadlineExceeded`) as a `timeout`
 * verdict; null for anything else.
 */
export function jobReport(job: V1Job, ctx: Pick<PodContext, 'now'>): ExitReport | null {
  const a = attemptOf(job);
  const failure = jobFailure(job);
  if (!a || failure?.reason !== 'DeadlineExceeded') return null;
  return exitReport(a, ctx.now, { watchdog: 'timeout', evidence: `job ${job.metadata?.name}: DeadlineExceeded: ${failure.message || 'active longer than activeDeadlineSeconds'}` });
}

/**
 * What the Pod says about its attempt: an exit report (a tool exit, `oomKilled`, `diskFull`,
 * `launchError`, or a watchdog verdict) with `evidence`, or null when there is nothing to say yet
 * (running, starting, unschedulable for less than the limit, the sidecar still reporting). An exit
 * code 0 comes with `missingOutputs: []`: the caller checks the outputs in the object store.
 */
export function podReport(pod: V1Pod, facts: PodFacts, ctx: PodContext): ExitReport | null {
  const a = attemptOf(pod);
  if (!a) return null;
  const name = `pod ${pod.metadata?.name ?? '?'}`;
  const status = pod.status ?? {};
  const phase = status.phase ?? 'Pending';
  const tool = statusOf(status.containerStatuses, TOOL_CONTAINER);
  const sidecar = statusOf(status.initContainerStatuses, SIDECAR_CONTAINER);
  const term = tool?.state?.terminated;
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const over = terminal || facts.deleted === true;
  const at = (t: V1ContainerStateTerminated | undefined) => timeOf(t?.finishedAt) ?? ctx.now;
  const disruption = status.conditions?.find((c) => c.type === 'DisruptionTarget' && c.status === 'True');
  const evicted = status.reason === 'Evicted';

  // Evicted for ephemeral storage: the kubelet's message names it ("Pod ephemeral local storage usage exceeds…", "ephemeral-storage").
  const diskMessage = [evicted ? status.message : undefined, disruption?.message].find((m) => m && /ephemeral|EmptyDir volume/i.test(m));
  if (diskMessage) {
    const total = limitBytes(pod, TOOL_CONTAINER, 'ephemeral-storage') ?? 0;
    return exitReport(a, ctx.now, { exitCode: term?.exitCode ?? null, diskFull: { path: 'ephemeral-storage', freeBytes: 0, totalBytes: total, freeInodes: null }, evidence: `${name}: evicted: ${diskMessage}` });
  }
  if (term?.reason === 'OOMKilled') {
    return exitReport(a, at(term), {
      signal: 'SIGKILL',
      oomKilled: true,
      peakMemBytes: limitBytes(pod, TOOL_CONTAINER, 'memory'),
      memLimitKind: 'cgroup',
      evidence: `${name}: container ${TOOL_CONTAINER} terminated, ${terminatedText(term)}`,
    });
  }
  const failure = jobFailure(facts.job);
  if (failure?.reason === 'DeadlineExceeded') {
    return exitReport(a, ctx.now, { watchdog: 'timeout', evidence: `job ${facts.job?.metadata?.name}: DeadlineExceeded: ${failure.message || 'active longer than activeDeadlineSeconds'}` });
  }
  // Did the tool end on its own, or was it killed because its Pod went away (deleted, evicted, disrupted)?
  const deletedAt = timeOf(pod.metadata?.deletionTimestamp);
  const deleteRequested = deletedAt === undefined ? undefined : deletedAt - (pod.metadata?.deletionGracePeriodSeconds ?? 0) * 1000;
  const killedAt = Math.min(deleteRequested ?? Infinity, timeOf(disruption?.lastTransitionTime) ?? Infinity);
  const finished = timeOf(term?.finishedAt);
  const goingAway = deletedAt !== undefined || facts.deleted === true;
  const complete = facts.job?.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') === true;
  const undisturbed = !goingAway && !disruption && !evicted;
  // Timestamps have whole seconds: an end a second before the kill is the tool's own.
  const before = finished !== undefined && Number.isFinite(killedAt) && finished < killedAt - 1000;
  // The Job failed by its podFailurePolicy's exit-code rule proves nothing: a tool killed by its Pod's
  // deletion or eviction exits 143, which matches that rule too; only an undisturbed Pod's exit is the tool's own.
  const ownEnd = term !== undefined && term.reason !== 'ContainerStatusUnknown' && (facts.cancelled === true || undisturbed || complete || before);
  if (!facts.cancelled && over && !ownEnd && (disruption || evicted || goingAway || term)) {
    const why = disruption
      ? `disrupted (${disruption.reason ?? 'DisruptionTarget'}): ${disruption.message ?? ''}`
      : evicted
        ? `evicted: ${status.message ?? ''}`
        : term
          ? `container ${TOOL_CONTAINER} ${term.reason === 'ContainerStatusUnknown' ? 'lost with its node' : 'killed as its Pod went away'}, ${terminatedText(term)}`
          : `deleted (phase ${phase}${status.reason ? `, reason ${status.reason}` : ''}) before container ${TOOL_CONTAINER} ended`;
    return exitReport(a, ctx.now, { watchdog: 'lost', evidence: `${name}: ${why}` });
  }
  if (term && ownEnd) {
    // The sidecar reports the exit with the stderr tail and the outputs: wait until it is done.
    const sidecarDone = !sidecar?.state?.running;
    if (!over && !sidecarDone) return null;
    const cancelled = facts.cancelled ? ' (stopped by toolflow)' : '';
    return exitReport(a, at(term), {
      exitCode: term.exitCode,
      signal: signalName(term.signal),
      evidence: `${name}: container ${TOOL_CONTAINER} terminated${cancelled}, ${terminatedText(term)}`,
    });
  }
  if (facts.cancelled) {
    return over ? exitReport(a, ctx.now, { evidence: `${name}: deleted by toolflow before container ${TOOL_CONTAINER} ended (phase ${phase})` }) : null;
  }
  if (over) {
    // Failed without the tool having run (an admission error, the node lost): the attempt is gone.
    return exitReport(a, ctx.now, { watchdog: 'lost', evidence: `${name}: phase ${phase}${status.reason ? `, reason ${status.reason}` : ''}${status.message ? `: ${status.message}` : ''}` });
  }
  for (const [c, s] of [[TOOL_CONTAINER, tool], [SIDECAR_CONTAINER, sidecar]] as const) {
    const waiting = s?.state?.waiting;
    if (waiting?.reason && LAUNCH_REASONS.has(waiting.reason)) {
      const image = pod.spec?.containers?.find((x) => x.name === c)?.image ?? pod.spec?.initContainers?.find((x) => x.name === c)?.image ?? s?.image;
      return exitReport(a, ctx.now, {
        launchError: line(`container ${c} (image ${image}) cannot start: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`),
        evidence: `${name}: container ${c} waiting, reason ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`,
      });
    }
  }
  const since = unschedulableSince(pod);
  if (since !== undefined && ctx.now - since >= ctx.unschedulableSeconds * 1000) {
    const message = status.conditions?.find((c) => c.type === 'PodScheduled')?.message ?? '';
    return exitReport(a, ctx.now, { watchdog: 'undelivered', evidence: `${name}: unschedulable for ${Math.round((ctx.now - since) / 1000)} s: ${message}` });
  }
  return null;
}

/** When the Pod became unschedulable (`PodScheduled=False`, reason `Unschedulable`), epoch ms; undefined when it is not. */
export function unschedulableSince(pod: V1Pod): number | undefined {
  const c = pod.status?.conditions?.find((x) => x.type === 'PodScheduled');
  if (c?.status !== 'False' || c.reason !== 'Unschedulable') return undefined;
  return timeOf(c.lastTransitionTime) ?? undefined;
}
