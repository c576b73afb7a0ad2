/**
 * The local resume state of `toolflow upload --server`: for each (server, file) one small JSON
 * file under `$XDG_STATE_HOME/toolflow/uploads/` (default `~/.local/state/toolflow/uploads/`,
 * the XDG Base Directory Specification's place for state that outlives a run but is not worth a
 * backup), mode 0600 in a 0700 folder, holding the tus upload URL of the unfinished upload and the
 * identity of the file it was made from. Never the token: the URL alone does not let anyone write,
 * the API checks the bearer token on every request.
 *
 * A stored upload is offered for resuming only while the file's fingerprint is unchanged: its
 * absolute path, size, modification time (ns) and device/inode numbers, with the server's tus
 * endpoint. The owner is not part of it (the token decides that on the server: another owner's
 * URL answers 404 and the upload starts over). The state file's NAME depends on (endpoint, path)
 * only, so a changed file's stale entry is found, replaced and its server-side upload let go.
 *
 * This implements tus-js-client's `UrlStorage` interface (`findUploadsByFingerprint`, `addUpload`,
 * `removeUpload`, `findAllUploads`; tus-js-client 4 `lib/index.d.ts`) for one file, in place of
 * its `FileUrlStorage`, which keeps every upload in one JSON file created with mode 0660.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** What identifies a local file's content for resuming: it changes when the file is replaced or written. */
export interface FileIdentity {
  /** Absolute path (`path.resolve` of the name given). */
  path: string;
  /** Size, bytes. */
  size: number;
  /** Modification time, nanoseconds since the epoch (decimal string: more than 2^53). */
  mtimeNs: string;
  /** Device and inode numbers (decimal strings). */
  dev: string;
  ino: string;
}

/** One state file's content (version 1). */
export interface UploadStateRecord {
  version: 1;
  /** The tus endpoint the upload was created at (`<server>/v1/tus`). */
  endpoint: string;
  /** The file's identity when the upload was created. */
  file: FileIdentity;
  /** `fingerprintOf(endpoint, file)`. */
  fingerprint: string;
  /** The tus upload URL (the server's `Location`); what a resume sends HEAD and PATCH to. */
  uploadUrl: string;
  /** Size declared to the server (tus `Upload-Length`), bytes. */
  size: number | null;
  /** The Upload-Metadata sent (`filename`, `format`): no secret. */
  metadata: Record<string, string>;
  /** When the upload was created (tus-js-client's `creationTime`, a Date string). */
  creationTime: string;
}

/** tus-js-client's `PreviousUpload` (lib/index.d.ts), as this storage returns it. */
export interface PreviousUpload {
  size: number | null;
  metadata: { [key: string]: string };
  creationTime: string;
  urlStorageKey: string;
  uploadUrl: string | null;
  parallelUploadUrls: string[] | null;
}

/**
 * The folder of the resume state: `$XDG_STATE_HOME/toolflow/uploads`, or
 * `~/.local/state/toolflow/uploads` when XDG_STATE_HOME is unset, empty or relative (the XDG
 * Base Directory Specification says a relative value is invalid and is to be ignored).
 */
export function uploadStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_STATE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'toolflow', 'uploads');
}

/**
 * Reads a file's identity (`stat` with bigint times, so a write within the same millisecond still
 * changes it). @throws the stat's error (ENOENT, EACCES, …) as Node gives it.
 */
export async function fileIdentity(path: string): Promise<FileIdentity> {
  const abs = resolve(path);
  const s = await stat(abs, { bigint: true });
  return { path: abs, size: Number(s.size), mtimeNs: s.mtimeNs.toString(), dev: s.dev.toString(), ino: s.ino.toString() };
}

/** Whether two identities are of the same unchanged file. */
export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.path === b.path && a.size === b.size && a.mtimeNs === b.mtimeNs && a.dev === b.dev && a.ino === b.ino;
}

/** The fingerprint of a file at an endpoint: SHA-256 (hex) of both, as tus-js-client's `fingerprint` option returns one. */
export function fingerprintOf(endpoint: string, file: FileIdentity): string {
  return createHash('sha256').update(JSON.stringify([endpoint, file.path, file.size, file.mtimeNs, file.dev, file.ino])).digest('hex');
}

/** The state file's name for (endpoint, path): the same for every version of the file. */
function stateFileName(endpoint: string, path: string): string {
  return `${createHash('sha256').update(`${endpoint}\0${path}`).digest('hex').slice(0, 40)}.json`;
}

/** Whether `url` is on `endpoint`'s origin (scheme, host and port); false for a URL that does not parse. */
function sameOrigin(url: string, endpoint: string): boolean {
  try {
    return new URL(url).origin === new URL(endpoint).origin;
  } catch {
    return false;
  }
}

/**
 * Reads a state file; undefined when missing, unreadable (a folder in its place, no permission) or
 * not a version-1 record: the state only saves bytes, so a damaged one is ignored (and replaced).
 */
