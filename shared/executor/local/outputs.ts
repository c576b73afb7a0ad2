/**
 * A succeeded attempt's declared outputs, in the local executor's work dirs (issue 10):
 * - `recordOutputs`: each declared output's size and SHA-256 (streamed, never read whole), then the
 *   output made read-only (`chmod a-w`; a directory and everything in it), so that the tools that
 *   link it (`outputs` bindings) and the attempts that reuse it (the cache) cannot change it by mistake;
 * - `reuseOutputs`: an earlier attempt's whole work dir (every file it left, its logs too) hard-linked
 *   (copied across filesystems) into a new attempt's work dir, after checking each recorded output
 *   is still there with its recorded size.
 *
 * A declared output that is a **directory** is recorded as a whole: `bytes` is the total size of the
 * regular files in it, `sha256` the SHA-256 of its manifest, one line per entry below it sorted by
 * path (UTF-8 byte order, paths relative to the output, `/`-separated, JSON-quoted):
 * `dir "<path>"`, `file <sha256 hex> <bytes> "<path>"`, `link "<target>" "<path>"` (a symbolic link is
 * recorded by its target text, never followed). So two directories with the same files, names and
 * links have the same hash, whatever their timestamps. A declared output that is a symbolic link is
 * recorded by what it points to (the tool's commands name that file), and is not made read-only
 * itself (that would change the file it points to). Anything else (a FIFO, a socket, a device) is
 * not an output: it is reported missing, with why.
 */
import { createHash } from 'node:crypto';
import { chmodSync, constants, createReadStream, lstatSync, readFileSync, statSync, type Stats } from 'node:fs';
import { chmod, copyFile, link, lstat, mkdir, readdir, readlink, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AttemptRef, OutputRecord } from '../../events/catalog.js';
import { outputSegments } from '../../sidecar/pod-layout.js';
import { PID_FILE } from './leftover.js';

/** Read size of the streamed hash, bytes. */
const HASH_CHUNK_BYTES = 1024 * 1024;
/**
 * Largest file hashed by one synchronous read, bytes: a few hundred microseconds at most, where the
 * streamed read costs a thread-pool round trip per call (open, read, read, close) on the path from
 * a tool's exit to the next tool's start. Larger files are streamed, so the event loop never waits long.
 */
const SYNC_HASH_BYTES = 1024 * 1024;

/** File written in an attempt dir whose files were reused (a cache hit): where they came from. */
export const CACHED_FROM_FILE = 'cached-from.txt';

/** What `recordOutputs` found: the records, and the outputs that could not be recorded, each with why. */
export interface RecordedOutputs {
  outputs: OutputRecord[];
  /** Declared outputs that are not files or directories (or could not be read), with why: reported as missing. */
  refused: { path: string; why: string }[];
}

/**
 * Records each declared output of a succeeded attempt (each distinct path once, in declared order)
 * and makes it read-only (see the module comment). Never throws for one output: one that cannot be
 * read, or is not a file or a directory, is in `refused`.
 * @param workDir the attempt's work dir; `declared` paths are relative to it (`ToolSpec.outputs`).
 */
export async function recordOutputs(workDir: string, declared: readonly string[]): Promise<RecordedOutputs> {
  const result: RecordedOutputs = { outputs: [], refused: [] };
  for (const path of new Set(declared)) {
    try {
      const full = join(workDir, ...outputSegments(path));
      // Synchronous stats, chmod and small reads: microseconds each (see SYNC_HASH_BYTES).
      const own = lstatSync(full);
      const st = own.isSymbolicLink() ? statSync(full) : own;
      if (st.isFile()) {
        const sha256 = st.size <= SYNC_HASH_BYTES ? createHash('sha256').update(readFileSync(full)).digest('hex') : await sha256OfFile(full);
        if (!own.isSymbolicLink()) chmodSync(full, st.mode & ~0o222);
        result.outputs.push({ path, bytes: st.size, sha256 });
      } else if (st.isDirectory()) {
        const manifest = await directoryManifest(full);
        if (!own.isSymbolicLink()) await freeze(full);
        result.outputs.push({ path, bytes: manifest.bytes, sha256: createHash('sha256').update(manifest.text).digest('hex') });
      } else {
        result.refused.push({ path, why: 'not a regular file or a directory' });
      }
    } catch (err) {
      result.refused.push({ path, why: `could not be read: ${(err as Error).message}` });
    }
  }
  return result;
}

/** SHA-256 of a file's bytes, lowercase hex, streamed. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: HASH_CHUNK_BYTES })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** One entry below a directory output, for its manifest. */
interface Entry {
  /** Relative to the output, `/`-separated. */
  rel: string;
  full: string;
  st: Stats;
}

