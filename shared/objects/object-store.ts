/**
 * The object store port (S3 in services mode, a local folder in embedded mode). Keys are
 * `/`-separated; docs/architecture.md ("Data") lays them out as `<owner>/<upload-id>/<file name>` for inputs.
 */

/** Metadata of a stored object. */
export interface ObjectInfo {
  key: string;
  /** Size in bytes. */
  size: number;
}

/** What `putFile` stored. */
export interface StoredObject extends ObjectInfo {
  /** SHA-256 of the bytes stored, lowercase hex (computed as they were stored). */
  sha256: string;
}

/** The object store port. */
export interface ObjectStore {
  /**
   * Stores the file at `path` under `key`, replacing any object there. An abort through `signal`
   * stops the upload and leaves nothing behind (no object, no multipart parts).
   * @throws the store's error, or an AbortError after an abort.
   */
  putFile(key: string, path: string, options?: { signal?: AbortSignal }): Promise<StoredObject>;
  /**
   * Makes the object at `toKey` a copy of the one at `fromKey` (bytes and the store's metadata),
   * replacing any object there, without the bytes passing through the caller where the store can
   * (a hard link in a folder, S3's CopyObject). @returns the new object's info.
   * @throws NotFoundError when there is no object at `fromKey`; the store's error otherwise.
   */
  copy(fromKey: string, toKey: string): Promise<ObjectInfo>;
  /**
   * Writes the object to `path` (its folder must exist). `options.sha256` (lowercase hex, from the
   * upload's document or a `StoredInput`) is what the bytes must hash to where the adapter checks
   * downloads (S3: ChecksumMismatchError otherwise; without it, the object's own `sha256` metadata,
   * which objects stored by tus uploads lack). @throws NotFoundError when there is no such key.
   */
  getToFile(key: string, path: string, options?: { sha256?: string }): Promise<void>;
  /** @returns undefined when there is no such key. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Keys that start with `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  /** Releases connections, if the adapter holds any. */
  close?(): Promise<void>;
}

/**
 * Checks a key: non-empty `/`-separated segments, none `.` or `..`, no NUL or backslash, at most
 * 1024 bytes (S3's limit). Keeps keys from escaping the store's folder or bucket prefix.
 * @throws Error naming the bad key.
 */
export function checkObjectKey(key: string): string {
  const bad =
    key.length === 0 || Buffer.byteLength(key) > 1024 || key.includes('\0') || key.includes('\\') ||
    key.split('/').some((s) => s === '' || s === '.' || s === '..');
  if (bad) throw new Error(`invalid object key ${JSON.stringify(key)}: use non-empty segments separated by "/", without "." or ".."`);
  return key;
}

/**
 * Turns a user's file name into one safe as a key segment and a file name: the one rule of
 * `uploads/upload-names.ts` (`safeUploadName`: last path component; control, bidi and look-alike
 * characters and `..` replaced by `_`; leading dots stripped; empty → `file`; at most 255 UTF-8
 * bytes). Kept under this name for the callers that stage inputs by name.
 */
export { safeUploadName as safeFileName } from '../uploads/upload-names.js';
