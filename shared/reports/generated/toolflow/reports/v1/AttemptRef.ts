// Generated from proto/toolflow/reports/v1/reports.proto by scripts/generate-report-types.mjs (npm run proto): do not edit.
/* eslint @typescript-eslint/no-explicit-any: "off", @typescript-eslint/no-empty-object-type: "off" */
// Original file: proto/toolflow/reports/v1/reports.proto


/**
 * Which attempt a report is about, and the proof that the sender speaks for it.
 */
export interface AttemptRef {
  /**
   * The task's id (12 lowercase hex characters as toolflow makes them). Required.
   */
  'taskId'?: (string);
  /**
   * The tool's name in the workflow. Required.
   */
  'tool'?: (string);
  /**
   * The attempt number, 1 for the first. Required (0 is refused).
   */
  'attempt'?: (number);
  /**
   * The attempt's report token: HMAC-SHA256 of the attempt with the deployment's report secret,
   * base64url (shared/reports/attempt-token.ts). Never logged.
   */
  'token'?: (string);
}

/**
 * Which attempt a report is about, and the proof that the sender speaks for it.
 */
export interface AttemptRef__Output {
  /**
   * The task's id (12 lowercase hex characters as toolflow makes them). Required.
   */
  'taskId': (string);
  /**
   * The tool's name in the workflow. Required.
   */
  'tool': (string);
  /**
   * The attempt number, 1 for the first. Required (0 is refused).
   */
  'attempt': (number);
  /**
   * The attempt's report token: HMAC-SHA256 of the attempt with the deployment's report secret,
   * base64url (shared/reports/attempt-token.ts). Never logged.
   */
  'token': (string);
}
