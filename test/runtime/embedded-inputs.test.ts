/**
 * Embedded-mode inputs held in place (`runtime/embedded-upload.ts`), with real files on this
 * machine's filesystems: the object is a hard link (same inode, two links, no byte copied), or,
 * where links are refused (another filesystem), a symbolic link to the file; a pipe is copied once;
 * the SHA-256 comes from the checksum cache on a second run of the same, unchanged file (none of
 * its bytes read: this process's own read counter in /proc/self/io proves it); a changed or
 * replaced file is hashed again; a file that never stops changing is refused; an abort leaves
 * nothing in the object store.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputInPlace, InputFileError } from '../../shared/runtime/embedded-upload.js';
import { hashed, HOST } from '../../shared/runtime/input-checksums.js';
import { LocalObjectStore } from '../../shared/objects/local-object-store.js';
import { openSqliteStore } from '../../shared/store/sqlite-store.js';
import type { KyselyStore } from '../../shared/store/kysely-store.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('toolflow-inplace-');
const objectsDir = join(dir, 'objects');
const objects = new LocalObjectStore(objectsDir);
let store: KyselyStore;
beforeAll(async () => {
  store = openSqliteStore(join(dir, 'toolflow.db'));
  await store.migrate();
});
afterAll(() => store.close());

const ports = () => ({ store, objects });
const MiB = 1024 * 1024;

/** A file of `bytes` pseudo-random bytes (not all zeros: a filesystem could store those sparsely). */
function makeFile(path: string, bytes: number): string {
  const buf = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i += 4096) buf.writeUInt32LE((i * 2654435761) >>> 0, i);
  writeFileSync(path, buf);
  return createHash('sha256').update(buf).digest('hex');
}

/** Bytes this process has read through read(2) and the like (`rchar` of /proc/self/io). */
function bytesRead(): number {
  return Number(/rchar: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))![1]);
}