/**
 * Every entry below `dir` (not `dir` itself), depth first, symbolic links not followed.
 * @throws Error naming an entry that is not a file, a directory or a symbolic link.
 */
async function entriesBelow(dir: string, rel = ''): Promise<Entry[]> {
  const out: Entry[] = [];
  for (const name of await readdir(dir)) {
    const full = join(dir, name);
    const r = rel === '' ? name : `${rel}/${name}`;
    const st = await lstat(full);
    if (!st.isFile() && !st.isDirectory() && !st.isSymbolicLink()) throw new Error(`${r} in it is not a regular file, a directory or a symbolic link`);
    out.push({ rel: r, full, st });
    if (st.isDirectory()) out.push(...(await entriesBelow(full, r)));
  }
  return out;
}

/** The manifest of a directory output (module comment) and the total bytes of its files. */
async function directoryManifest(dir: string): Promise<{ text: string; bytes: number }> {
  const entries = (await entriesBelow(dir)).sort((a, b) => Buffer.compare(Buffer.from(a.rel), Buffer.from(b.rel)));
  let bytes = 0;
  const lines: string[] = [];
  for (const e of entries) {
    const rel = JSON.stringify(e.rel);
    if (e.st.isDirectory()) lines.push(`dir ${rel}`);
    else if (e.st.isSymbolicLink()) lines.push(`link ${JSON.stringify(await readlink(e.full))} ${rel}`);
    else {
      bytes += e.st.size;
      lines.push(`file ${await sha256OfFile(e.full)} ${e.st.size} ${rel}`);
    }
  }
  return { text: lines.map((l) => `${l}\n`).join(''), bytes };
}

/** `chmod a-w` on a directory and everything in it but symbolic links, deepest first. */
async function freeze(dir: string): Promise<void> {
  const entries = await entriesBelow(dir);
  for (const e of entries.reverse()) if (!e.st.isSymbolicLink()) await chmod(e.full, e.st.mode & ~0o222);
  await chmod(dir, (await stat(dir)).mode & ~0o222);
}

/** Bytes an output has now, as `recordOutputs` counts them; undefined when it is gone or is not a file or a directory. */
async function bytesNow(path: string): Promise<number | undefined> {
  try {
    const st = await stat(path);
    if (st.isFile()) return st.size;
    if (!st.isDirectory()) return undefined;
    return (await entriesBelow(path)).reduce((n, e) => n + (e.st.isFile() ? e.st.size : 0), 0);
  } catch {
    return undefined;
  }
}

/** One path segment from a task id or tool name (recorded by toolflow; checked again as it becomes a folder). */
function segment(name: string, what: string): string {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) throw new Error(`${what} ${JSON.stringify(name)} cannot be a folder name`);
  return name;
}

/** `<root>/<taskId>/<tool>/attempt-<n>`, each name checked to be one folder. @throws Error for a name that is not. */
export function checkedAttemptDir(root: string, ref: AttemptRef): string {
  return join(root, segment(ref.taskId, 'task'), segment(ref.tool, 'tool'), `attempt-${ref.attempt}`);
}

/**
 * Makes the attempt in `toDir` hold every file the attempt in `fromDir` left (a cache hit): first
 * checks that each of its recorded `outputs` is there with its recorded size (`bytes`; a directory:
 * the total of its files), then places its whole work dir, recursively (`placeTree`): each file
 * hard-linked at the same path (copied, `COPYFILE_FICLONE`, read-only, where the link is refused:
 * another filesystem, EXDEV; hard links not allowed), each symbolic link made again with the same
 * target, each directory made (not linked), so that files its dependents read without them being
 * declared (`"$TF_DEP_x/words.txt"`) and its logs (`command.sh`, `stdout.log`, `stderr.log`) are
 * there too; its pid file (`.toolflow.pid`) is not. A declared output is placed as the output was
 * recorded (`place`: a symbolic link by the file it names). Then writes `cached-from.txt` saying
 * where they came from, unless the earlier attempt left a file of that name (it is linked instead).
 * Only the declared outputs are checked: the other files are taken as they are.
 * @returns false, leaving nothing of its own in `toDir` (what it made is removed; `toDir` too when it
 *   made it), when an output is gone or has another size, or a link or copy fails (a file removed
 *   meanwhile, a full disk, something in the way): the tool is then run.
 * @throws Error (before anything is made) for an output path that is not inside its work dir.
 */
