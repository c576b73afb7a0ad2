/**
 * The CloudEvents toolflow emits (CloudEvents 1.0, https://github.com/cloudevents/spec). `type` is
 * reverse-DNS and versioned by name; `subject` is `<taskId>` or `<taskId>/<tool>`; `data` is JSON.
 * docs/events.md documents each type: who emits it and who consumes it.
 */
import { randomUUID } from 'node:crypto';
import type { Resources } from '../scheduler/resources.js';
import type { ToolValues } from '../spec/values.js';
import type { FailureReason, OptionValue, RetryPolicy, ToolSpec, WorkflowSpec } from '../spec/types.js';

/** Every event type. */
export const EventType = {
  taskSubmitted: 'io.toolflow.task.submitted',
  taskQueued: 'io.toolflow.task.queued',
  taskStarted: 'io.toolflow.task.started',
  taskSucceeded: 'io.toolflow.task.succeeded',
  taskFailed: 'io.toolflow.task.failed',
  taskCancelled: 'io.toolflow.task.cancelled',
  toolReady: 'io.toolflow.tool.ready',
  toolStarted: 'io.toolflow.tool.started',
  toolKeepalive: 'io.toolflow.tool.keepalive',
  toolExited: 'io.toolflow.tool.exited',
  toolAttemptFailed: 'io.toolflow.tool.attempt.failed',
  toolRetrying: 'io.toolflow.tool.retrying',
  toolSucceeded: 'io.toolflow.tool.succeeded',
  toolFailed: 'io.toolflow.tool.failed',
  toolSkipped: 'io.toolflow.tool.skipped',
  toolCancelled: 'io.toolflow.tool.cancelled',
} as const;

/** An input file already stored as an object. */
export interface StoredInput {
  key: string;
  fileName: string;
  /** SHA-256 of the bytes, lowercase hex, when known (the cache key uses it). */
  sha256?: string;
  /** Size in bytes, when known. @asType integer */
  bytes?: number;
  /** Set for an input of an embedded-mode run, held in place rather than copied (`runtime/embedded-upload.ts`). */
  local?: LocalInput;
}

/**
 * How an embedded-mode input is held: the object at `key` is the user's file itself (a hard link or
 * a symbolic link to it) or a clone of it, never a copy read through. Recorded when the run was
 * submitted; the local executor compares the object with it before a tool reads it (a file changed
 * or deleted since fails the attempt, naming the input) and after (inputs are read-only to tools).
 */
export interface LocalInput {
  /** The user's file, absolute, as given (`--input NAME=PATH`). */
  path: string;
  /**
   * `link`: a hard link to the user's file (same inode; no byte copied); `reflink`: a copy-on-write
   * clone (its own inode, read-only); `reference`: a symbolic link to it (another filesystem);
   * `copy`: a copy (the input was a pipe or another file that is not a regular one).
   */
  how: 'link' | 'reflink' | 'reference' | 'copy';
  /** Inode number of the object's file (symbolic links followed) when it was checksummed, decimal (64 bits). */
  ino: string;
  /** Its size, bytes. @asType integer */
  size: number;
  /** Its modification time, ns since the epoch, decimal (64 bits). */
  mtimeNs: string;
}

/** One output file of an attempt, checksummed when the attempt was recorded. */
export interface OutputRecord {
  /** Relative to the attempt's work dir. */
  path: string;
  /** @asType integer */
  bytes: number;
  /** SHA-256, lowercase hex. */
  sha256: string;
}

/** Identifies one attempt of one tool. */
export interface AttemptRef {
  taskId: string;
  tool: string;
  /** 1-based attempt number. @asType integer */
  attempt: number;
}

