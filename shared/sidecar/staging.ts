/**
 * Staging an attempt's files into its Pod's shared folder before the tool starts (the design note,
 * "Sidecar"): each input object to `inputs/<input>/<safe file name>` (an item's file, stored as
 * `<input>/<key>/<column>`, to `inputs/<input>/<key>/<column>/<file>`), every object of each
 * dependency's succeeded attempt (its declared outputs and its logs, as `TF_DEP_<tool>` is the
 * dependency's work dir in local mode too) to `deps/<tool>/<path below the attempt's prefix>`, all
 * read-only (files 0444, folders 0555: a tool cannot change another tool's outputs by mistake), and
 * an empty `work/` (mode 0777: the tool's image may run as any user, the sidecar as another).
 * A planned tool (issue 10: `spec.bindings`) gets `deps/<tool>/` only for the tools its `dir`
 * bindings name, and each file of its `outputs` bindings as `work/<base name>` (read-only), where
 * the local executor makes a symbolic link of that name: the tool may write beside it.
 * A restarted sidecar that finds no `ready` stages again from scratch.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, NotFoundError, ToolflowError } from '../errors.js';
import type { AttemptRequest } from '../executor/executor.js';
import { linkedName } from '../executor/local/command-script.js';
import { safeFileName, type ObjectStore } from '../objects/object-store.js';
import type { PodPaths } from './pod-command.js';
import { attemptObjectKey, attemptObjectPrefix, outputSegments, PodFile } from './pod-layout.js';

/** A staging step that failed (code `STAGING_FAILED`): `message` names the object and what it was for (never a credential). */
export class StagingError extends ToolflowError {
  constructor(message: string, cause?: unknown) {
    super('STAGING_FAILED', message, { cause });
  }
}

/** Tries of one object-store call that fails for a reason other than a missing object or refused access. */
export const STORE_TRIES = 3;
/** Wait before the second try, ms; doubled for each further one. */
export const STORE_RETRY_MS = 1000;

/**
 * Runs `call` up to `STORE_TRIES` times, waiting 1 s, then 2 s, between tries. A NotFoundError or
 * ConfigError (a missing key, a missing bucket, refused access: trying again cannot help), an
 * ENOSPC, or an abort through `signal` is thrown at once; otherwise the last error is.
 */
export async function withStoreRetries<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const final = err instanceof NotFoundError || err instanceof ConfigError || code === 'ENOSPC' || code === 'EDQUOT';
      if (final || i >= STORE_TRIES || signal?.aborted) throw err;
      await new Promise((r) => setTimeout(r, STORE_RETRY_MS * 2 ** (i - 1)));
    }
  }
}

/** Removes a folder tree that may hold read-only folders (made writable first, so a non-root sidecar can remove it too). */
export function removeTree(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (st.isDirectory()) {
    chmodSync(path, 0o755);
    for (const name of readdirSync(path)) removeTree(join(path, name));
  }
  rmSync(path, { recursive: true, force: true });
}

/** Makes every folder below and including `dir` read-only and searchable (0555), deepest first. */
function freeze(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) freeze(join(dir, entry.name));
  chmodSync(dir, 0o555);
}

/** One path segment taken from a name (an input or tool name, checked at submit; checked again as it becomes a folder). */
function segment(name: string, what: string): string {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) throw new StagingError(`${what} ${JSON.stringify(name)} cannot be a folder name`);
  return name;
}

/**
 * Stages the attempt's inputs and dependencies into `podDir` and makes `work/`.
 * @param podDir the shared folder, as both containers see it (`$TOOLFLOW_POD_DIR`).
 * @returns the container paths for `podCommandScript`.
 * @throws StagingError naming the object (or name) that failed, with the store's error as `cause`
 *   (its message is in the StagingError's); an ENOSPC error as it is; an AbortError after `signal`.
 */
