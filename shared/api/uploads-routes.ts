/**
 * Uploads: `POST /v1/uploads?name=FILE` streams the body (any content type) to the object store
 * through the upload handler (`handlers/upload.ts`: status document in coordination, object under
 * `<owner>/<upload-id>/<file>`), never holding it in memory, and answers the upload id a
 * submission's `inputs` take; `GET /v1/uploads/{uploadId}` is its status document. Another owner's
 * upload is not found.
 */
import type { FastifyInstance } from 'fastify';
import { findUpload, uploadStream, type FoundUpload } from '../handlers/upload.js';
import type { ApiContext } from './context.js';
import { ApiError, notFound } from './errors.js';
import { routeSchema } from './openapi.js';

/** An upload as the API shows it (`Upload` in the OpenAPI document). */
function uploadView(u: FoundUpload) {
  return { uploadId: u.uploadId, fileName: u.fileName, status: u.status, ...(u.size !== undefined ? { size: u.size } : {}), ...(u.error !== undefined ? { error: u.error } : {}) };
}

/** Registers the upload routes on `v1` (prefix `/v1`, authenticated), in a scope of their own that reads bodies itself. */
export function uploadRoutes(v1: FastifyInstance, ctx: ApiContext): void {
  const ports = ctx.runtime.ports;
  void v1.register(async (scope) => {
    // Any content type: the route streams the raw body itself (fastify's parsers would buffer it).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));

    scope.post<{ Querystring: { name: string } }>('/uploads', { schema: routeSchema('POST', '/v1/uploads') }, async (request, reply) => {
      const limit = ctx.settings.uploadBodyLimit;
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > limit) throw new ApiError(413, 'PAYLOAD_TOO_LARGE', `the upload is ${declared} bytes, more than the limit of ${limit} bytes`, { connection: 'close' });
      const abort = new AbortController();
      // The client went away before the whole body came: stop, and leave nothing behind.
      request.raw.on('close', () => {
        if (!request.raw.complete) abort.abort();
      });
      const up = await uploadStream(ports, request.owner, request.query.name, request.raw, { signal: abort.signal, maxBytes: limit, spoolDir: ctx.settings.spoolDir });
      return reply
        .code(201)
        .header('location', `/v1/uploads/${up.uploadId}`)
        .send({ uploadId: up.uploadId, fileName: up.fileName, status: 'successful', size: up.size });
    });

    scope.get<{ Params: { uploadId: string } }>('/uploads/:uploadId', { schema: routeSchema('GET', '/v1/uploads/{uploadId}') }, async (request) => {
      const upload = await findUpload(ports, request.owner, request.params.uploadId);
      if (!upload) throw notFound(`no upload ${request.params.uploadId}`);
      return uploadView(upload);
    });
  });
}
