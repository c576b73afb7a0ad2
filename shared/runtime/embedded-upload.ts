/**
 * The input files of an embedded-mode run, held in place (issue 11, "Embedded mode"): where
 * `toolflow run` used to copy each input into the object store (and the executor copy it again into
 * the task's folder), the object at `<owner>/<uploadId>/<safe name>` is now the user's file itself,
 * with no byte copied (`objects/in-place.ts`: a hard link on the same filesystem, else a reflink
 * clone, else a symbolic link to the file), and its SHA-256 comes from the checksum cache when the
 * file is unchanged since an earlier run (`input-checksums.ts`: no byte read). What was placed, and
 * the file's inode, size and mtime, go with the input (`StoredInput.local`), so the local executor
 * can tell a file changed or deleted before a tool reads it, or by the tool (`executor/local/staged-inputs.ts`).
 *
 * A file that is not a regular one (a pipe: `--input reads=<(zcat reads.fq.gz)`) has no inode to
 * hold: it is read once into the store as a copy (`how: 'copy'`), hashed on the way, read-only.
 *
 * No upload status document is written: the input belongs to the run that names it, and the API's
 * uploads (`toolflow upload`, `POST /v1/uploads`) stay copies through the upload facade, since they
 * must outlive any later change to the user's file.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, realpath, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ensureDir } from '../ensure-dir.js';
import { ToolflowError } from '../errors.js';
import type { LocalInput, StoredInput } from '../events/catalog.js';
import { fileIdentity, sameIdentity, sameStamp, type FileIdentity } from '../objects/file-identity.js';
import type { PlaceWays } from '../objects/in-place.js';
import type { LocalObjectStore } from '../objects/local-object-store.js';
import { checkObjectKey, safeFileName } from '../objects/object-store.js';
import type { Store } from '../store/store.js';
import { checksumOf, hashed, recordChecksum } from './input-checksums.js';
import { checkFormat, SNIFF_BYTES } from '../uploads/format-check.js';
import type { FileFormat } from '../uploads/upload-doc.js';
import { FormatMismatchError } from '../uploads/upload-errors.js';

/** What `inputInPlace` returns: a `StoredInput` with its checksum, size and `local`, and its upload id. */
export type InPlaceInput = StoredInput & Required<Pick<StoredInput, 'sha256' | 'bytes' | 'local'>> & { uploadId: string };

/** Options of `inputInPlace`. */
export interface InPlaceOptions {
  /** Aborts (Ctrl-C): nothing is left in the object store. */
  signal?: AbortSignal;
  /** Bytes done so far: read to hash, or the whole size at once when the checksum was known. */
  onProgress?: (bytes: number) => void;
  /** The ways the object may hold the file (default every one, best first: `in-place.ts`); tests limit them. */
  ways?: PlaceWays;
  /**
   * The format a pipe's bytes must fit, checked on the first SNIFF_BYTES of the copy as they come
   * (FormatMismatchError; the copy is removed). A regular file's format is checked before, by
   * `toolflow run` (`local-formats.ts`), so it is not checked again here.
   */
  format?: FileFormat;
}

/** Thrown when an input file cannot be used: gone, unreadable, or changing while it is being checksummed. */
export class InputFileError extends ToolflowError {
  constructor(message: string) {
    super('INPUT_FILE', message);
  }
}

/** Tries of a file that changes while it is checksummed or placed, before giving up. */
const TRIES = 3;

/**
 * Records the input file `path` for a run of `owner`, in place (module comment).
 * @param ports the store (its checksum cache) and the local object store.
 * @returns the stored input (`key`, `fileName`, `sha256`, `bytes`, `local`) and its upload id.
 * @throws InputFileError for a file that is gone or cannot be read, or that changed while it was
 *   read three times in a row (something is writing it); FormatMismatchError for a pipe whose
 *   first bytes do not fit `options.format` (nothing kept); an AbortError after an abort; the store's error.
 */
