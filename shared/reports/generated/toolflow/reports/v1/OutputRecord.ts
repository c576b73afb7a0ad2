// Generated from proto/toolflow/reports/v1/reports.proto by scripts/generate-report-types.mjs (npm run proto): do not edit.
/* eslint @typescript-eslint/no-explicit-any: "off", @typescript-eslint/no-empty-object-type: "off" */
// Original file: proto/toolflow/reports/v1/reports.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One declared output of a succeeded attempt, checksummed as it was uploaded (`OutputRecord`).
 */
export interface OutputRecord {
  /**
   * The output as the tool declares it, relative to its work dir (`A.bam`, `out/counts.txt`). Required.
   */
  'path'?: (string);
  /**
   * Its size, bytes.
   */
  'bytes'?: (number | string | Long);
  /**
   * SHA-256 of its bytes, 64 lowercase hex characters. Required.
   */
  'sha256'?: (string);
}

/**
 * One declared output of a succeeded attempt, checksummed as it was uploaded (`OutputRecord`).
 */
export interface OutputRecord__Output {
  /**
   * The output as the tool declares it, relative to its work dir (`A.bam`, `out/counts.txt`). Required.
   */
  'path': (string);
  /**
   * Its size, bytes.
   */
  'bytes': (number);
  /**
   * SHA-256 of its bytes, 64 lowercase hex characters. Required.
   */
  'sha256': (string);
}
