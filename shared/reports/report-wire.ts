/**
 * `ToolReport` (shared/executor/executor.ts) to and from the messages of reports.proto, and the
 * checks the server makes on what it receives. One field of the message per field of the report:
 * a report's null (`exitCode`, `signal`, `peakMemBytes`, `memBytes`, `diskFull.freeInodes`) is an
 * `optional` field left out, an absent optional (`oomKills`, `memLimitKind`, `diskFull`,
 * `launchError`, `evidence`, `watchdog`, `outputs`, `cachedFrom`) is a field left out or an enum's
 * UNSPECIFIED, a start's `cached` absent is `cached` false; `outputs: []` (recorded, none declared) is a `RecordedOutputs` with no files, apart
 * from `outputs` absent (not recorded). So a report that goes through the wire comes back equal
 * (`toEqual`, absent keys absent).
 */
import type { ToolReport } from '../executor/executor.js';
import type { ExitDetails } from '../events/catalog.js';
import type { TokenSubject } from './attempt-token.js';
import type { AttemptRef, AttemptRef__Output } from './generated/toolflow/reports/v1/AttemptRef.js';
import type { ExitRequest, ExitRequest__Output } from './generated/toolflow/reports/v1/ExitRequest.js';
import type { KeepaliveRequest, KeepaliveRequest__Output } from './generated/toolflow/reports/v1/KeepaliveRequest.js';
import type { StartRequest, StartRequest__Output } from './generated/toolflow/reports/v1/StartRequest.js';

/** Most bytes (UTF-8) of `stderr_tail`, `launch_error` and `evidence` the server takes (the sidecar sends 4 KiB of stderr). */
export const MAX_TEXT_BYTES = 64 * 1024;
/** Most bytes (UTF-8) of `task_id`, `tool`, a missing output's name and `disk_full.path`. */
export const MAX_NAME_BYTES = 1024;
/** Most bytes of a request message, both ends: an Exit with 64 KiB in each text field and a long list of missing outputs fits. */
export const MAX_REQUEST_BYTES = 1024 * 1024;
/** Most bytes of `signal`. */
const MAX_SIGNAL_BYTES = 64;

/** A request the server refuses as malformed (INVALID_ARGUMENT); the message names the field and what to send. */
export class InvalidReportError extends Error {
  override name = 'InvalidReportError';
}

/** The request message of each report kind. */
export interface ReportRequests {
  start: StartRequest;
  keepalive: KeepaliveRequest;
  exit: ExitRequest;
}

/** The same, as the server receives it. */
export interface ReceivedRequests {
  start: StartRequest__Output;
  keepalive: KeepaliveRequest__Output;
  exit: ExitRequest__Output;
}

const MEM_LIMIT_KINDS = { cgroup: 'MEM_LIMIT_KIND_CGROUP', rlimit: 'MEM_LIMIT_KIND_RLIMIT' } as const;
const WATCHDOGS = { lost: 'WATCHDOG_LOST', undelivered: 'WATCHDOG_UNDELIVERED', timeout: 'WATCHDOG_TIMEOUT' } as const;