/** What the tool's process reported when it ended (the sidecar's Exit message in cluster mode). */
export interface ExitDetails {
  /** Exit code, or null when killed by a signal or never started. @asType integer @nullable */
  exitCode: number | null;
  /** Signal name such as `SIGKILL`, or null. */
  signal: string | null;
  /** True when the kernel or the kubelet killed the tool for memory (cgroup oom_kill, `OOMKilled`). */
  oomKilled: boolean;
  /**
   * Processes the kernel's OOM killer killed in the attempt (cgroup v2 memory.events `oom_kill`, v1
   * memory.oom_control `oom_kill`), also when the tool's shell then exited 0. Absent where no such
   * counter exists (the `ulimit -v` fallback, kernels before 4.13, executors that do not count).
   * @asType integer
   */
  oomKills?: number;
  /**
   * Peak memory of the attempt, bytes, when measured: anonymous memory + shmem, page cache excluded
   * (local executor with cgroups; at least the limit when the kernel OOM-killed the attempt).
   * @asType integer
   * @nullable
   */
  peakMemBytes: number | null;
  /**
   * User + system cpu time the attempt used, ms, when measured: the local executor reads its
   * cgroup's `cpu.stat` (cgroup v2), else the rusage of the processes its shell waited for; the
   * cluster's tool wrapper reads the container's cgroup (`cpu.stat` v2, `cpuacct.usage` v1). Absent:
   * not measured (a cache hit, a launch error, a watchdog's verdict, no readable cgroup).
   * @asType integer
   */
  cpuTimeMs?: number;
  /** How memory was limited: a cgroup (the kernel OOM-kills at the limit) or `ulimit -v` (address space per process). */
  memLimitKind?: 'cgroup' | 'rlimit';
  /**
   * The filesystem of the work dir (or of TMPDIR) was full when the failed attempt ended, or an
   * executor's own write there failed with ENOSPC. `path` is its mount point; bytes are what the
   * tool's user may still write (`freeInodes` null where the filesystem has no inode count).
   */
  diskFull?: {
    path: string;
    /** @asType integer */
    freeBytes: number;
    /** @asType integer */
    totalBytes: number;
    /** @asType integer @nullable */
    freeInodes: number | null;
  };
  /** Last bytes of stderr (at most 4 KiB). */
  stderrTail: string;
  /** Declared outputs that were missing after an exit code 0. */
  missingOutputs: string[];
  /** Set by the work manager's watchdog: no report came in time (`lost`, `undelivered`), or the attempt ran past its time limit (`timeout`). */
  watchdog?: 'lost' | 'undelivered' | 'timeout';
  /** Set when the executor could not launch the attempt at all (bad image, missing shell…). */
  launchError?: string;
  /**
   * What the decision was read from, for people, when it came from the platform rather than the
   * tool's own exit (Kubernetes: `pod tf-…-a1: container tool terminated, reason OOMKilled, exit code
   * 137`; `evicted: ephemeral-storage …`). Kept with the attempt (`tool_runs.evidence`).
   */
  evidence?: string;
  /** The declared outputs of a succeeded attempt, each with its size and SHA-256 (kept as `tool_runs.outputs_json`). */
  outputs?: OutputRecord[];
  /** Set when the attempt did not run: its outputs were reused from this earlier attempt with the same cache key. */
  cachedFrom?: AttemptRef;
  /**
   * Set when an input the attempt was given changed while it ran (inputs are read-only to tools):
   * which input, which file, and how, for people. The attempt fails (`config`), whatever its exit code.
   */
  inputChanged?: string;
}

