// Generated from proto/toolflow/reports/v1/reports.proto by scripts/generate-report-types.mjs (npm run proto): do not edit.
/* eslint @typescript-eslint/no-explicit-any: "off", @typescript-eslint/no-empty-object-type: "off" */
// Original file: proto/toolflow/reports/v1/reports.proto

/**
 * Why a watchdog ended the attempt (`ExitDetails.watchdog`); a sidecar never sets it.
 */
export const Watchdog = {
  /**
   * No watchdog was involved (the field is absent in ExitDetails).
   */
  WATCHDOG_UNSPECIFIED: 'WATCHDOG_UNSPECIFIED',
  /**
   * The attempt stopped reporting (no keepalive in the lost window), or its Pod vanished.
   */
  WATCHDOG_LOST: 'WATCHDOG_LOST',
  /**
   * The attempt never started (no start report in time, or its Pod stayed unschedulable).
   */
  WATCHDOG_UNDELIVERED: 'WATCHDOG_UNDELIVERED',
  /**
   * The attempt ran past its time limit.
   */
  WATCHDOG_TIMEOUT: 'WATCHDOG_TIMEOUT',
} as const;

/**
 * Why a watchdog ended the attempt (`ExitDetails.watchdog`); a sidecar never sets it.
 */
export type Watchdog =
  /**
   * No watchdog was involved (the field is absent in ExitDetails).
   */
  | 'WATCHDOG_UNSPECIFIED'
  | 0
  /**
   * The attempt stopped reporting (no keepalive in the lost window), or its Pod vanished.
   */
  | 'WATCHDOG_LOST'
  | 1
  /**
   * The attempt never started (no start report in time, or its Pod stayed unschedulable).
   */
  | 'WATCHDOG_UNDELIVERED'
  | 2
  /**
   * The attempt ran past its time limit.
   */
  | 'WATCHDOG_TIMEOUT'
  | 3

/**
 * Why a watchdog ended the attempt (`ExitDetails.watchdog`); a sidecar never sets it.
 */
export type Watchdog__Output = typeof Watchdog[keyof typeof Watchdog]
