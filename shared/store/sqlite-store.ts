/**
 * The SQLite store (embedded mode): the Kysely repositories of `kysely-store.ts` over better-sqlite3,
 * with SQLite's own error rules and messages a user can act on.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { statfsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { ensureDir } from '../ensure-dir.js';
import { ConfigError } from '../errors.js';
import { formatBytes } from '../spec/resources.js';
import { KyselyStore } from './kysely-store.js';
import { SqliteDialect } from './kysely.js';

/** better-sqlite3 (a native addon), loaded with the first SQLite store: a process on MySQL never loads it (start-up cost, issue 8 §6). */
let betterSqlite3: typeof BetterSqlite3 | undefined;

/** How long one SQLite statement waits for another process's write lock, ms. */
const SQLITE_BUSY_TIMEOUT_MS = 1000;

/**
 * A message a user can act on for SQLite failures that no retry cures (result codes:
 * https://www.sqlite.org/rescode.html): a full disk, a file that is not a database or is corrupt, a
 * read-only file, an I/O error. @returns a ConfigError naming the file, or undefined for other errors.
 */
export function explainSqlite(path: string, err: unknown): Error | undefined {
  const code = (err as { code?: string })?.code ?? '';
  const detail = `${code}: ${(err as Error)?.message}`;
  if (code === 'SQLITE_FULL') {
    let free = '';
    try {
      const s = statfsSync(dirname(path));
      free = ` (${formatBytes(s.bavail * s.bsize)} free of ${formatBytes(s.blocks * s.bsize)})`;
    } catch {
      /* the folder is gone too */
    }
    return new ConfigError(`the disk holding the SQLite database ${path} is full${free} (${detail}): free space there, or set TOOLFLOW_HOME to a folder on another disk`);
  }
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new ConfigError(`${path} is not a SQLite database or is corrupt (${detail}): move it away (toolflow then starts a new, empty one, and its tasks' history is lost) or restore it from a backup`);
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM') {
    return new ConfigError(`the SQLite database ${path} cannot be written (${detail}): check the file's and its folder's permissions, or set TOOLFLOW_HOME elsewhere`);
  }
  if (code.startsWith('SQLITE_BUSY')) return new ConfigError(`the SQLite database ${path} is locked by another process (a long write, or an open sqlite3 shell): waiting for it`);
  if (code.startsWith('SQLITE_IOERR')) return new ConfigError(`reading or writing the SQLite database ${path} failed (${detail}): check its disk`);
  return undefined;
}

/**
 * Opens the SQLite store (better-sqlite3) at `path` (`:memory:` for a throwaway one), creating its
 * folder. WAL journal with `synchronous=NORMAL`: durable across process crashes, and a commit costs
 * no fsync (https://www.sqlite.org/wal.html).
 */
export function openSqliteStore(path: string): KyselyStore {
  if (path !== ':memory:') ensureDir(dirname(path));
  const Database = (betterSqlite3 ??= createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3);
  let database: BetterSqlite3.Database;
  try {
    database = new Database(path);
  } catch (err) {
    throw new ConfigError(`cannot open the SQLite database ${path} (TOOLFLOW_DATABASE_URL or TOOLFLOW_HOME): ${(err as Error).message}`);
  }
  try {
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    // Short, so the event loop (and Ctrl-C) is never blocked long: a longer wait for another
    // process's write lock is the store's retries, then the bus's in-place retries, bounded.
    database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  } catch (err) {
    database.close();
    throw explainSqlite(path, err) ?? new ConfigError(`cannot open the SQLite database ${path}: ${(err as Error).message}`);
  }
  // Kysely prepares every query anew; reusing prepared statements by SQL text halves the cost of a write.
  const statements = new Map<string, BetterSqlite3.Statement>();
  const cached = {
    close: () => database.close(),
    prepare(sql: string) {
      let st = statements.get(sql);
      if (!st) {
        st = database.prepare(sql);
        if (statements.size < 500) statements.set(sql, st);
      }
      return st;
    },
  };
  return new KyselyStore(new SqliteDialect({ database: cached }), {
    isDuplicateKey: (err) => /^SQLITE_CONSTRAINT_(PRIMARYKEY|UNIQUE)$/.test((err as { code?: string })?.code ?? ''),
    // Another process holding the write lock past busy_timeout.
    isTransient: (err) => /^SQLITE_BUSY/.test((err as { code?: string })?.code ?? ''),
    explain: (err) => explainSqlite(path, err),
  });
}