export async function stageAttempt(podDir: string, request: AttemptRequest, objects: ObjectStore, signal?: AbortSignal): Promise<PodPaths> {
  for (const name of [PodFile.inputs, PodFile.deps, PodFile.work, PodFile.command]) removeTree(join(podDir, name));
  const workDir = join(podDir, PodFile.work);
  mkdirSync(workDir);
  chmodSync(workDir, 0o777);
  const paths: PodPaths = { workDir, inputs: {}, deps: {} };
  /** Base name in `work/` → what was staged there (for a clash's message). */
  const staged = new Map<string, string>();
  const fetch = async (key: string, path: string, what: string) => {
    signal?.throwIfAborted();
    try {
      await withStoreRetries(() => objects.getToFile(key, path), signal);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT' || signal?.aborted) throw err;
      throw new StagingError(`could not fetch object ${key} (${what}): ${(err as Error).message}`, err);
    }
    chmodSync(path, 0o444);
  };

  const inputsDir = join(podDir, PodFile.inputs);
  mkdirSync(inputsDir);
  for (const [name, stored] of Object.entries(request.inputs)) {
    // An item's file is stored as `<input>/<key>/<column>`: one folder per segment, each checked.
    const dir = join(inputsDir, ...name.split('/').map((s) => segment(s, 'input')));
    mkdirSync(dir, { recursive: true });
    const path = join(dir, safeFileName(stored.fileName));
    await fetch(stored.key, path, `input ${name}`);
    paths.inputs[name] = path;
  }
  freeze(inputsDir);

  const bindings = request.spec.bindings;
  const attemptOf = new Map(request.deps.map((d) => [d.tool, d.attempt]));
  if (bindings) {
    for (const b of bindings) {
      if (!('outputs' in b)) continue;
      for (const o of b.outputs) {
        const attempt = attemptOf.get(o.tool);
        if (attempt === undefined) throw new StagingError(`binding ${b.env} names tool ${JSON.stringify(o.tool)}, which is not among the attempt's dependencies`);
        let key: string;
        let name: string;
        try {
          key = attemptObjectKey(request.taskId, o.tool, attempt, o.path);
          name = linkedName(o.path);
        } catch (err) {
          throw new StagingError(`binding ${b.env}: output ${JSON.stringify(o.path)} of tool ${o.tool} cannot be staged: ${(err as Error).message}`);
        }
        const path = join(workDir, name);
        if (lstatSync(path, { throwIfNoEntry: false })) {
          throw new StagingError(`binding ${b.env}: cannot stage output ${o.path} of tool ${o.tool} (object ${key}) as ${name} in the work dir: ${staged.get(name) ?? 'a file'} is staged there already`);
        }
        await fetch(key, path, `output ${o.path} of dependency ${o.tool}, attempt ${attempt}, for ${b.env}`);
        staged.set(name, `output ${o.path} of tool ${o.tool} (object ${key})`);
      }
    }
  }

  // A planned tool sees a dependency's folder only through a `dir` binding; a task stored before, every dependency's.
  const dirTools = bindings ? new Set(bindings.flatMap((b) => ('dir' in b ? [b.dir] : []))) : undefined;
  for (const tool of dirTools ?? []) if (!attemptOf.has(tool)) throw new StagingError(`a binding names tool ${JSON.stringify(tool)}'s folder, which is not among the attempt's dependencies`);
  const depsDir = join(podDir, PodFile.deps);
  mkdirSync(depsDir);
  for (const dep of request.deps) {
    if (dirTools && !dirTools.has(dep.tool)) continue;
    const dir = join(depsDir, segment(dep.tool, 'dependency'));
    mkdirSync(dir);
    const prefix = attemptObjectPrefix(request.taskId, dep.tool, dep.attempt);
    signal?.throwIfAborted();
    let keys: string[];
    try {
      keys = await withStoreRetries(() => objects.list(prefix), signal);
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new StagingError(`could not list the objects under ${prefix} (dependency ${dep.tool}, attempt ${dep.attempt}): ${(err as Error).message}`, err);
    }
    if (keys.length === 0) throw new StagingError(`no objects under ${prefix}: dependency ${dep.tool}'s attempt ${dep.attempt} left no outputs or logs in the object store`);
    for (const key of keys) {
      let segments: string[];
      try {
        segments = outputSegments(key.slice(prefix.length));
      } catch (err) {
        throw new StagingError(`object ${key} (dependency ${dep.tool}) cannot be staged: ${(err as Error).message}`);
      }
      mkdirSync(join(dir, ...segments.slice(0, -1)), { recursive: true });
      await fetch(key, join(dir, ...segments), `dependency ${dep.tool}, attempt ${dep.attempt}`);
    }
    paths.deps[dep.tool] = dir;
  }
  freeze(depsDir);
  return paths;
}
