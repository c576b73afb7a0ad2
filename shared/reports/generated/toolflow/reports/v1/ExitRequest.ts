// Generated from proto/toolflow/reports/v1/reports.proto by scripts/generate-report-types.mjs (npm run proto): do not edit.
/* eslint @typescript-eslint/no-explicit-any: "off", @typescript-eslint/no-empty-object-type: "off" */
// Original file: proto/toolflow/reports/v1/reports.proto

import type { AttemptRef as _toolflow_reports_v1_AttemptRef, AttemptRef__Output as _toolflow_reports_v1_AttemptRef__Output } from '../../../toolflow/reports/v1/AttemptRef.js';
import type { MemLimitKind as _toolflow_reports_v1_MemLimitKind, MemLimitKind__Output as _toolflow_reports_v1_MemLimitKind__Output } from '../../../toolflow/reports/v1/MemLimitKind.js';
import type { DiskFull as _toolflow_reports_v1_DiskFull, DiskFull__Output as _toolflow_reports_v1_DiskFull__Output } from '../../../toolflow/reports/v1/DiskFull.js';
import type { Watchdog as _toolflow_reports_v1_Watchdog, Watchdog__Output as _toolflow_reports_v1_Watchdog__Output } from '../../../toolflow/reports/v1/Watchdog.js';
import type { RecordedOutputs as _toolflow_reports_v1_RecordedOutputs, RecordedOutputs__Output as _toolflow_reports_v1_RecordedOutputs__Output } from '../../../toolflow/reports/v1/RecordedOutputs.js';
import type { AttemptId as _toolflow_reports_v1_AttemptId, AttemptId__Output as _toolflow_reports_v1_AttemptId__Output } from '../../../toolflow/reports/v1/AttemptId.js';
import type { Long } from '@grpc/proto-loader';

/**
 * The attempt ended: every field of `ExitDetails`.
 */
export interface ExitRequest {
  /**
   * The attempt.
   */
  'attempt'?: (_toolflow_reports_v1_AttemptRef | null);
  /**
   * When the tool ended, epoch milliseconds. Required (0 is refused).
   */
  'atMs'?: (number | string | Long);
  /**
   * The tool's exit code; absent when it was killed by a signal or never started.
   */
  'exitCode'?: (number);
  /**
   * Name of the signal that killed the tool, such as `SIGKILL`; absent when none did.
   */
  'signal'?: (string);
  /**
   * True when the kernel or the kubelet killed the tool for memory (cgroup oom_kill, `OOMKilled`).
   */
  'oomKilled'?: (boolean);
  /**
   * Processes the kernel's OOM killer killed in the attempt; absent where no counter exists.
   */
  'oomKills'?: (number);
  /**
   * Peak memory of the attempt, bytes; absent when not measured.
   */
  'peakMemBytes'?: (number | string | Long);
  /**
   * How memory was limited; unspecified when not said.
   */
  'memLimitKind'?: (_toolflow_reports_v1_MemLimitKind);
  /**
   * Last bytes of the tool's stderr (toolflow sends at most 4 KiB; the server refuses more than 64 KiB).
   */
  'stderrTail'?: (string);
  /**
   * Declared outputs that were missing after an exit code 0.
   */
  'missingOutputs'?: (string)[];
  /**
   * Set when the work dir's filesystem was full as the failed attempt ended.
   */
  'diskFull'?: (_toolflow_reports_v1_DiskFull | null);
  /**
   * Set when the attempt could not be launched at all (image pull error, staging failure…).
   */
  'launchError'?: (string);
  /**
   * What the decision was read from, one line for people, when it came from the platform.
   */
  'evidence'?: (string);
  /**
   * Set by a watchdog (never by a sidecar); unspecified otherwise.
   */
  'watchdog'?: (_toolflow_reports_v1_Watchdog);
  /**
   * The declared outputs with their sizes and SHA-256, set for an exit code 0 with none missing.
   */
  'outputs'?: (_toolflow_reports_v1_RecordedOutputs | null);
  /**
   * Set when the attempt did not run: its outputs were reused from this earlier attempt (the cache).
   */
  'cachedFrom'?: (_toolflow_reports_v1_AttemptId | null);
  /**
   * User + system cpu time the tool used, milliseconds (its container's cgroup); absent when not measured.
   */
  'cpuTimeMs'?: (number | string | Long);
  '_exitCode'?: "exitCode";
  '_signal'?: "signal";
  '_oomKills'?: "oomKills";
  '_peakMemBytes'?: "peakMemBytes";
  '_launchError'?: "launchError";
  '_evidence'?: "evidence";
  '_cpuTimeMs'?: "cpuTimeMs";
}

/**
 * The attempt ended: every field of `ExitDetails`.
 */
export interface ExitRequest__Output {
  /**
   * The attempt.
   */
  'attempt': (_toolflow_reports_v1_AttemptRef__Output | null);
  /**
   * When the tool ended, epoch milliseconds. Required (0 is refused).
   */
  'atMs': (number);
  /**
   * The tool's exit code; absent when it was killed by a signal or never started.
   */
  'exitCode'?: (number);
  /**
   * Name of the signal that killed the tool, such as `SIGKILL`; absent when none did.
   */
  'signal'?: (string);
  /**
   * True when the kernel or the kubelet killed the tool for memory (cgroup oom_kill, `OOMKilled`).
   */
  'oomKilled': (boolean);
  /**
   * Processes the kernel's OOM killer killed in the attempt; absent where no counter exists.
   */
  'oomKills'?: (number);
  /**
   * Peak memory of the attempt, bytes; absent when not measured.
   */
  'peakMemBytes'?: (number);
  /**
   * How memory was limited; unspecified when not said.
   */
  'memLimitKind': (_toolflow_reports_v1_MemLimitKind__Output);
  /**
   * Last bytes of the tool's stderr (toolflow sends at most 4 KiB; the server refuses more than 64 KiB).
   */
  'stderrTail': (string);
  /**
   * Declared outputs that were missing after an exit code 0.
   */
  'missingOutputs': (string)[];
  /**
   * Set when the work dir's filesystem was full as the failed attempt ended.
   */
  'diskFull': (_toolflow_reports_v1_DiskFull__Output | null);
  /**
   * Set when the attempt could not be launched at all (image pull error, staging failure…).
   */
  'launchError'?: (string);
  /**
   * What the decision was read from, one line for people, when it came from the platform.
   */
  'evidence'?: (string);
  /**
   * Set by a watchdog (never by a sidecar); unspecified otherwise.
   */
  'watchdog': (_toolflow_reports_v1_Watchdog__Output);
  /**
   * The declared outputs with their sizes and SHA-256, set for an exit code 0 with none missing.
   */
  'outputs': (_toolflow_reports_v1_RecordedOutputs__Output | null);
  /**
   * Set when the attempt did not run: its outputs were reused from this earlier attempt (the cache).
   */
  'cachedFrom': (_toolflow_reports_v1_AttemptId__Output | null);
  /**
   * User + system cpu time the tool used, milliseconds (its container's cgroup); absent when not measured.
   */
  'cpuTimeMs'?: (number);
  '_exitCode'?: "exitCode";
  '_signal'?: "signal";
  '_oomKills'?: "oomKills";
  '_peakMemBytes'?: "peakMemBytes";
  '_launchError'?: "launchError";
  '_evidence'?: "evidence";
  '_cpuTimeMs'?: "cpuTimeMs";
}
