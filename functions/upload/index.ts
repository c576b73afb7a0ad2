/**
 * The `upload` function (`shared/http/request-functions.ts` `uploadFunction`), bearer token on every
 * request, every upload through the uploads facade (`shared/uploads/uploads.ts`):
 *
 * - one request: `POST ?name=FILE[&sha256=HEX][&format=F]` with the file as the body; answers `201`
 *   with the upload (`Location: /v1/uploads/<id>`, `Toolflow-Upload-Id`);
 * - tus 1.0: `POST` with `Tus-Resumable` creates, `HEAD`/`PATCH`/`DELETE /<owner>/<uploadId>/<name>`
 *   resume, send, terminate, `OPTIONS` describes (`shared/uploads/tus-server.ts`); set
 *   `TOOLFLOW_UPLOAD_URL` to the function's public URL when a gateway rewrites its path.
 *
 * Run it as `node dist/functions/upload/index.js` (of-watchdog HTTP mode, a Knative container): the
 * raw requests go to the tus server (`serve()` hands them over through `OpenFunction.raw`), bodies
 * stream both ways, never held in memory. Under faas-js-runtime (`handle`) the runtime buffers the
 * body, up to `bodyLimit`, and routes only `/`: the one-request POST works, tus answers 501.
 */
import { functionModule, runIfMain } from '../../shared/http/function-module.js';
import { uploadFunction } from '../../shared/http/request-functions.js';

const fn = functionModule(uploadFunction);

export const { init, shutdown, handle, liveness, readiness, serve, bodyLimit } = fn;

runIfMain(import.meta.url, fn);