async function readRecord(file: string): Promise<UploadStateRecord | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const r = JSON.parse(text) as UploadStateRecord;
    return r && r.version === 1 && typeof r.uploadUrl === 'string' && typeof r.fingerprint === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The resume state of one file at one endpoint, usable as tus-js-client's `urlStorage`.
 * Writes are atomic (a 0600 temporary file renamed over the state file).
 */
export class UploadState {
  /** The state file's path. */
  readonly file: string;
  readonly fingerprint: string;

  /**
   * @param dir the state folder (`uploadStateDir()`); created 0700 when first written.
   * @param endpoint the tus endpoint (`<server>/v1/tus`).
   * @param identity the file's identity now (`fileIdentity`).
   */
  constructor(
    readonly dir: string,
    readonly endpoint: string,
    readonly identity: FileIdentity,
  ) {
    this.file = join(dir, stateFileName(endpoint, identity.path));
    this.fingerprint = fingerprintOf(endpoint, identity);
  }

  /**
   * What is stored for this (endpoint, path), whatever the file's identity then.
   * @returns the record, or undefined when there is none.
   */
  read(): Promise<UploadStateRecord | undefined> {
    return readRecord(this.file);
  }

  /**
   * Removes the state file (after success, or when it is stale). Missing is fine, and so is a
   * failure (a folder in its place): a stale record only makes a later run ask the server, which
   * answers that upload's offset.
   */
  async clear(): Promise<void> {
    await rm(this.file, { force: true }).catch(() => undefined);
  }

  // tus-js-client UrlStorage ------------------------------------------------------------------

  /** Every stored upload of this file whose fingerprint is `fingerprint` (at most one). */
  async findUploadsByFingerprint(fingerprint: string): Promise<PreviousUpload[]> {
    const r = await this.read();
    if (!r || r.fingerprint !== fingerprint || r.endpoint !== this.endpoint) return [];
    // The token goes wherever the URL points: only to the endpoint's own origin.
    if (!sameOrigin(r.uploadUrl, this.endpoint)) return [];
    return [{ size: r.size, metadata: r.metadata, creationTime: r.creationTime, urlStorageKey: this.file, uploadUrl: r.uploadUrl, parallelUploadUrls: null }];
  }

  /** Same as `findUploadsByFingerprint(this.fingerprint)`. */
  findAllUploads(): Promise<PreviousUpload[]> {
    return this.findUploadsByFingerprint(this.fingerprint);
  }

  /** Forgets the stored upload (`urlStorageKey` is the state file's path). */
  async removeUpload(urlStorageKey: string): Promise<void> {
    if (urlStorageKey === this.file) await this.clear();
  }

  /**
   * Told when the state cannot be written (`addUpload`): the upload goes on, without resume.
   * (tus-js-client does not catch a failed `addUpload`, so it never throws.)
   */
  onWriteError?: (err: Error) => void;

  /**
   * Stores the upload tus-js-client has just created (before any byte of it is sent), replacing
   * any earlier record of this (endpoint, path). @returns its `urlStorageKey` (the file's path).
   * A file-system error is handed to `onWriteError`, not thrown.
   */
  async addUpload(fingerprint: string, upload: { size?: number | null; metadata?: Record<string, string>; creationTime?: string; uploadUrl?: string | null }): Promise<string> {
    try {
      await this.write(fingerprint, upload);
    } catch (err) {
      this.onWriteError?.(err as Error);
    }
    return this.file;
  }

  /** Writes the record atomically (0600 temporary file, renamed). @throws the file system's error. */
  async write(fingerprint: string, upload: { size?: number | null; metadata?: Record<string, string>; creationTime?: string; uploadUrl?: string | null }): Promise<void> {
    if (!upload.uploadUrl) return; // a parallel upload: not used here
    const record: UploadStateRecord = {
      version: 1,
      endpoint: this.endpoint,
      file: this.identity,
      fingerprint,
      uploadUrl: upload.uploadUrl,
      size: upload.size ?? null,
      metadata: upload.metadata ?? {},
      creationTime: upload.creationTime ?? new Date().toString(),
    };
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700).catch(() => undefined); // a folder made earlier by hand may be wider
    const tmp = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify(record, null, 2) + '\n', 'utf8');
      await handle.chmod(0o600); // whatever the umask made of it
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(tmp, this.file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
}

/**
 * Every record in the state folder (for tests and diagnostics), with its file's path and mode.
 * @returns an empty list when the folder does not exist.
 */
export async function listUploadStates(dir: string): Promise<{ file: string; mode: number; record: UploadStateRecord | undefined }[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return Promise.all(
    names.map(async (n) => {
      const file = join(dir, n);
      return { file, mode: (await stat(file)).mode & 0o777, record: await readRecord(file) };
    }),
  );
}

