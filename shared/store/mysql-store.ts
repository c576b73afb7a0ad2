/**
 * The MySQL/MariaDB store: Kysely's MySQL dialect over a mysql2 pool, with the same repositories
 * and migration history as SQLite (`kysely-store.ts`), and the rules that tell a transient failure
 * (retried on a fresh connection) from a real one.
 */
import { createPool, type Pool, type PoolConnection } from 'mysql2';
import { MysqlDialect, type MysqlPool } from 'kysely';
import { ConfigError } from '../errors.js';
import { maskUrl } from '../mask-url.js';
import { KyselyStore, type ErrorRules } from './kysely-store.js';

/** Options of the pool. */
export interface MysqlPoolOptions {
  /** Connections at most. Default 10. */
  connectionLimit?: number;
  /** How long a statement waits for a free connection before failing (and being retried), ms. Default 10,000. */
  acquireTimeoutMs?: number;
}

/**
 * Server error numbers worth a retry on a fresh connection (MariaDB/MySQL error reference):
 * 1205 lock wait timeout, 1213 deadlock, 1053 server shutdown, 1927 connection killed
 * (`KILL <id>`), 2006 server gone away, 2013 connection lost during a query.
 */
const TRANSIENT_ERRNOS = new Set([1205, 1213, 1053, 1927, 2006, 2013]);
/** mysql2 and socket error codes worth a retry. */
const TRANSIENT_CODES = new Set(['PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'POOL_ACQUIRE_TIMEOUT']);

/** The error rules of MySQL/MariaDB. */
export const MYSQL_ERROR_RULES: ErrorRules = {
  isDuplicateKey: (err) => (err as { errno?: number })?.errno === 1062, // ER_DUP_ENTRY
  isTransient(err) {
    const e = err as { errno?: number; code?: string; fatal?: boolean; message?: string };
    if (!e) return false;
    if (e.errno !== undefined && TRANSIENT_ERRNOS.has(e.errno)) return true;
    if (e.code !== undefined && TRANSIENT_CODES.has(e.code)) return true;
    // A pooled connection the server closed while it sat idle (mysql2's own wording).
    return e.fatal === true || /closed state|connection is closed/i.test(e.message ?? '');
  },
};

/**
 * A pool for Kysely whose `getConnection` fails with `POOL_ACQUIRE_TIMEOUT` when no connection
 * frees up in time (mysql2 queues such requests without a bound); a connection that arrives after
 * the timeout goes back to the pool.
 */
export function withAcquireTimeout(pool: Pool, timeoutMs: number): MysqlPool {
  return {
    getConnection(callback) {
      let done = false;
      const timer = setTimeout(() => {
        done = true;
        callback(Object.assign(new Error(`no MySQL connection within ${timeoutMs} ms (the server does not answer, or every pooled connection is busy)`), { code: 'POOL_ACQUIRE_TIMEOUT' }), undefined as never);
      }, timeoutMs);
      pool.getConnection((err: unknown, conn: PoolConnection) => {
        if (done) {
          conn?.release();
          return;
        }
        clearTimeout(timer);
        done = true;
        callback(err, conn as never);
      });
    },
    end: (callback) => pool.end(callback),
  };
}

/**
 * Opens a MySQL/MariaDB store (`mysql://user:password@host:port/database`).
 * @throws ConfigError for a URL that is not `mysql://…`.
 */
export function openMysqlStore(url: string, options: MysqlPoolOptions = {}): KyselyStore {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`TOOLFLOW_DATABASE_URL ${maskUrl(url)} is not a URL`);
  }
  if (parsed.protocol !== 'mysql:') throw new ConfigError(`TOOLFLOW_DATABASE_URL ${maskUrl(url)}: only mysql:// URLs and SQLite paths are supported`);
  const pool = createPool({
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || undefined,
    connectionLimit: options.connectionLimit ?? 10,
    connectTimeout: 10_000,
    enableKeepAlive: true,
  });
  return new KyselyStore(new MysqlDialect({ pool: withAcquireTimeout(pool, options.acquireTimeoutMs ?? 10_000) }), MYSQL_ERROR_RULES);
}
