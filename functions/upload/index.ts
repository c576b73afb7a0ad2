/**
 * The `upload` function: `POST ?name=FILE` with the file as the body and a bearer token; streams
 * the body to the object store (`shared/handlers/upload.ts`) and answers `201 {uploadId, fileName,
 * status, size}` (`shared/http/request-functions.ts`). Run it as `node dist/functions/upload/index.js`
 * (of-watchdog HTTP mode: the body streams, never held in memory); under faas-js-runtime the runtime
 * buffers the body, up to its `bodyLimit`.
 */
import { functionModule, runIfMain } from '../../shared/http/function-module.js';
import { uploadFunction } from '../../shared/http/request-functions.js';

const fn = functionModule(uploadFunction);

export const { init, shutdown, handle, liveness, readiness, serve, bodyLimit } = fn;

runIfMain(import.meta.url, fn);