/** `data` of each event type. */
export interface EventData {
  [EventType.taskSubmitted]: {
    taskId: string;
    owner: string;
    workflowFile: string;
    spec: WorkflowSpec;
    values: ToolValues;
    inputs: Record<string, StoredInput>;
    failFast: boolean;
    /** True: no attempt is reused from the cache (`--no-cache`). */
    noCache?: boolean;
    /** Absolute folder of the task's work dirs, recorded on the task (`tasks.work_dir`). */
    workRoot?: string;
  };
  [EventType.taskQueued]: { taskId: string };
  [EventType.taskStarted]: { taskId: string };
  [EventType.taskSucceeded]: { taskId: string };
  [EventType.taskFailed]: { taskId: string; error: string };
  [EventType.taskCancelled]: { taskId: string; error: string };
  [EventType.toolReady]: AttemptRef & {
    owner: string;
    spec: Pick<ToolSpec, 'name' | 'cmds' | 'env' | 'outputs' | 'image'> & Partial<Pick<ToolSpec, 'passEnv' | 'bindings' | 'instance'>>;
    values: Record<string, OptionValue>;
    /**
     * Folder holding the task's work dirs, as recorded on the task when it was submitted (local
     * executor: `<workRoot>/<task>/<tool>/attempt-<n>/`); absent: the executor's own default.
     */
    workRoot?: string;
    inputs: Record<string, StoredInput>;
    /** True: the cache is not consulted (`--no-cache`). */
    noCache?: boolean;
    /** The succeeded attempt of each dependency, and of every tool the bindings reference. */
    deps: {
      tool: string;
      /** @asType integer */
      attempt: number;
    }[];
    resources: Resources;
  };
  [EventType.toolStarted]: AttemptRef & {
    /** When the attempt started, epoch ms. @asType integer */
    at: number;
  };
  [EventType.toolKeepalive]: AttemptRef & {
    /** When the report was made, epoch ms. @asType integer */
    at: number;
    /** Memory in use, bytes (page cache excluded); null when not measured. @asType integer @nullable */
    memBytes: number | null;
  };
  [EventType.toolExited]: AttemptRef & {
    /** When the attempt ended (or the watchdog gave up on it), epoch ms. @asType integer */
    at: number;
    resources: Resources;
    retry: RetryPolicy;
  } & ExitDetails;
  [EventType.toolAttemptFailed]: AttemptRef & { reason: FailureReason; message: string; resources: Resources; retry: RetryPolicy };
  [EventType.toolRetrying]: AttemptRef & { reason: FailureReason; resources: Resources; previous: string };
  [EventType.toolSucceeded]: AttemptRef;
  [EventType.toolFailed]: AttemptRef & { reason: FailureReason; message: string };
  [EventType.toolSkipped]: AttemptRef & { because: string };
  [EventType.toolCancelled]: AttemptRef;
}

/** Any event type name. */
export type EventTypeName = keyof EventData;

/** A CloudEvent with typed data. */
export interface ToolflowEvent<T extends EventTypeName = EventTypeName> {
  specversion: '1.0';
  id: string;
  source: string;
  type: T;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  /**
   * Extension attribute: the fencing token of the work manager whose decision this event carries
   * (decimal), copied onto the events it causes. Writes it causes are refused once a newer work
   * manager has claimed the task (`Store.claimTask`).
   */
  fencetoken?: string;
  data: EventData[T];
}

/** The fencing token an event carries, if any. */
export function fenceOf(event: ToolflowEvent): number | undefined {
  return event.fencetoken === undefined ? undefined : Number(event.fencetoken);
}

/**
 * Makes an event.
 * @param source the emitting component as a URI reference, e.g. `/toolflow/functions/enqueue`.
 * @param id a deterministic id when the event is the single outcome of something (so a re-emission is
 *   recognised as a duplicate: consumers may treat equal `source` + `id` as the same event); random otherwise.
 */
export function makeEvent<T extends EventTypeName>(type: T, source: string, data: EventData[T], id?: string): ToolflowEvent<T> {
  const d = data as { taskId: string; tool?: string };
  const subject = d.tool === undefined ? d.taskId : `${d.taskId}/${d.tool}`;
  return { specversion: '1.0', id: id ?? randomUUID(), source, type, subject, time: new Date().toISOString(), datacontenttype: 'application/json', data };
}

/** Narrows an event to one type. */
export function isEvent<T extends EventTypeName>(e: ToolflowEvent, type: T): e is ToolflowEvent<T> {
  return e.type === type;
}

/**
 * The `tool.attempt.failed` of an attempt, with its deterministic id
 * (`attempt-failed/<task>/<tool>/<attempt>`): handle-status emits it from the exit, and a restarted
 * work manager emits the same event again for a failure whose rerun was never decided.
 */
export function attemptFailedEvent(source: string, data: EventData[typeof EventType.toolAttemptFailed]): ToolflowEvent<typeof EventType.toolAttemptFailed> {
  return makeEvent(EventType.toolAttemptFailed, source, data, `attempt-failed/${data.taskId}/${data.tool}/${data.attempt}`);
}
