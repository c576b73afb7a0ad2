/**
 * The checks `toolflow upload` makes on a local file before sending any byte of it: it exists, is
 * a regular file (not a directory, a device or a FIFO, whose size a resumable upload cannot
 * declare), and this user may read it. Each refusal is a `LocalFileError` whose message says what
 * is wrong; the caller names the file (with `shownName`).
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { ToolflowError } from '../errors.js';
import { fileIdentity, type FileIdentity } from './upload-state.js';

/** Thrown when a local file cannot be uploaded: missing, a directory or not a regular file, unreadable. */
export class LocalFileError extends ToolflowError {
  constructor(
    message: string,
    /** Node's error code behind it (`ENOENT`, `EACCES`, `EISDIR`…), when there is one. */
    readonly errno?: string,
  ) {
    super('FILE_UNUSABLE', message);
  }
}

/**
 * Checks that `path` can be uploaded and reads its identity (size, mtime, dev/ino).
 * @returns the identity (`upload-state.ts`), taken from the opened file's own stat.
 * @throws LocalFileError: `no such file`, `is a directory, not a file`, `is not a regular file`,
 *   `cannot be read (permission denied)`, or the system's message for other errors.
 */
export async function checkLocalFile(path: string): Promise<FileIdentity> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK); // O_NONBLOCK: a FIFO does not hang the open
  } catch (err) {
    throw localFileError(err);
  }
  try {
    const s = await handle.stat();
    if (s.isDirectory()) throw new LocalFileError('is a directory, not a file: give the files in it', 'EISDIR');
    if (!s.isFile()) throw new LocalFileError('is not a regular file (a device, FIFO or socket has no size to declare): copy it to a file first');
  } finally {
    await handle.close();
  }
  try {
    return await fileIdentity(path);
  } catch (err) {
    throw localFileError(err);
  }
}

/** A file-system error as a LocalFileError with words for people. */
export function localFileError(err: unknown): LocalFileError {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return new LocalFileError('no such file', code);
    case 'EISDIR':
      return new LocalFileError('is a directory, not a file: give the files in it', code);
    case 'EACCES':
    case 'EPERM':
      return new LocalFileError('cannot be read (permission denied)', code);
    case 'ENOTDIR':
      return new LocalFileError('no such file (a part of its path is not a folder)', code);
    case 'ELOOP':
      return new LocalFileError('cannot be opened: too many levels of symbolic links', code);
    default:
      return new LocalFileError(`cannot be read: ${(err as Error)?.message ?? String(err)}`, code);
  }
}
