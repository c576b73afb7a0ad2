/**
 * The MySQL/MariaDB store: Kysely's MySQL dialect over a mysql2 pool, with the same repositories
 * and migration history as SQLite (`kysely-store.ts`), and the rules that tell a transient failure
 * (retried on a fresh connection) from a real one.
 */
import { createPool, type ConnectionOptions, type Pool, type PoolConnection } from 'mysql2';
import { createConnection } from 'mysql2/promise';
import { MysqlDialect, type MysqlPool } from './kysely.js';
import { ConfigError, ServiceUnavailableError } from '../errors.js';
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

/** How long a new connection may take to get the server's handshake, ms (mysql2's `connectTimeout`). */
export const CONNECT_TIMEOUT_MS = 5_000;

/**
 * The connection settings of a `mysql://user:password@host:port/database` URL (user, password and
 * database percent-decoded; port 3306 by default).
 * @throws ConfigError for a value that is not a `mysql://` URL.
 */
export function mysqlConnectionOptions(url: string): ConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`TOOLFLOW_DATABASE_URL ${maskUrl(url)} is not a URL`);
  }
  if (parsed.protocol !== 'mysql:') throw new ConfigError(`TOOLFLOW_DATABASE_URL ${maskUrl(url)}: only mysql:// URLs and SQLite paths are supported`);
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || undefined,
    connectTimeout: CONNECT_TIMEOUT_MS,
  };
}

/** Options of the start-up check. */
export interface MysqlCheckOptions {
  /** Connection attempts at most. Default 3. */
  attempts?: number;
  /** The whole check gives up after this long, ms. Default 15,000 (the README's start-up bound). */
  deadlineMs?: number;
  /** Handshake timeout of each attempt, ms (capped by what is left of the deadline). Default `CONNECT_TIMEOUT_MS`. */
  connectTimeoutMs?: number;
}

/**
 * Checks at start-up that the server answers: opens one connection and pings it, again after a
 * lost or refused connection (backoff 250 ms, then 500 ms…), for at most `attempts` tries within
 * `deadlineMs`. A server that takes the TCP connection and never sends its handshake fails each try
 * after `connectTimeoutMs`, so the whole check ends within about 15 s, where the store's own
 * retries (a connect timeout per statement try) would take over a minute.
 * @throws ServiceUnavailableError naming the server (password masked) when it does not answer;
 *   ConfigError when it refuses the credentials (1045, 1044) or has no such database (1049).
 */
export async function checkMysql(url: string, options: MysqlCheckOptions = {}): Promise<void> {
  const settings = mysqlConnectionOptions(url);
  const attempts = options.attempts ?? 3;
  const deadline = Date.now() + (options.deadlineMs ?? 15_000);
  const where = `MySQL at ${maskUrl(url)}`;
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    try {
      const conn = await createConnection({ ...settings, connectTimeout: Math.min(options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS, left) });
      try {
        await conn.ping();
      } finally {
        conn.destroy();
      }
      return;
    } catch (err) {
      last = err;
      const refused = refusal(err);
      if (refused) throw new ConfigError(`${where} ${refused}: ${(err as Error).message}`);
      if (!MYSQL_ERROR_RULES.isTransient(err)) break;
    }
    const pause = Math.min(250 * 2 ** (attempt - 1), deadline - Date.now());
    if (attempt < attempts && pause > 0) await new Promise((r) => setTimeout(r, pause));
  }
  const e = last as { code?: string; message?: string } | undefined;
  const why = e?.code === 'ETIMEDOUT' ? `no handshake within ${options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS} ms (the server takes the connection but does not answer)` : (e?.message ?? 'no answer');
  throw new ServiceUnavailableError(`${where} is unreachable: ${why}`, { cause: last });
}

/** What a server error that no retry cures says to the user, or undefined (MariaDB/MySQL error reference). */
function refusal(err: unknown): string | undefined {
  switch ((err as { errno?: number })?.errno) {
    case 1045: // ER_ACCESS_DENIED_ERROR
      return 'refused the credentials (check the user name and password in TOOLFLOW_DATABASE_URL)';
    case 1044: // ER_DBACCESS_DENIED_ERROR
      return 'refused access to the database (grant the user its privileges)';
    case 1049: // ER_BAD_DB_ERROR
      return 'has no such database (create it: CREATE DATABASE …)';
    default:
      return undefined;
  }
}

/**
 * Opens a MySQL/MariaDB store (`mysql://user:password@host:port/database`). A new connection waits
 * `CONNECT_TIMEOUT_MS` for the server's handshake.
 * @throws ConfigError for a URL that is not `mysql://…`.
 */
export function openMysqlStore(url: string, options: MysqlPoolOptions = {}): KyselyStore {
  const pool = createPool({
    ...mysqlConnectionOptions(url),
    connectionLimit: options.connectionLimit ?? 10,
    enableKeepAlive: true,
  });
  return new KyselyStore(new MysqlDialect({ pool: withAcquireTimeout(pool, options.acquireTimeoutMs ?? 10_000) }), MYSQL_ERROR_RULES);
}
