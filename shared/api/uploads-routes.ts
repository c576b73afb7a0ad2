/**
 * Uploads (issue 11), every way in going through the uploads facade (`uploads/uploads.ts`: status
 * document `uploads/<owner>/<uploadId>`, object `<owner>/<uploadId>/<safe name>`, streaming
 * SHA-256, per-file limit, quota, format and checksum checks), bodies streamed, never spooled or
 * held in memory:
 *
 * - `POST /v1/uploads?name=FILE[&sha256=HEX][&format=F]`: the body is the file (any content type),
 *   its `Content-Length` the declared size (a size over the limit or the quota answers 413 before
 *   any byte is read; chunked bodies are counted as they stream). `201` with the upload (`Upload`),
 *   `Location: /v1/uploads/<id>` and `Toolflow-Upload-Id`.
 * - tus 1.0 at `/v1/tus` (`uploads/tus-server.ts`): `POST /v1/tus` creates, `HEAD`/`PATCH`/`DELETE`
 *   `/v1/tus/<owner>/<uploadId>/<name>` resume, send, terminate; `OPTIONS /v1/tus` describes.
 * - `GET /v1/uploads/{uploadId}`: the status document.
 * - `DELETE /v1/uploads/{uploadId}`: deletes the caller's upload, whatever its status (`Uploads.remove`):
 *   `200` with its document, now `failed` ("deleted by its owner"), no longer counted in the quota.
 * - `GET /v1/uploads?status=&limit=&cursor=`: the caller's uploads, newest first, a page at a time
 *   (`{uploads, nextCursor}`).
 *
 * Every route is behind the `/v1` bearer check: the owner is the token's (`request.owner`), handed
 * to the tus server through `RequestOwners`, never read from a header. Another owner's upload is
 * not found, as an unknown one.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UPLOAD_ID, type FileFormat, type UploadDoc } from '../uploads/upload-doc.js';
import { UploadNotFoundError } from '../uploads/upload-errors.js';
import { jsonSafe } from '../uploads/upload-names.js';
import { createTusServer, RequestOwners, serveTus, UPLOAD_ID_HEADER } from '../uploads/tus-server.js';
import type { Uploads } from '../uploads/uploads.js';
import type { ApiContext } from './context.js';
import { badRequest, notFound } from './errors.js';
import { routeSchema } from './openapi.js';

/** Where the tus endpoint is mounted. */
export const TUS_PATH = '/v1/tus';

/** The status document's URL of an upload. */
export const uploadUrl = (uploadId: string): string => `/v1/uploads/${uploadId}`;

/**
 * An upload as the API shows it (`Upload` in the OpenAPI document): the document's fields, the
 * saved hash state and the object key left out, fields without a value left out.
 */
export function uploadView(doc: UploadDoc): Record<string, unknown> {
  const view: Record<string, unknown> = {
    uploadId: doc.uploadId,
    status: doc.status,
    fileName: doc.fileName,
    originalName: doc.originalName,
    offset: doc.offset,
    size: doc.size,
    sha256: doc.sha256,
    declaredSize: doc.declaredSize,
    declaredSha256: doc.declaredSha256,
    format: doc.format,
    detected: doc.detected,
    createdAt: doc.createdAt || undefined,
    updatedAt: doc.updatedAt || undefined,
    error: doc.error,
  };
  return Object.fromEntries(Object.entries(view).filter(([, v]) => v !== undefined));
}

/** Statuses a list may be narrowed to. */
const UPLOAD_STATUSES: UploadDoc['status'][] = ['ongoing', 'successful', 'failed'];

/** The cursor after `doc` in a list (opaque to clients): base64url of `<createdAt> <uploadId>`. */
function uploadCursor(doc: UploadDoc): string {
  return Buffer.from(`${doc.createdAt} ${doc.uploadId}`, 'utf8').toString('base64url');
}

/** A cursor back to `{createdAt, uploadId}`. @throws ApiError 400 for one this server did not make. */
function parseUploadCursor(cursor: string): { createdAt: string; uploadId: string } {
  const [createdAt, uploadId, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split(' ');
  if (createdAt === undefined || uploadId === undefined || extra !== undefined || !UPLOAD_ID.test(uploadId)) throw badRequest('cursor is not one this server gave: give the nextCursor of the page before');
  return { createdAt, uploadId };
}

/** Sends an upload as JSON whose bytes hold no bidi, control or look-alike character (`jsonSafe`): a name is shown escaped. */
function sendUpload(reply: FastifyReply, status: number, doc: UploadDoc): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(jsonSafe(JSON.stringify(uploadView(doc))));
}

