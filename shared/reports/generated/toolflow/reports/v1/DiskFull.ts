// Generated from proto/toolflow/reports/v1/reports.proto by scripts/generate-report-types.mjs (npm run proto): do not edit.
/* eslint @typescript-eslint/no-explicit-any: "off", @typescript-eslint/no-empty-object-type: "off" */
// Original file: proto/toolflow/reports/v1/reports.proto

import type { Long } from '@grpc/proto-loader';

/**
 * The filesystem of the work dir was full when the failed attempt ended (`ExitDetails.diskFull`).
 */
export interface DiskFull {
  /**
   * Its mount point (`ephemeral-storage` when the kubelet evicted the Pod for it). Required.
   */
  'path'?: (string);
  /**
   * Bytes the tool's user may still write.
   */
  'freeBytes'?: (number | string | Long);
  /**
   * Size of the filesystem, bytes.
   */
  'totalBytes'?: (number | string | Long);
  /**
   * Free inodes; absent where the filesystem has no inode count.
   */
  'freeInodes'?: (number | string | Long);
  '_freeInodes'?: "freeInodes";
}

/**
 * The filesystem of the work dir was full when the failed attempt ended (`ExitDetails.diskFull`).
 */
export interface DiskFull__Output {
  /**
   * Its mount point (`ephemeral-storage` when the kubelet evicted the Pod for it). Required.
   */
  'path': (string);
  /**
   * Bytes the tool's user may still write.
   */
  'freeBytes': (number);
  /**
   * Size of the filesystem, bytes.
   */
  'totalBytes': (number);
  /**
   * Free inodes; absent where the filesystem has no inode count.
   */
  'freeInodes'?: (number);
  '_freeInodes'?: "freeInodes";
}
