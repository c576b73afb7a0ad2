/**
 * Creating folders without Node's recursive `mkdir`, which loops forever where the parent exists
 * but refuses new entries with ENOENT (seen with `/proc/x` on Node 20: `mkdirSync('/proc/x/y',
 * { recursive: true })` never returns).
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Makes `path` and its missing parents, one level at a time.
 * @throws the first mkdir error that is not EEXIST, or an ENOTDIR error when something in the way is
 *   not a folder.
 */
export function ensureDir(path: string): void {
  // The common cases first, in one or three system calls: the parent exists, or the grandparent
  // does (an attempt's work dir `<task>/<tool>/attempt-1`: issue 10 §6).
  const first = tryMkdir(path);
  if (first === 'made' || (first === 'missing' && tryMkdir(dirname(path)) === 'made' && tryMkdir(path) === 'made')) return;
  const missing: string[] = [];
  let at = resolve(path);
  for (;;) {
    try {
      if (!statSync(at).isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${at}'`), { code: 'ENOTDIR', syscall: 'mkdir', path: at });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      missing.push(at);
      const parent = dirname(at);
      if (parent === at) break;
      at = parent;
    }
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/**
 * One mkdir: `made`, `exists` (EEXIST: whether it is a folder is for the caller to check), or
 * `missing` (ENOENT: a parent is missing). @throws any other mkdir error.
 */
function tryMkdir(path: string): 'made' | 'exists' | 'missing' {
  try {
    mkdirSync(path);
    return 'made';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return 'exists';
    if (code === 'ENOENT') return 'missing';
    throw err;
  }
}
