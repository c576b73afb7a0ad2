/**
 * The queries of `input_checksums` (migration 0007), for `KyselyStore`: one row per input file of
 * embedded mode, by (host, device, inode), holding its SHA-256 and the stat it was taken at
 * (`runtime/input-checksums.ts`). Not on any per-attempt path: a lookup and a write per input file
 * of a run, so they go through Kysely as they are.
 */
import type { Kysely } from './kysely.js';
import type { InputChecksumKey, InputChecksumRow } from './store.js';

/** The table, as Kysely sees it. */
export interface InputChecksumTables {
  input_checksums: InputChecksumRow;
}

/** A row with its numbers as numbers (MySQL may return bigint columns as strings). */
function checksumRow(row: InputChecksumRow): InputChecksumRow {
  return { ...row, size: Number(row.size), hashed_at: Number(row.hashed_at), seen_at: Number(row.seen_at) };
}

/** The row of `key`, or undefined. */
export async function getInputChecksum(db: Kysely<InputChecksumTables>, key: InputChecksumKey): Promise<InputChecksumRow | undefined> {
  const row = await db.selectFrom('input_checksums').selectAll().where('host', '=', key.host).where('dev', '=', key.dev).where('ino', '=', key.ino).executeTakeFirst();
  return row && checksumRow(row);
}

/**
 * Inserts `row`, or replaces the row of its key: an insert first, an update when the key exists
 * (`isDuplicateKey` tells, as each database says it), so the same statements serve SQLite and
 * MySQL. Two processes writing the same file's row at once: the last write stays (both hashed the
 * same bytes, or the later stat wins, which is the file as it is now).
 */
export async function putInputChecksum(db: Kysely<InputChecksumTables>, row: InputChecksumRow, isDuplicateKey: (err: unknown) => boolean): Promise<void> {
  try {
    await db.insertInto('input_checksums').values(row).execute();
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const { host, dev, ino, ...rest } = row;
    await db.updateTable('input_checksums').set(rest).where('host', '=', host).where('dev', '=', dev).where('ino', '=', ino).execute();
  }
}

/** Every row of `host`, by path. */
export async function listInputChecksums(db: Kysely<InputChecksumTables>, host: string): Promise<InputChecksumRow[]> {
  const rows = await db.selectFrom('input_checksums').selectAll().where('host', '=', host).orderBy('path').execute();
  return rows.map(checksumRow);
}

/** Deletes the row of `key` (none: nothing happens). */
export async function deleteInputChecksum(db: Kysely<InputChecksumTables>, key: InputChecksumKey): Promise<void> {
  await db.deleteFrom('input_checksums').where('host', '=', key.host).where('dev', '=', key.dev).where('ino', '=', key.ino).execute();
}
