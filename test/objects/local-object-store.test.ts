import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryCoordination } from '../../shared/coordination/memory-coordination.js';
import { uploadFile, type UploadDoc } from '../../shared/handlers/upload.js';
import { LocalObjectStore } from '../../shared/objects/local-object-store.js';
import { checkObjectKey, safeFileName } from '../../shared/objects/object-store.js';
import { NotFoundError } from '../../shared/errors.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const objects = new LocalObjectStore(join(dir, 'objects'));

describe('local object store', () => {
  it('puts, heads, lists, gets and deletes', async () => {
    const src = join(dir, 'in.txt');
    writeFileSync(src, 'hello');
    expect(await objects.putFile('me/u1/in.txt', src)).toEqual({ key: 'me/u1/in.txt', size: 5 });
    expect(await objects.head('me/u1/in.txt')).toEqual({ key: 'me/u1/in.txt', size: 5 });
    expect(await objects.list('me/')).toEqual(['me/u1/in.txt']);
    await objects.getToFile('me/u1/in.txt', join(dir, 'out.txt'));
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('hello');
    await objects.delete('me/u1/in.txt');
    expect(await objects.head('me/u1/in.txt')).toBeUndefined();
    await expect(objects.getToFile('me/u1/in.txt', join(dir, 'x'))).rejects.toBeInstanceOf(NotFoundError);
  });

  it.each(['../etc/passwd', 'a/../../b', '/abs', 'a//b', 'a/./b', '', 'a\\b', 'a\0b'])('refuses the key %j', async (key) => {
    expect(() => checkObjectKey(key)).toThrow(/invalid object key/);
    await expect(objects.head(key)).resolves.toBeUndefined();
    await expect(objects.putFile(key, join(dir, 'in.txt'))).rejects.toThrow(/invalid object key/);
  });

  it.each([
    ['../../etc/passwd', 'passwd'],
    ['..', 'file'],
    ['dir\\evil.txt', 'evil.txt'],
    ['a\nb.txt', 'ab.txt'],
  ])('makes %j a safe file name', (name, safe) => {
    expect(safeFileName(name)).toBe(safe);
  });
});

describe('upload', () => {
  it('stores the file under owner/upload-id/name and records the status', async () => {
    const coordination = new MemoryCoordination();
    const statuses: string[] = [];
    coordination.watch('uploads/', (_k, v) => statuses.push((v as UploadDoc).status));
    const src = join(dir, 'reads.fq');
    writeFileSync(src, '@r\nA\n+\nI\n');
    const up = await uploadFile({ objects, coordination }, 'me', src);
    expect(up.key).toBe(`me/${up.uploadId}/reads.fq`);
    expect(statuses).toEqual(['ongoing', 'successful']);
    expect(await coordination.get<UploadDoc>(`uploads/${up.uploadId}`)).toEqual({ status: 'successful', key: up.key, size: 9 });
  });

  it('marks a failed upload failed and leaves no object', async () => {
    const coordination = new MemoryCoordination();
    await expect(uploadFile({ objects, coordination }, 'me', join(dir, 'missing.fq'))).rejects.toThrow(/ENOENT/);
    const keys = await objects.list('me/');
    expect(keys.some((k) => k.endsWith('missing.fq'))).toBe(false);
  });
});
