// Generated from proto/toolflow/reports/v1/reports.proto by scripts/generate-report-types.mjs (npm run proto): do not edit.
/* eslint @typescript-eslint/no-explicit-any: "off", @typescript-eslint/no-empty-object-type: "off" */
// Original file: proto/toolflow/reports/v1/reports.proto


/**
 * An earlier attempt, without a token (`ExitDetails.cachedFrom`: not a sender's identity).
 */
export interface AttemptId {
  /**
   * The task's id. Required.
   */
  'taskId'?: (string);
  /**
   * The tool's name. Required.
   */
  'tool'?: (string);
  /**
   * The attempt number, 1 for the first. Required (0 is refused).
   */
  'attempt'?: (number);
}

/**
 * An earlier attempt, without a token (`ExitDetails.cachedFrom`: not a sender's identity).
 */
export interface AttemptId__Output {
  /**
   * The task's id. Required.
   */
  'taskId': (string);
  /**
   * The tool's name. Required.
   */
  'tool': (string);
  /**
   * The attempt number, 1 for the first. Required (0 is refused).
   */
  'attempt': (number);
}
