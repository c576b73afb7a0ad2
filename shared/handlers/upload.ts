/**
 * upload: stores an input file as an object under `<owner>/<upload-id>/<file name>` and keeps the
 * upload's status document (`uploads/<id>`: ongoing → successful | failed) in coordination, as the
 * design doc's file transfer manager does. A failed upload leaves no object behind.
 */
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { StoredInput } from '../events/catalog.js';
import { checkObjectKey, safeFileName } from '../objects/object-store.js';
import type { Ports } from '../runtime/ports.js';

/** The status document of an upload. */
export interface UploadDoc {
  status: 'ongoing' | 'successful' | 'failed';
  key: string;
  size?: number;
  error?: string;
}

/**
 * Uploads one local file.
 * @param owner the user the object belongs to (a key segment: no `/`).
 * @returns where the object is.
 * @param signal aborts the upload (Ctrl-C): it is marked failed and nothing is left in the store.
 * @throws the object store's error, after marking the upload failed and deleting any partial object.
 */
export async function uploadFile(ports: Pick<Ports, 'objects' | 'coordination'>, owner: string, path: string, signal?: AbortSignal): Promise<StoredInput & { uploadId: string }> {
  const uploadId = randomUUID();
  const fileName = safeFileName(basename(path));
  const key = checkObjectKey(`${owner}/${uploadId}/${fileName}`);
  const doc = `uploads/${uploadId}`;
  await ports.coordination.put(doc, { status: 'ongoing', key } satisfies UploadDoc);
  try {
    const info = await ports.objects.putFile(key, path, { signal });
    await ports.coordination.put(doc, { status: 'successful', key, size: info.size } satisfies UploadDoc);
  } catch (err) {
    await ports.objects.delete(key).catch(() => undefined);
    await ports.coordination.put(doc, { status: 'failed', key, error: (err as Error).message } satisfies UploadDoc);
    throw err;
  }
  return { key, fileName, uploadId };
}
