// Generated from proto/toolflow/reports/v1/reports.proto by scripts/generate-report-types.mjs (npm run proto): do not edit.
/* eslint @typescript-eslint/no-explicit-any: "off", @typescript-eslint/no-empty-object-type: "off" */
// Original file: proto/toolflow/reports/v1/reports.proto

/**
 * How memory was limited (`ExitDetails.memLimitKind`).
 */
export const MemLimitKind = {
  /**
   * Not said (the field is absent in ExitDetails).
   */
  MEM_LIMIT_KIND_UNSPECIFIED: 'MEM_LIMIT_KIND_UNSPECIFIED',
  /**
   * A cgroup: the kernel OOM-kills at the limit.
   */
  MEM_LIMIT_KIND_CGROUP: 'MEM_LIMIT_KIND_CGROUP',
  /**
   * `ulimit -v`: address space per process.
   */
  MEM_LIMIT_KIND_RLIMIT: 'MEM_LIMIT_KIND_RLIMIT',
} as const;

/**
 * How memory was limited (`ExitDetails.memLimitKind`).
 */
export type MemLimitKind =
  /**
   * Not said (the field is absent in ExitDetails).
   */
  | 'MEM_LIMIT_KIND_UNSPECIFIED'
  | 0
  /**
   * A cgroup: the kernel OOM-kills at the limit.
   */
  | 'MEM_LIMIT_KIND_CGROUP'
  | 1
  /**
   * `ulimit -v`: address space per process.
   */
  | 'MEM_LIMIT_KIND_RLIMIT'
  | 2

/**
 * How memory was limited (`ExitDetails.memLimitKind`).
 */
export type MemLimitKind__Output = typeof MemLimitKind[keyof typeof MemLimitKind]
