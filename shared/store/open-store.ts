/**
 * Opens the store that configuration names: a SQLite file (embedded mode) or a MySQL/MariaDB server
 * (`mysql://user:password@host:port/database`), both through the same Kysely repositories and
 * migration history. The MySQL module (and mysql2) is imported only for a `mysql://` location, so
 * embedded mode never loads it (start-up cost, issue 8 §6).
 */
import { ConfigError } from '../errors.js';
import { maskUrl } from '../mask-url.js';
import type { KyselyStore } from './kysely-store.js';
import { openSqliteStore } from './sqlite-store.js';
import type { MysqlCheckOptions } from './mysql-store.js';

/**
 * Opens and migrates the configured store. A MySQL server is first checked (`checkMysql`: within
 * about 15 s, a server that takes the connection and never answers included).
 * @param location a SQLite path (or `:memory:`) or a `mysql://` URL.
 * @param options the MySQL start-up check's bounds (tests shorten them).
 * @throws ConfigError naming the database (password masked) when it cannot be reached or migrated:
 *   `cannot use MySQL at mysql://root:***@db:3306/x: the server is unreachable: …`.
 */
export async function openStore(location: string, options: { mysqlCheck?: MysqlCheckOptions } = {}): Promise<KyselyStore> {
  const mysql = /^mysql:\/\//i.test(location);
  const what = mysql ? `MySQL at ${maskUrl(location)}` : `the SQLite database ${location}`;
  const mysqlStore = mysql ? await import('./mysql-store.js') : undefined;
  if (mysqlStore) {
    try {
      await mysqlStore.checkMysql(location, options.mysqlCheck);
    } catch (err) {
      const message = (err as Error).message;
      // The check's message names the server as `what` does: say it once.
      throw new ConfigError(`cannot use ${what}: ${message.startsWith(`${what} `) ? `the server ${message.slice(what.length + 1)}` : message}`);
    }
  }
  const store = mysqlStore ? mysqlStore.openMysqlStore(location) : openSqliteStore(location);
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    if (err instanceof ConfigError) throw err; // already names the database and what to do
    throw new ConfigError(`cannot use ${what}: ${(err as Error).message}`);
  }
  return store;
}
