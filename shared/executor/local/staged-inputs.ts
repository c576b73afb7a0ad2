/**
 * Inputs staged for an attempt of the local executor (issue 11, embedded inputs): linked, never
 * copied, only for the attempts that get them (`request.inputs`, which the work manager fills with
 * the tool's own inputs, `spec/bindings.ts` `inputsFor`), and read-only to tools.
 *
 * Staging: `<root>/<task>/_inputs/<name's segments>/<file>` is a symbolic link to the object's file
 * in the local object store (which is itself the user's file, a hard link to it, a clone, or a
 * symbolic link to it: `objects/in-place.ts`). Before each attempt the object is checked against
 * what was recorded when the run was submitted (`StoredInput.local`: inode, size, mtime; else the
 * recorded size): a file changed or deleted since is a launch error naming the input and the file
 * (`InputChangedError`), never a silent run on other bytes than those checksummed. The check is a
 * stat (microseconds): nothing is read again.
 *
 * Read-only, and why by detection: a hard link shares the user's inode, so making the object
 * read-only (`chmod a-w`) would change the user's own file, and a symbolic link gives the tool the
 * user's file itself; neither can be made read-only for one process without privileges (a
 * read-only bind mount, a Landlock ruleset). So the object is stamped (inode, size, mtime) when the
 * attempt starts and again when it ends, and the staged link is checked to still be that link: a
 * change fails the attempt (`ExitDetails.inputChanged`, classified `config`, never rerun: the bytes
 * it would read are not those submitted) with a message naming the tool, the input and the file;
 * later attempts then refuse the input at staging (its stamp no longer matches). An object that is
 * toolflow's own inode (a clone, a copy: one link, not a symbolic link) is also made read-only, so
 * a tool cannot write it without changing its mode first. ctime is not compared here: another run
 * linking the same file changes it without changing a byte. What this cannot see: a write that
 * keeps the size and puts the mtime back (`touch -r`) within one attempt.
 *
 * An input stored elsewhere (S3, services mode) is downloaded once per task into the same place,
 * made read-only, and checked the same way.
 */
import { chmodSync, lstatSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureDir } from '../../ensure-dir.js';
import { ToolflowError } from '../../errors.js';
import type { StoredInput } from '../../events/catalog.js';
import { describeChange, fileIdentitySync, sameStamp, type FileStamp } from '../../objects/file-identity.js';
import { safeFileName } from '../../objects/object-store.js';

/** Thrown when an input is not what was submitted (changed, deleted, or modified by an earlier attempt): a launch error. */
export class InputChangedError extends ToolflowError {
  constructor(message: string) {
    super('INPUT_CHANGED', message);
  }
}

/** One input staged for an attempt. */
export interface StagedInput {
  /** The stored input's name (`request.inputs` key). */
  name: string;
  /** What the tool is given (`TF_INPUT_*`, `input` bindings): `_inputs/…/<file>`. */
  path: string;
  /** The file the tool reads through `path`: the object's file (links followed), or `path` itself for a download. */
  file: string;
  /** Whether `path` is a symbolic link to `file` (checked again after the attempt). */
  linked: boolean;
  /** The inode of the link itself (a link made again meanwhile, after a tool replaced it, has another). */
  linkIno?: number;
  /** `file`'s stamp when the attempt started. */
  stamp: FileStamp;
  /** Whether `file` is the user's own file (a hard link or a symbolic link to it), which toolflow never chmods. */
  usersFile: boolean;
  stored: StoredInput;
}

/** `_inputs/<segments>` of a task. */
function inputsDir(root: string, taskId: string, segments: string[]): string {
  return join(root, taskId, '_inputs', ...segments);
}

/**
 * Stages input `name` for an attempt as a symbolic link to `objectFile` (synchronous: a few stats,
 * microseconds), after checking the object against what was recorded (module comment). A link
 * already there to the same file is kept; anything else at that name (left by a tool that replaced
 * its input, whose attempt failed for it) is replaced by the link.
 * @param segments the input's folders under `_inputs/` (`local-executor.ts` `inputFolder`).
 * @param refused files an earlier attempt changed (this executor's record), with why.
 * @throws InputChangedError when the object is gone, differs from what was recorded, or was refused.
 */
