/**
 * An attempt's output files: the `outputs` its tool declares, as they are in the attempt's work dir
 * (tool outputs stay there; they are not copied into the object store). Only declared names are
 * ever looked up, and only regular files whose real path (symbolic links resolved) is inside the
 * work dir are served, so neither a request (`../../etc/passwd`) nor a tool (an output that is a
 * link to `/etc/passwd`) can make the API read a file outside it.
 */
import { constants, type Stats } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { NotFoundError } from '../errors.js';

/** A declared output present in the work dir. */
export interface OutputFile {
  /** As the tool declares it, relative to its work dir (`out/counts.txt`). */
  name: string;
  /** Bytes. */
  size: number;
}

/** An output opened for reading; the caller closes `handle`. */
export interface OpenedOutput extends OutputFile {
  handle: FileHandle;
}

/**
 * Opens a declared output when it is a regular file inside `dir`.
 * @returns undefined when it is missing, not a regular file, or resolves outside `dir`.
 */
async function openInside(dir: string, name: string): Promise<OpenedOutput | undefined> {
  let real: string;
  let root: string;
  try {
    root = await realpath(dir);
    real = await realpath(join(dir, name));
  } catch {
    return undefined;
  }
  if (!real.startsWith(root + sep)) return undefined;
  let handle: FileHandle;
  try {
    // O_NOFOLLOW: the resolved path's last part must not have become a link since.
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  let st: Stats;
  try {
    st = await handle.stat();
  } catch {
    await handle.close();
    return undefined;
  }
  if (!st.isFile()) {
    await handle.close();
    return undefined;
  }
  return { name, size: st.size, handle };
}

/**
 * Lists the declared outputs present in an attempt's work dir, in declaration order.
 * @param declared the tool's `outputs` (relative paths without `..`, checked by the loader).
 */
export async function listOutputs(dir: string, declared: readonly string[]): Promise<OutputFile[]> {
  const found: OutputFile[] = [];
  for (const name of declared) {
    const opened = await openInside(dir, name);
    if (!opened) continue;
    await opened.handle.close();
    found.push({ name, size: opened.size });
  }
  return found;
}

/**
 * Opens one declared output for reading.
 * @throws NotFoundError when `name` is not one of `declared` (the message lists them), or when it
 *   is not a regular file inside the work dir (not written, or a link leading outside).
 */
export async function openOutput(dir: string, declared: readonly string[], name: string, what: string): Promise<OpenedOutput> {
  if (!declared.includes(name)) {
    const list = declared.length ? `its outputs: ${declared.join(', ')}` : 'it declares no outputs';
    throw new NotFoundError(`${what} has no output ${JSON.stringify(name)}; ${list}`);
  }
  const opened = await openInside(dir, name);
  if (!opened) throw new NotFoundError(`${what}: output ${JSON.stringify(name)} is not a file in its work dir (not written, or not a regular file inside it)`);
  return opened;
}
