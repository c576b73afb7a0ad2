// Generated from proto/toolflow/reports/v1/reports.proto by scripts/generate-report-types.mjs (npm run proto): do not edit.
/* eslint @typescript-eslint/no-explicit-any: "off", @typescript-eslint/no-empty-object-type: "off" */
// Original file: proto/toolflow/reports/v1/reports.proto

import type { AttemptRef as _toolflow_reports_v1_AttemptRef, AttemptRef__Output as _toolflow_reports_v1_AttemptRef__Output } from '../../../toolflow/reports/v1/AttemptRef.js';
import type { Long } from '@grpc/proto-loader';

/**
 * The tool started.
 */
export interface StartRequest {
  /**
   * The attempt.
   */
  'attempt'?: (_toolflow_reports_v1_AttemptRef | null);
  /**
   * When the tool started, epoch milliseconds. Required (0 is refused).
   */
  'atMs'?: (number | string | Long);
  /**
   * True when the tool does not run: its outputs are reused from an earlier attempt (a cache hit;
   * the Exit that follows carries cached_from). The metrics count it apart from runs. A sidecar
   * never sets it.
   */
  'cached'?: (boolean);
}

/**
 * The tool started.
 */
export interface StartRequest__Output {
  /**
   * The attempt.
   */
  'attempt': (_toolflow_reports_v1_AttemptRef__Output | null);
  /**
   * When the tool started, epoch milliseconds. Required (0 is refused).
   */
  'atMs': (number);
  /**
   * True when the tool does not run: its outputs are reused from an earlier attempt (a cache hit;
   * the Exit that follows carries cached_from). The metrics count it apart from runs. A sidecar
   * never sets it.
   */
  'cached': (boolean);
}
