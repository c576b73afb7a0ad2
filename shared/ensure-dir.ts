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
  // The common case first, in one system call: the parent exists.
  try {
    mkdirSync(path);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOENT') throw err;
  }
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
