/**
 * Error classes of toolflow. Every error that crosses a process or wire boundary is classified by
 * its `code`, never by its message (docs/architecture.md, "Errors", and the style notes on BullMQ's errors).
 */

/** Base class: `code` is a stable, machine-readable identifier such as `SPEC_INVALID`. */
export class ToolflowError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** One problem found in a workflow file, with its position (1-based line and column). */
export interface SpecIssue {
  /** Path of the file the problem is in (as given by the caller). */
  file: string;
  /**
   * 1-based line; absent (or 0, in older code) when the problem has no position in a file: a missing
   * file, a `--set` or `--input` argument (then `file` names the argument).
   */
  line?: number;
  /** 1-based column; absent (or 0) when `line` is. */
  column?: number;
  /** Field path such as `tools[2].options[0].type`, or `` for the document itself. */
  path: string;
  /** What is wrong and, where possible, what to write instead. */
  message: string;
}

/** Formats an issue as `file:line:column: path: message`, the form editors and compilers use. */
export function formatIssue(issue: SpecIssue): string {
  const where = issue.line ? `${issue.file}:${issue.line}:${issue.column ?? 0}` : issue.file;
  return issue.path ? `${where}: ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}

/** Thrown when a workflow file, its option values or its inputs are invalid. Carries every issue found. */
export class SpecError extends ToolflowError {
  readonly issues: SpecIssue[];
  constructor(issues: SpecIssue[]) {
    super('SPEC_INVALID', issues.map(formatIssue).join('\n'));
    this.issues = issues;
  }
}

/** Thrown when a configuration value (environment variable or CLI flag) is invalid. */
export class ConfigError extends ToolflowError {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
  }
}

/** Thrown when a task or tool run that the caller names does not exist. */
export class NotFoundError extends ToolflowError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

/**
 * Thrown when a backend service (RabbitMQ, MySQL, etcd, S3) cannot be reached or does not confirm
 * in time. The message names the service and its URL with credentials masked.
 */
export class ServiceUnavailableError extends ToolflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SERVICE_UNAVAILABLE', message, options);
  }
}

/**
 * Thrown when an event can never be handled as it is: not a CloudEvent, an unknown type, or data
 * its type's schema refuses (an HTTP function answers it with `400 EVENT_INVALID`). A bus consumer
 * dead-letters it at once (`basic.nack` without requeue) instead of delivering it again.
 */
export class EventInvalidError extends ToolflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EVENT_INVALID', message, options);
  }
}

/** Thrown when a write fenced by a lock's lease is refused: the lease ended and the lock is gone or someone else's. */
export class LeaseLostError extends ToolflowError {
  constructor(message: string) {
    super('LEASE_LOST', message);
  }
}

/** Thrown when a downloaded object's bytes do not hash to the SHA-256 it was stored with. */
export class ChecksumMismatchError extends ToolflowError {
  constructor(message: string) {
    super('CHECKSUM_MISMATCH', message);
  }
}

/** Thrown when the caller stopped a wait (Ctrl-C while `toolflow resume` waits for a lock). */
export class AbortedError extends ToolflowError {
  constructor(message: string) {
    super('ABORTED', message);
  }
}

/**
 * Thrown to a task's waiter when the task cannot progress: an event it needs failed every delivery
 * and was dead-lettered (a store on a full disk, a store locked by another process past the wait…).
 * The message names the event, the function and the cause, and says how to go on.
 */
export class TaskStalledError extends ToolflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TASK_STALLED', message, options);
  }
}