/** The request that carries `report`, signed with the attempt's `token`. */
export function toRequest(report: ToolReport, token: string): ReportRequests[ToolReport['kind']] {
  const attempt: AttemptRef = { taskId: report.taskId, tool: report.tool, attempt: report.attempt, token };
  if (report.kind === 'start') return { attempt, atMs: report.at, ...(report.cached ? { cached: true } : {}) };
  if (report.kind === 'keepalive') return { attempt, atMs: report.at, memBytes: report.memBytes ?? undefined };
  const d = report.diskFull;
  return {
    attempt,
    atMs: report.at,
    exitCode: report.exitCode ?? undefined,
    signal: report.signal ?? undefined,
    oomKilled: report.oomKilled,
    oomKills: report.oomKills,
    peakMemBytes: report.peakMemBytes ?? undefined,
    cpuTimeMs: report.cpuTimeMs,
    memLimitKind: report.memLimitKind === undefined ? 'MEM_LIMIT_KIND_UNSPECIFIED' : MEM_LIMIT_KINDS[report.memLimitKind],
    stderrTail: report.stderrTail,
    missingOutputs: report.missingOutputs,
    diskFull: d && { path: d.path, freeBytes: d.freeBytes, totalBytes: d.totalBytes, freeInodes: d.freeInodes ?? undefined },
    launchError: report.launchError,
    evidence: report.evidence,
    watchdog: report.watchdog === undefined ? 'WATCHDOG_UNSPECIFIED' : WATCHDOGS[report.watchdog],
    outputs: report.outputs && { files: report.outputs.map((o) => ({ path: o.path, bytes: o.bytes, sha256: o.sha256 })) },
    cachedFrom: report.cachedFrom && { taskId: report.cachedFrom.taskId, tool: report.cachedFrom.tool, attempt: report.cachedFrom.attempt },
  };
}

/** A checked `AttemptRef`: the attempt, and the token it came with (unchecked: see `checkAttemptToken`). */
export interface ReceivedRef {
  subject: TokenSubject;
  token: string;
}

/** Reads a request's `attempt`. @throws InvalidReportError when it is missing or a field of it is malformed. */
export function readAttemptRef(ref: AttemptRef__Output | null | undefined): ReceivedRef {
  if (!ref) throw new InvalidReportError('attempt is missing: send the AttemptRef (task_id, tool, attempt, token)');
  name('attempt.task_id', ref.taskId);
  name('attempt.tool', ref.tool);
  if (!Number.isInteger(ref.attempt) || ref.attempt < 1) throw new InvalidReportError(`attempt.attempt is ${ref.attempt}: attempts count from 1`);
  return { subject: { taskId: ref.taskId, tool: ref.tool, attempt: ref.attempt }, token: ref.token };
}

/**
 * The report a received request carries, for the attempt `s` read from it by `readAttemptRef`.
 * @throws InvalidReportError naming the first malformed field.
 */
export function readReport<K extends ToolReport['kind']>(kind: K, req: ReceivedRequests[K], s: TokenSubject): ToolReport {
  const base = { taskId: s.taskId, tool: s.tool, attempt: s.attempt, at: epochMs('at_ms', req.atMs) };
  if (kind === 'start') return { kind: 'start', ...base, ...((req as StartRequest__Output).cached ? { cached: true as const } : {}) };
  if (kind === 'keepalive') {
    const k = req as KeepaliveRequest__Output;
    return { kind: 'keepalive', ...base, memBytes: k.memBytes === undefined ? null : count('mem_bytes', k.memBytes) };
  }
  return { kind: 'exit', ...base, ...exitDetails(req as ExitRequest__Output) };
}