/**
 * Registers the upload routes on `v1` (prefix `/v1`, authenticated), in a scope of their own that
 * reads bodies itself (no content-type parser buffers them).
 * @param uploads the process's uploads facade (awaited when the scope registers).
 */
export function uploadRoutes(v1: FastifyInstance, ctx: ApiContext, uploads: Uploads | Promise<Uploads>): void {
  void v1.register(async (scope) => {
    const up = await uploads;
    // Any content type: the routes stream the raw body themselves (fastify's parsers would buffer it).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));

    scope.post<{ Querystring: { name: string; sha256?: string; format?: FileFormat } }>('/uploads', { schema: routeSchema('POST', '/v1/uploads') }, async (request, reply) => {
      const length = request.headers['content-length'];
      const abort = new AbortController();
      // The client went away (its connection closed before the answer was sent): stop, and leave
      // nothing behind. Not the request's own 'close': it comes too when the store stops reading a
      // body it refused (past the limit), which must answer with that refusal.
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) abort.abort();
      });
      const doc = await up.uploadStream(request.owner, request.raw, {
        originalName: request.query.name,
        ...(length !== undefined ? { declaredSize: Number(length) } : {}),
        ...(request.query.sha256 ? { declaredSha256: request.query.sha256 } : {}),
        ...(request.query.format ? { format: request.query.format } : {}),
        signal: abort.signal,
      });
      return sendUpload(reply.header('location', uploadUrl(doc.uploadId)).header(UPLOAD_ID_HEADER, doc.uploadId), 201, doc);
    });

    scope.get<{ Params: { uploadId: string } }>('/uploads/:uploadId', { schema: routeSchema('GET', '/v1/uploads/{uploadId}') }, async (request, reply) => {
      const doc = await up.find(request.owner, request.params.uploadId);
      if (!doc) throw notFound(`no upload ${request.params.uploadId}`);
      return sendUpload(reply, 200, doc);
    });

    scope.delete<{ Params: { uploadId: string } }>('/uploads/:uploadId', { schema: routeSchema('DELETE', '/v1/uploads/{uploadId}') }, async (request, reply) => {
      let doc: UploadDoc;
      try {
        doc = await up.remove(request.owner, request.params.uploadId);
      } catch (err) {
        if (err instanceof UploadNotFoundError) throw notFound(`no upload ${request.params.uploadId}`);
        throw err;
      }
      return sendUpload(reply, 200, doc);
    });

    scope.get<{ Querystring: { status?: string[]; limit?: number; cursor?: string } }>('/uploads', { schema: routeSchema('GET', '/v1/uploads') }, async (request, reply) => {
      const statuses = (request.query.status ?? []).flatMap((s) => s.split(','));
      for (const s of statuses) if (!UPLOAD_STATUSES.includes(s as UploadDoc['status'])) throw badRequest(`status ${JSON.stringify(s)} is not one of ${UPLOAD_STATUSES.join(', ')}`);
      const limit = request.query.limit ?? 100;
      const after = request.query.cursor === undefined ? undefined : parseUploadCursor(request.query.cursor);
      const page = await up.list(request.owner, { ...(statuses.length ? { status: statuses as UploadDoc['status'][] } : {}), limit, ...(after ? { after } : {}) });
      const last = page.uploads[page.uploads.length - 1];
      const body = { uploads: page.uploads.map(uploadView), nextCursor: page.more && last ? uploadCursor(last) : null };
      return reply.code(200).type('application/json; charset=utf-8').send(jsonSafe(JSON.stringify(body)));
    });

    const owners = new RequestOwners();
    const tus = createTusServer(up, { path: TUS_PATH, ownerOf: owners.ownerOf, statusUrl: uploadUrl, log: ctx.runtime.ports.log });
    /** Hands the request, raw, to the tus server as the token's owner's; fastify sends nothing itself. */
    const toTus = async (request: FastifyRequest, reply: FastifyReply) => {
      reply.hijack();
      try {
        await serveTus(tus, owners, request.owner, request.raw, reply.raw);
      } catch (err) {
        request.log.error({ err }, 'tus request failed');
        if (!reply.raw.headersSent) reply.raw.writeHead(500, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ code: 'INTERNAL', message: 'internal error; it is logged on the server' }));
        else reply.raw.destroy();
      }
    };
    scope.route({ method: ['POST', 'OPTIONS'], url: '/tus', handler: toTus });
    scope.route({ method: ['HEAD', 'PATCH', 'DELETE'], url: '/tus/:owner/:uploadId/:name', handler: toTus });
  });
}
