// Generated from proto/toolflow/reports/v1/reports.proto by scripts/generate-report-types.mjs (npm run proto): do not edit.
/* eslint @typescript-eslint/no-explicit-any: "off", @typescript-eslint/no-empty-object-type: "off" */
// Original file: proto/toolflow/reports/v1/reports.proto

import type { OutputRecord as _toolflow_reports_v1_OutputRecord, OutputRecord__Output as _toolflow_reports_v1_OutputRecord__Output } from '../../../toolflow/reports/v1/OutputRecord.js';

/**
 * The outputs of a succeeded attempt (`ExitDetails.outputs`); a message of its own so that "recorded,
 * none declared" (present, no files) differs from "not recorded" (absent).
 */
export interface RecordedOutputs {
  /**
   * Each declared output, once, in declared order.
   */
  'files'?: (_toolflow_reports_v1_OutputRecord)[];
}

/**
 * The outputs of a succeeded attempt (`ExitDetails.outputs`); a message of its own so that "recorded,
 * none declared" (present, no files) differs from "not recorded" (absent).
 */
export interface RecordedOutputs__Output {
  /**
   * Each declared output, once, in declared order.
   */
  'files': (_toolflow_reports_v1_OutputRecord__Output)[];
}