/** The ExitDetails of an Exit request. @throws InvalidReportError naming the field. */
function exitDetails(e: ExitRequest__Output): ExitDetails {
  if (e.signal !== undefined && (e.signal === '' || Buffer.byteLength(e.signal) > MAX_SIGNAL_BYTES)) {
    throw new InvalidReportError(`signal is ${e.signal === '' ? 'empty' : `longer than ${MAX_SIGNAL_BYTES} bytes`}: send the signal's name (SIGKILL), or leave the field out`);
  }
  const details: ExitDetails = {
    exitCode: e.exitCode ?? null,
    signal: e.signal ?? null,
    oomKilled: e.oomKilled,
    peakMemBytes: e.peakMemBytes === undefined ? null : count('peak_mem_bytes', e.peakMemBytes),
    stderrTail: text('stderr_tail', e.stderrTail),
    missingOutputs: e.missingOutputs.map((o, i) => name(`missing_outputs[${i}]`, o)),
  };
  if (e.oomKills !== undefined) details.oomKills = e.oomKills;
  if (e.cpuTimeMs !== undefined) details.cpuTimeMs = count('cpu_time_ms', e.cpuTimeMs);
  const memLimitKind = enumValue('mem_limit_kind', e.memLimitKind, MEM_LIMIT_KINDS, 'MEM_LIMIT_KIND_UNSPECIFIED');
  if (memLimitKind) details.memLimitKind = memLimitKind;
  if (e.diskFull) {
    const d = e.diskFull;
    details.diskFull = {
      path: name('disk_full.path', d.path),
      freeBytes: count('disk_full.free_bytes', d.freeBytes),
      totalBytes: count('disk_full.total_bytes', d.totalBytes),
      freeInodes: d.freeInodes === undefined ? null : count('disk_full.free_inodes', d.freeInodes),
    };
  }
  if (e.launchError !== undefined) details.launchError = text('launch_error', e.launchError);
  if (e.evidence !== undefined) details.evidence = text('evidence', e.evidence);
  const watchdog = enumValue('watchdog', e.watchdog, WATCHDOGS, 'WATCHDOG_UNSPECIFIED');
  if (watchdog) details.watchdog = watchdog;
  if (e.outputs) {
    details.outputs = e.outputs.files.map((o, i) => ({
      path: name(`outputs.files[${i}].path`, o.path),
      bytes: count(`outputs.files[${i}].bytes`, o.bytes),
      sha256: sha256(`outputs.files[${i}].sha256`, o.sha256),
    }));
  }
  if (e.cachedFrom) {
    const c = e.cachedFrom;
    if (!Number.isInteger(c.attempt) || c.attempt < 1) throw new InvalidReportError(`cached_from.attempt is ${c.attempt}: attempts count from 1`);
    details.cachedFrom = { taskId: name('cached_from.task_id', c.taskId), tool: name('cached_from.tool', c.tool), attempt: c.attempt };
  }
  return details;
}

/** A SHA-256 in lowercase hex (64 characters). */
function sha256(field: string, value: string): string {
  if (!/^[0-9a-f]{64}$/.test(value)) throw new InvalidReportError(`${field} is ${JSON.stringify(value.slice(0, 80))}: send the SHA-256 of the file as 64 lowercase hex characters`);
  return value;
}

/** A name-like field: not empty, no NUL (a token field separator), at most MAX_NAME_BYTES. */
function name(field: string, value: string): string {
  if (value === '') throw new InvalidReportError(`${field} is empty: it is required`);
  if (value.includes('\0')) throw new InvalidReportError(`${field} contains a NUL character, which no toolflow name holds`);
  if (Buffer.byteLength(value) > MAX_NAME_BYTES) throw new InvalidReportError(`${field} is longer than ${MAX_NAME_BYTES} bytes`);
  return value;
}

/** A free-text field of at most MAX_TEXT_BYTES. */
function text(field: string, value: string): string {
  const bytes = Buffer.byteLength(value);
  if (bytes > MAX_TEXT_BYTES) throw new InvalidReportError(`${field} is ${bytes} bytes, more than the ${MAX_TEXT_BYTES} taken: send its last bytes only`);
  return value;
}

/** A byte count: a safe integer (64-bit values past 2^53 arrive rounded, so they are refused). */
function count(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new InvalidReportError(`${field} is ${value}: not a byte count below 2^53`);
  return value;
}

/** A time: epoch milliseconds, positive (0 is the field left out). */
function epochMs(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new InvalidReportError(`${field} is ${value}: send the time it happened, epoch milliseconds`);
  return value;
}

/** The report's value of a wire enum (undefined for UNSPECIFIED). An unknown value (a number, from a newer sender) is refused. */
function enumValue<V extends string>(field: string, wire: string | number, values: Record<V, string>, unspecified: string): V | undefined {
  if (wire === unspecified) return undefined;
  const found = (Object.keys(values) as V[]).find((v) => values[v] === wire);
  if (found === undefined) throw new InvalidReportError(`${field} is ${wire}, which this work manager does not know: send one of ${Object.values(values).join(', ')}`);
  return found;
}