export async function reuseOutputs(fromDir: string, toDir: string, from: AttemptRef, outputs: readonly OutputRecord[]): Promise<boolean> {
  const declared = new Set<string>();
  for (const o of outputs) {
    const segments = outputSegments(o.path);
    declared.add(segments.join('/'));
    if ((await bytesNow(join(fromDir, ...segments))) !== o.bytes) return false;
  }
  const madeDir = await mkdir(toDir, { recursive: true });
  const made: string[] = [];
  try {
    const names = await readdir(fromDir);
    await placeTree(fromDir, toDir, '', declared, made);
    // Not over a file of that name (a hard link: writing it would change the earlier attempt's file).
    if (!names.includes(CACHED_FROM_FILE)) {
      const note = join(toDir, CACHED_FROM_FILE);
      await writeFile(note, cachedFromNote(fromDir, from, outputs));
      made.push(note);
    }
    return true;
  } catch {
    for (const p of madeDir !== undefined ? [madeDir] : made.reverse()) await removeAll(p).catch(() => undefined);
    return false;
  }
}

/**
 * Places every entry below `src` (relative path `rel`, `/`-separated; `''` for the work dir itself)
 * at the same place below `dst`: a declared output (`declared`: their segments joined by `/`) by
 * `place`; otherwise a directory made (or kept, when one is there: a reuse delivered again), filled,
 * then given the mode of the earlier one; a symbolic link made again with the same target (never
 * followed); a file by `placeFile`. The pid file at the top is left out, and so is anything that is
 * not a file, a directory or a symbolic link (a FIFO, a socket). Each path it makes is pushed to
 * `made` (a directory before what is in it). @throws the file system's error (something in the way).
 */
async function placeTree(src: string, dst: string, rel: string, declared: ReadonlySet<string>, made: string[]): Promise<void> {
  for (const name of await readdir(src)) {
    if (rel === '' && name === PID_FILE) continue;
    const r = rel === '' ? name : `${rel}/${name}`;
    const s = join(src, name);
    const d = join(dst, name);
    if (declared.has(r)) {
      made.push(d);
      await place(s, d);
      continue;
    }
    const st = await lstat(s);
    if (st.isDirectory()) {
      const there = await lstat(d).catch(() => undefined);
      if (there === undefined) {
        await mkdir(d);
        made.push(d);
      } else if (there.isDirectory()) {
        await chmod(d, there.mode | 0o700);
      } else {
        throw new Error(`${d} is in the way of a directory`);
      }
      await placeTree(s, d, r, declared, made);
      await chmod(d, st.mode & 0o7777);
    } else if (st.isSymbolicLink()) {
      await rm(d, { force: true });
      await symlink(await readlink(s), d);
      made.push(d);
    } else if (st.isFile()) {
      await placeFile(s, d);
      made.push(d);
    }
  }
}

/** The text of `cached-from.txt`. */
function cachedFromNote(fromDir: string, from: AttemptRef, outputs: readonly OutputRecord[]): string {
  const lines = [
    `toolflow: this attempt did not run: its outputs are those of task ${from.taskId}, tool ${from.tool}, attempt ${from.attempt}`,
    `(${fromDir}), whose cache key (command, environment, values, image, inputs and the outputs it read) was the same.`,
    ...outputs.map((o) => `${o.sha256}  ${o.bytes}  ${o.path}`),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Puts `src` at `dst`: a file hard-linked (copied, read-only, when linking is refused), a directory
 * made again with each entry placed, a symbolic link made again with the same target. An entry
 * already at `dst` (this attempt's reuse done before, then redelivered) is replaced.
 */
async function place(src: string, dst: string): Promise<void> {
  const own = await lstat(src);
  const st = own.isSymbolicLink() ? await stat(src) : own;
  if (own.isSymbolicLink() && !st.isDirectory()) {
    // A symbolic link declared as an output: the file it names, linked or copied (as its hash was taken).
    return placeFile(await realpath(src), dst);
  }
  if (st.isDirectory()) {
    await removeAll(dst);
    await mkdir(dst);
    for (const name of await readdir(src)) {
      const s = join(src, name);
      const entry = await lstat(s);
      if (entry.isSymbolicLink()) await symlink(await readlink(s), join(dst, name));
      else await place(s, join(dst, name));
    }
    await chmod(dst, st.mode & ~0o222);
    return;
  }
  await placeFile(src, dst);
}

/** Hard-links file `src` to `dst`, or copies it (read-only) where a link is refused. */
async function placeFile(src: string, dst: string): Promise<void> {
  await rm(dst, { force: true });
  try {
    await link(src, dst);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
    await copyFile(src, dst, constants.COPYFILE_FICLONE);
    await chmod(dst, (await stat(dst)).mode & ~0o222);
  }
}

/** Removes a path and what is below it, read-only folders included (made writable first). */
async function removeAll(path: string): Promise<void> {
  let st: Stats;
  try {
    st = await lstat(path);
  } catch {
    return;
  }
  if (st.isDirectory()) {
    await chmod(path, 0o755);
    for (const name of await readdir(path)) await removeAll(join(path, name));
  }
  await rm(path, { recursive: true, force: true });
}
