/**
 * The status document of an upload, as the design doc's file transfer manager keeps it in
 * coordination (etcd in services and cluster mode): `uploads/<owner>/<upload-id>`, `ongoing` from
 * its creation, then `successful` or `failed` with the reason. The owner in the key makes every
 * lookup an ownership check: another owner's upload is simply not found.
 */
import type { UploadStatus } from '../coordination/coordination.js';

/** Formats an input of type `file` may declare (`format:` in the workflow), checked on an upload's first bytes. */
export const FILE_FORMATS = ['fastq', 'fasta', 'gzip', 'bam', 'text'] as const;
/** A declared file format. */
export type FileFormat = (typeof FILE_FORMATS)[number];

/** The status document of one upload (`uploads/<owner>/<uploadId>`). */
export interface UploadDoc {
  status: UploadStatus;
  /** A UUID made by the server. */
  uploadId: string;
  owner: string;
  /** Object key, made by the server: `<owner>/<uploadId>/<safe name>`. */
  key: string;
  /** The safe name (the key's last segment). */
  fileName: string;
  /** The name the client gave, as given: metadata only, never a path; shown escaped (`shownName`). */
  originalName: string;
  /** Size the client declared (tus `Upload-Length`, or `Content-Length` of a one-request upload), bytes. */
  declaredSize?: number;
  /** SHA-256 the client declared (lowercase hex): the upload fails if the bytes hash otherwise. */
  declaredSha256?: string;
  /** Format the client declared: the first bytes are checked against it. */
  format?: FileFormat;
  /** What the first bytes look like (`format-check.ts` `sniffFormat`), once they came. */
  detected?: string;
  /** Bytes received and stored so far. @asType integer */
  offset: number;
  /** Size once successful, bytes. */
  size?: number;
  /** SHA-256 once successful, lowercase hex (cache keys use it). */
  sha256?: string;
  /**
   * Written by earlier versions only (a saved SHA-256 state, base64), never now: ignored, and
   * dropped from the document at its next write. The SHA-256 is kept live in the writing process
   * instead (`sha256-continuations.ts`); a resume elsewhere reads the object back at its end.
   */
  hashState?: string;
  /** ISO times. `updatedAt` moves with every stored byte batch: the sweeper aborts uploads idle past the limit. */
  createdAt: string;
  updatedAt: string;
  /** Why the upload failed. */
  error?: string;
}

/** Key prefix of every upload document. */
export const UPLOADS_PREFIX = 'uploads/';

/** Key of an upload's document. */
export function uploadDocKey(owner: string, uploadId: string): string {
  return `${UPLOADS_PREFIX}${owner}/${uploadId}`;
}

/** An upload's id: a UUID, as the server makes them. */
export const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Limits of uploads, from the environment (`uploadSettingsFromEnv`). */
export interface UploadSettings {
  /** Largest file, bytes (`TOOLFLOW_UPLOAD_LIMIT`, default 100 GiB). */
  maxFileBytes: number;
  /** Bytes one owner may hold in uploads that are not failed (`TOOLFLOW_UPLOAD_QUOTA`, default 1 TiB). */
  quotaBytes: number;
  /** An ongoing upload that stored no byte for this long is aborted and marked failed, ms (`TOOLFLOW_UPLOAD_EXPIRE_SECONDS`, default 24 h). */
  expireAfterMs: number;
  /** S3 part size, bytes (`TOOLFLOW_UPLOAD_PART_BYTES`, default 8 MiB; S3's minimum is 5 MiB). */
  partBytes: number;
}

/** Defaults of `UploadSettings`. */
export const DEFAULT_UPLOAD_SETTINGS: UploadSettings = {
  maxFileBytes: 100 * 1024 ** 3,
  quotaBytes: 1024 ** 4,
  expireAfterMs: 24 * 3600 * 1000,
  partBytes: 8 * 1024 * 1024,
};
