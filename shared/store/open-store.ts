/**
 * Opens the store that configuration names: a SQLite file (embedded mode) or a MySQL/MariaDB server
 * (`mysql://user:password@host:port/database`), both through the same Kysely repositories and
 * migration history.
 */
import { createPool } from 'mysql2';
import { MysqlDialect } from 'kysely';
import { ConfigError } from '../errors.js';
import { maskUrl } from '../mask-url.js';
import { KyselyStore, openSqliteStore } from './kysely-store.js';

/** MySQL error numbers that mean "this key exists already" (ER_DUP_ENTRY). */
const MYSQL_DUPLICATE_KEY = 1062;

/**
 * Opens a MySQL/MariaDB store over a mysql2 pool (10 connections; connect timeout 10 s).
 * @throws ConfigError for a URL that is not `mysql://…`.
 */
export function openMysqlStore(url: string): KyselyStore {
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
    connectionLimit: 10,
    connectTimeout: 10_000,
  });
  return new KyselyStore(new MysqlDialect({ pool }), (err) => (err as { errno?: number })?.errno === MYSQL_DUPLICATE_KEY);
}

/**
 * Opens and migrates the configured store.
 * @param location a SQLite path (or `:memory:`) or a `mysql://` URL.
 * @throws ConfigError naming the database (password masked) when it cannot be reached or migrated.
 */
export async function openStore(location: string): Promise<KyselyStore> {
  const mysql = /^mysql:\/\//i.test(location);
  const store = mysql ? openMysqlStore(location) : openSqliteStore(location);
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    const what = mysql ? `MySQL at ${maskUrl(location)}` : `the SQLite database ${location}`;
    throw new ConfigError(`cannot use ${what}: ${(err as Error).message}`);
  }
  return store;
}