export async function inputInPlace(
  ports: { store: Pick<Store, 'getInputChecksum' | 'putInputChecksum'>; objects: LocalObjectStore },
  owner: string,
  path: string,
  options: InPlaceOptions = {},
): Promise<InPlaceInput> {
  const abs = resolve(path);
  const fileName = safeFileName(basename(abs));
  for (let tries = 1; ; tries++) {
    options.signal?.throwIfAborted();
    // A pipe (`<(zcat r.fq.gz)` is /dev/fd/63, whose link names `pipe:[…]`, no path) is read as given.
    const st = await stat(abs).catch((err: unknown) => {
      throw fileError(abs, err);
    });
    if (st.isFIFO() || st.isCharacterDevice()) {
      const uploadId = randomUUID();
      return copyIn(ports.objects, abs, checkObjectKey(`${owner}/${uploadId}/${fileName}`), uploadId, fileName, options);
    }
    // The file itself, not a symbolic link to it (a hard link to a link would be that link, whose
    // relative target means nothing in the object store).
    const real = await realpath(abs).catch((err: unknown) => {
      throw fileError(abs, err);
    });
    const before = await identityOrFail(real);
    const uploadId = randomUUID();
    const key = checkObjectKey(`${owner}/${uploadId}/${fileName}`);
    if (!before.isFile) return copyIn(ports.objects, abs, key, uploadId, fileName, options);
    const sum = await checksumOf(ports.store, real, before, options).catch((err: unknown) => {
      throw (err as Error).name === 'AbortError' ? err : fileError(abs, err);
    });
    const retry = () => {
      if (tries >= TRIES) throw new InputFileError(`input file ${abs} changed while it was being read, ${TRIES} times in a row: wait until nothing writes it, then run again`);
    };
    if (sum.hashed && !sameIdentity(before, await identityOrFail(real))) {
      retry();
      continue;
    }
    const placed = await ports.objects.placeInput(key, real, options.ways).catch((err: unknown) => {
      throw fileError(abs, err);
    });
    // The object must hold the bytes checksummed: the same inode, size and mtime (a link or a
    // reference), or a clone taken while the file was unchanged.
    const now = placed.how === 'reflink' ? await identityOrFail(real) : placed.identity;
    const holds = placed.how === 'reflink' ? sameIdentity(before, now) && placed.identity.size === before.size : sameStamp(before, now);
    if (!holds || options.signal?.aborted) {
      await ports.objects.delete(key);
      options.signal?.throwIfAborted();
      retry();
      continue;
    }
    // A link changed the file's ctime (`link(2)`): record the one it has now, so the next run finds it unchanged.
    await recordChecksum(ports.store, real, placed.how === 'link' ? { ...before, ctimeNs: now.ctimeNs } : before, sum);
    const local: LocalInput = { path: abs, how: placed.how, ino: placed.identity.ino, size: placed.identity.size, mtimeNs: placed.identity.mtimeNs };
    return { key, fileName, uploadId, sha256: sum.sha256, bytes: before.size, local };
  }
}

/** The identity of `path`. @throws InputFileError saying why it cannot be used. */
async function identityOrFail(path: string): Promise<FileIdentity> {
  try {
    return await fileIdentity(path);
  } catch (err) {
    throw fileError(path, err);
  }
}

/** A filesystem error about input file `path` in words for people (an InputFileError), or `err` itself when it is not one. */
function fileError(path: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new InputFileError(`input file ${path} is gone (no such file): give a file that exists`);
  if (code === 'EACCES' || code === 'EPERM') return new InputFileError(`input file ${path} cannot be read (permission denied)`);
  if (code === 'EISDIR') return new InputFileError(`input file ${path} is a directory, not a file`);
  return err;
}

/**
 * Reads a file that is not a regular one (a pipe) into the store once: a temporary file, hashed as
 * it is written, made read-only and renamed into place (an abort removes it).
 */
async function copyIn(objects: LocalObjectStore, path: string, key: string, uploadId: string, fileName: string, options: InPlaceOptions): Promise<InPlaceInput> {
  const target = objects.fileOf(key);
  ensureDir(dirname(target));
  const tmp = `${target}.part-${process.pid}-${Date.now()}`;
  const hash = createHash('sha256');
  let bytes = 0;
  hashed.files++;
  // The first SNIFF_BYTES, kept for the format check (the pipe is read once: these are the copy's).
  const head: Buffer[] = [];
  let checked = options.format === undefined;
  const check = (): Error | undefined => {
    checked = true;
    const why = checkFormat(options.format!, Buffer.concat(head).subarray(0, SNIFF_BYTES));
    return why ? new FormatMismatchError(why) : undefined;
  };
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      if (!checked && bytes < SNIFF_BYTES) head.push(chunk);
      bytes += chunk.length;
      hashed.bytes += chunk.length;
      options.onProgress?.(bytes);
      done(!checked && bytes >= SNIFF_BYTES ? check() : null, chunk);
    },
    flush(done) {
      done(checked ? null : check());
    },
  });
  try {
    await pipeline(createReadStream(path), count, createWriteStream(tmp, { flags: 'wx' }), { signal: options.signal });
    await chmod(tmp, 0o444);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    await rmdir(dirname(target)).catch(() => undefined); // the upload's own folder, `<owner>/<uploadId>/`: nothing of it is kept
    throw (err as Error).name === 'AbortError' || err instanceof FormatMismatchError ? err : fileError(path, err);
  }
  const identity = await fileIdentity(target);
  const local: LocalInput = { path, how: 'copy', ino: identity.ino, size: identity.size, mtimeNs: identity.mtimeNs };
  return { key, fileName, uploadId, sha256: hash.digest('hex'), bytes, local };
}