describe('inputs held in place', () => {
  it('links the file into the store (same inode, two links, no byte copied) and hashes it once; a second run reads none of its bytes', async () => {
    const src = join(dir, 'reads.fq');
    const sha = makeFile(src, 32 * MiB);
    const hashedBefore = hashed.bytes;
    const first = await inputInPlace(ports(), 'me', src);
    expect(first).toMatchObject({ fileName: 'reads.fq', sha256: sha, bytes: 32 * MiB, local: { path: src, how: 'link', size: 32 * MiB } });
    expect(first.key).toBe(`me/${first.uploadId}/reads.fq`);
    expect(hashed.bytes - hashedBefore).toBe(32 * MiB);
    const object = objects.fileOf(first.key);
    expect(statSync(object).ino).toBe(statSync(src).ino);
    expect(statSync(src).nlink).toBe(2);
    expect(first.local.ino).toBe(String(statSync(src).ino));
    const row = await store.getInputChecksum({ host: HOST, dev: String(statSync(src).dev), ino: String(statSync(src).ino) });
    expect(row).toMatchObject({ sha256: sha, size: 32 * MiB, path: src });
    // The ctime recorded is the one after the link (link(2) changes it), so the next run matches it.
    expect(row!.ctime_ns).toBe(String(statSync(src, { bigint: true }).ctimeNs));

    const readBefore = bytesRead();
    const hashedAgain = hashed.bytes;
    const second = await inputInPlace(ports(), 'me', src);
    expect(bytesRead() - readBefore).toBeLessThan(MiB); // the database's pages, not the file's 32 MiB
    expect(hashed.bytes).toBe(hashedAgain);
    expect(second.sha256).toBe(sha);
    expect(second.uploadId).not.toBe(first.uploadId);
    expect(statSync(src).nlink).toBe(3);
    expect((await store.getInputChecksum({ host: HOST, dev: row!.dev, ino: row!.ino }))?.hashed_at).toBe(row!.hashed_at);
  });

  it('hashes a file again once it changed in place (appended) or was replaced (a new inode), and records the new checksum', async () => {
    const src = join(dir, 'words.txt');
    writeFileSync(src, 'one\n');
    const a = await inputInPlace(ports(), 'me', src);
    appendFileSync(src, 'two\n');
    const before = hashed.bytes;
    const b = await inputInPlace(ports(), 'me', src);
    expect(hashed.bytes - before).toBe(8);
    expect(b.sha256).toBe(createHash('sha256').update('one\ntwo\n').digest('hex'));
    expect(b.sha256).not.toBe(a.sha256);
    // A replacement (write a new file, rename it over): a new inode, hashed again; the earlier
    // object keeps the bytes it was linked to.
    writeFileSync(join(dir, 'words.new'), 'three\n');
    renameSync(join(dir, 'words.new'), src);
    const c = await inputInPlace(ports(), 'me', src);
    expect(c.sha256).toBe(createHash('sha256').update('three\n').digest('hex'));
    expect(readFileSync(objects.fileOf(b.key), 'utf8')).toBe('one\ntwo\n');
  });

  it('references a file on another filesystem by a symbolic link (no link, no clone there), and follows a symbolic link given as the input to its file', async () => {
    const shm = mkdtempSync('/dev/shm/toolflow-inplace-');
    try {
      expect(statSync(shm).dev).not.toBe(statSync(dir).dev); // the premise: /dev/shm is a filesystem of its own (tmpfs)
      const src = join(shm, 'ref.fa');
      const sha = makeFile(src, 64 * 1024);
      const up = await inputInPlace(ports(), 'me', src);
      expect(up.local.how).toBe('reference');
      const object = objects.fileOf(up.key);
      expect(lstatSync(object).isSymbolicLink()).toBe(true);
      expect(readlinkSync(object)).toBe(src);
      expect(up.sha256).toBe(sha);
      expect(await objects.list(`me/${up.uploadId}/`)).toEqual([up.key]);
      expect(await objects.head(up.key)).toEqual({ key: up.key, size: 64 * 1024 });
      // A symbolic link given as the input: its file is linked, not the link.
      const alias = join(dir, 'alias.fa');
      const real = join(dir, 'real.fa');
      writeFileSync(real, '>x\nACGT\n');
      spawnSync('ln', ['-s', 'real.fa', alias]);
      const viaAlias = await inputInPlace(ports(), 'me', alias);
      expect(viaAlias).toMatchObject({ fileName: 'alias.fa', local: { path: alias, how: 'link' } });
      expect(statSync(objects.fileOf(viaAlias.key)).ino).toBe(statSync(real).ino);
      // Deleting the object removes the link, never the user's file.
      await objects.delete(up.key);
      expect(existsSync(object)).toBe(false);
      expect(existsSync(src)).toBe(true);
    } finally {
      rmSync(shm, { recursive: true, force: true });
    }
  });

  it('falls back from a clone to a reference where the filesystem has no reflinks, and a clone, where made, is its own read-only inode', async () => {
    const src = join(dir, 'clone-me.txt');
    writeFileSync(src, 'bytes\n');
    const up = await inputInPlace(ports(), 'me', src, { ways: ['reflink', 'reference'] });
    const object = objects.fileOf(up.key);
    if (up.local.how === 'reflink') {
      expect(statSync(object).ino).not.toBe(statSync(src).ino);
      expect(statSync(object).mode & 0o222).toBe(0);
    } else {
      expect(up.local.how).toBe('reference'); // ext4, tmpfs: COPYFILE_FICLONE_FORCE is refused (ENOTSUP)
      expect(readlinkSync(object)).toBe(src);
    }
    expect(readFileSync(object, 'utf8')).toBe('bytes\n');
    expect(statSync(src).mode & 0o200).not.toBe(0); // the user's file keeps its mode
  });

  it('copies a pipe once (it has no inode to hold), hashing it on the way, read-only', async () => {
    const fifo = join(dir, 'reads.pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('bash', ['-c', `printf '@r1\\nACGT\\n+\\nIIII\\n' > '${fifo}'`]);
    const written = new Promise((r) => writer.on('exit', r));
    const up = await inputInPlace(ports(), 'me', fifo);
    await written;
    expect(up).toMatchObject({ bytes: 16, local: { how: 'copy', path: fifo, size: 16 } });
    expect(up.sha256).toBe(createHash('sha256').update('@r1\nACGT\n+\nIIII\n').digest('hex'));
    const object = objects.fileOf(up.key);
    expect(readFileSync(object, 'utf8')).toBe('@r1\nACGT\n+\nIIII\n');
    expect(statSync(object).mode & 0o222).toBe(0);
  });

  it('refuses a file that changes while it is read, three times in a row, and leaves nothing in the store', async () => {
    const src = join(dir, 'growing.log');
    makeFile(src, 8 * MiB);
    const listed = (await objects.list('me/')).length;
    // Another program appends while the file is hashed: each read of a chunk is followed by a write.
    let writes = 0;
    const appending = { onProgress: () => void (appendFileSync(src, 'x\n'), writes++) };
    await expect(inputInPlace(ports(), 'me', src, appending)).rejects.toThrow(InputFileError);
    await expect(inputInPlace(ports(), 'me', src, appending)).rejects.toThrow(`input file ${src} changed while it was being read, 3 times in a row: wait until nothing writes it, then run again`);
    expect(writes).toBeGreaterThanOrEqual(6);
    expect((await objects.list('me/')).length).toBe(listed);
    expect(statSync(src).nlink).toBe(1);
    // Once nothing writes it, it is taken.
    expect((await inputInPlace(ports(), 'me', src)).bytes).toBe(statSync(src).size);
  });

  it('says which file is gone or unreadable', async () => {
    await expect(inputInPlace(ports(), 'me', join(dir, 'nowhere.fq'))).rejects.toThrow(`input file ${join(dir, 'nowhere.fq')} is gone (no such file)`);
    await expect(inputInPlace(ports(), 'me', dir)).rejects.toThrow(/is a directory, not a file|is gone/);
  });

  it('leaves nothing behind when aborted', async () => {
    const src = join(dir, 'abort.bin');
    makeFile(src, 4 * MiB);
    const abort = new AbortController();
    abort.abort();
    const before = readdirSync(join(objectsDir, 'me')).length;
    await expect(inputInPlace(ports(), 'me', src, { signal: abort.signal })).rejects.toThrow(/abort/i);
    expect(readdirSync(join(objectsDir, 'me')).length).toBe(before);
    const midway = new AbortController();
    const p = inputInPlace(ports(), 'me', src, { signal: midway.signal, onProgress: () => midway.abort() });
    await expect(p).rejects.toThrow(/abort/i);
    expect(readdirSync(join(objectsDir, 'me')).length).toBe(before);
    expect(statSync(src).nlink).toBe(1);
  });
});
