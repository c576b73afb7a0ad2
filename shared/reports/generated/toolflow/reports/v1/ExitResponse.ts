// Generated from proto/toolflow/reports/v1/reports.proto by scripts/generate-report-types.mjs (npm run proto): do not edit.
/* eslint @typescript-eslint/no-explicit-any: "off", @typescript-eslint/no-empty-object-type: "off" */
// Original file: proto/toolflow/reports/v1/reports.proto


/**
 * Exit was taken. No fields.
 */
export interface ExitResponse {
}

/**
 * Exit was taken. No fields.
 */
export interface ExitResponse__Output {
}
