/**
 * Opens the store that configuration names: a SQLite file (embedded mode) or a MySQL/MariaDB server
 * (`mysql://user:password@host:port/database`), both through the same Kysely repositories and
 * migration history.
 */
import { ConfigError } from '../errors.js';
import { maskUrl } from '../mask-url.js';
import { KyselyStore, openSqliteStore } from './kysely-store.js';
import { openMysqlStore } from './mysql-store.js';

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