export function stageLinkedInput(root: string, taskId: string, name: string, segments: string[], stored: StoredInput, objectFile: string, refused: ReadonlyMap<string, string>): StagedInput {
  const own = lstatSync(objectFile, { throwIfNoEntry: false });
  const identity = fileIdentitySync(objectFile);
  const local = stored.local;
  const userFile = local?.path ?? objectFile;
  if (!identity) {
    throw new InputChangedError(
      local?.how === 'reference'
        ? `input ${name}: the file ${local.path} was deleted or moved after the run was submitted; run again with the file in place`
        : `input ${name}: its object ${objectFile} is gone (was it removed by toolflow gc?); run the workflow again`,
    );
  }
  const why = refused.get(objectFile);
  if (why !== undefined) throw new InputChangedError(`input ${name}: ${userFile} was changed while an earlier attempt of this task ran (${why}), so it is not used again; run the workflow again`);
  if (local && !sameStamp(local, identity)) {
    throw new InputChangedError(
      local.how === 'link' || local.how === 'reference'
        ? `input ${name}: the file ${local.path} changed after the run was submitted (${describeChange(local, identity)}), so it no longer holds the bytes whose SHA-256 was recorded; run again to use it as it is now`
        : `input ${name}: its stored copy ${objectFile} changed after the run was submitted (${describeChange(local, identity)}); run the workflow again`,
    );
  }
  if (!local && stored.bytes !== undefined && identity.size !== stored.bytes) {
    throw new InputChangedError(`input ${name}: its object ${objectFile} has ${identity.size} bytes, not the ${stored.bytes} recorded when it was stored; run the workflow again`);
  }
  const usersFile = local?.how === 'link' || local?.how === 'reference' || !own || own.isSymbolicLink() || identity.nlink > 1;
  if (!usersFile) makeReadOnly(objectFile);
  const dir = inputsDir(root, taskId, segments);
  ensureDir(dir);
  const path = join(dir, safeFileName(stored.fileName));
  const there = lstatSync(path, { throwIfNoEntry: false });
  const target = resolve(objectFile); // absolute: a relative target would be read from the inputs folder
  if (!(there?.isSymbolicLink() && readlinkSync(path) === target)) {
    if (there) rmSync(path, { recursive: true, force: true }); // never follows a link: removes the link itself
    symlinkSync(target, path);
  }
  return { name, path, file: objectFile, linked: true, linkIno: lstatSync(path).ino, stamp: identity, usersFile, stored };
}

/**
 * Checks a downloaded input (`path`, a file of the task's own) before an attempt: made read-only,
 * stamped, and compared with its stamp when first staged (`first`).
 * @throws InputChangedError when it is gone or differs from `first`, or was refused.
 */
export function checkDownloadedInput(name: string, path: string, stored: StoredInput, first: FileStamp | undefined, refused: ReadonlyMap<string, string>): StagedInput {
  const identity = fileIdentitySync(path);
  if (!identity) throw new InputChangedError(`input ${name}: its staged copy ${path} is gone (a tool of this task deleted it?); run the workflow again`);
  const why = refused.get(path);
  if (why !== undefined) throw new InputChangedError(`input ${name}: its staged copy ${path} was changed while an earlier attempt of this task ran (${why}), so it is not used again; run the workflow again`);
  if (first && !sameStamp(first, identity)) throw new InputChangedError(`input ${name}: its staged copy ${path} changed (${describeChange(first, identity)}); run the workflow again`);
  makeReadOnly(path);
  return { name, path, file: path, linked: false, stamp: identity, usersFile: false, stored };
}

/** Clears the write bits of a file of toolflow's own (never the user's), if any is set. */
function makeReadOnly(file: string): void {
  const mode = lstatSync(file).mode & 0o7777;
  if (mode & 0o222) chmodSync(file, mode & ~0o222);
}

/**
 * After an attempt of `tool` ended: checks each input it was given (module comment). Records each
 * changed file in `refused` (with why), so this executor never stages it again.
 * @returns the message of every change found (`ExitDetails.inputChanged`), or undefined when none.
 */
export function checkInputsAfter(tool: string, staged: readonly StagedInput[], refused: Map<string, string>): string | undefined {
  const problems: string[] = [];
  for (const s of staged) {
    const problem = changeOf(tool, s);
    if (problem === undefined) continue;
    problems.push(problem.message);
    if (problem.refuse) refused.set(s.file, problem.refuse);
  }
  return problems.length ? problems.join('; ') : undefined;
}

/** What changed in one staged input, or undefined. */
function changeOf(tool: string, s: StagedInput): { message: string; refuse?: string } | undefined {
  const shown = s.stored.local?.path ?? s.file;
  const whose = s.usersFile ? `the user's own file ${shown}` : `its stored copy ${s.file}; the user's file is intact`;
  const advice = s.usersFile ? 'restore the file, or run again to use it as it is now' : 'run the workflow again';
  if (s.linked) {
    const there = lstatSync(s.path, { throwIfNoEntry: false });
    // A link the tool removed is staged again for the next attempt: the input itself is untouched.
    // Another link in its place (same target, another inode): made again by a launch of another
    // attempt after this one had replaced it.
    if (there && !(there.isSymbolicLink() && readlinkSync(s.path) === resolve(s.file) && (s.linkIno === undefined || there.ino === s.linkIno))) {
      return { message: `tool ${tool} replaced its input ${s.name} (${s.path}) with another file; inputs are read-only to tools: write new files in the work dir instead` };
    }
  }
  const now = fileIdentitySync(s.file);
  if (!now) {
    return { message: `input ${s.name} (${whose}) was deleted while tool ${tool} ran; inputs are read-only to tools`, refuse: 'deleted' };
  }
  if (sameStamp(s.stamp, now)) return undefined;
  const how = describeChange(s.stamp, now);
  return {
    message: `tool ${tool} modified its input ${s.name} (${whose}: ${how}) while it ran, or another program did; inputs are read-only to tools: ${advice}`,
    refuse: `tool ${tool}: ${how}`,
  };
}
