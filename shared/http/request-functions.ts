/**
 * The two request/response functions of the flow, which answer their caller instead of publishing:
 *
 * - `upload` (bearer token on every request, as the user API checks it), two ways in, both through
 *   the uploads facade (`uploads/uploads.ts`: status document `uploads/<owner>/<id>`, object
 *   `<owner>/<uploadId>/<safe name>`, limit `TOOLFLOW_UPLOAD_LIMIT`, quota, format and SHA-256
 *   checks), bodies streamed, never held whole in memory; but on S3 @tus/s3-store writes each part
 *   (8 MiB) to a temporary file in `os.tmpdir()` (`TMPDIR`) and reads it back to send it, and copies
 *   a resumed upload's `.part` tail there too; a local folder: straight into the object's file. A
 *   resumed upload's SHA-256 is hashed on only in the process that wrote its previous bytes
 *   (elsewhere the object is read back once at its end):
 *   - one request: `POST ?name=FILE[&sha256=HEX][&format=F]`, the file as the body (any content
 *     type, `Content-Length` its declared size); answers `201` with the upload (the user API's
 *     `Upload`), `Location: /v1/uploads/<id>` and `Toolflow-Upload-Id`, as `POST /v1/uploads` does;
 *   - tus 1.0 (`uploads/tus-server.ts`): `POST` with `Tus-Resumable` creates (on any path), `HEAD`,
 *     `PATCH`, `DELETE` on `/<owner>/<uploadId>/<name>` resume, send, terminate, `OPTIONS`
 *     describes. Upload URLs are `$TOOLFLOW_UPLOAD_URL/<owner>/<uploadId>/<name>` (the function's
 *     public URL, for a gateway that rewrites paths: `https://gateway/function/upload`), else
 *     `/<owner>/<uploadId>/<name>` on the host the client called. tus needs the raw request:
 *     `node dist/functions/upload/index.js` (of-watchdog HTTP mode, Knative's container), not
 *     faas-js-runtime, which buffers bodies and routes only `/` (there, tus answers 501 and the
 *     one-request POST takes a body up to the function's `bodyLimit`).
 * - `validate`: `POST` a JSON submission (`SubmitRequest` of the OpenAPI document: `workflow` text,
 *   `file`, `values`, `inputs` as upload ids, `failFast`), bearer token; answers `200` with the
 *   `task.submitted` CloudEvent it implies (structured mode, `application/cloudevents+json`), or
 *   `422 SPEC_INVALID` with every issue (file, line, column, path, message). It publishes nothing:
 *   submitting is the API's (or the caller's) step.
 *
 * Errors are the user API's (`api/errors.ts`): JSON `{code, message, issues?}`.
 */
import { CloudEvent, HTTP } from 'cloudevents';
import { ownerOf } from '../api/auth.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiOptionsFromEnv, DEFAULT_SUBMIT_BODY_LIMIT } from '../api/app.js';
import { badRequest, toErrorAnswer } from '../api/errors.js';
import { buildSubmission, type SubmitBody } from '../api/submission.js';
import { uploadUrl, uploadView } from '../api/uploads-routes.js';
import { validateSubmission } from '../handlers/validate.js';
import { createTusServer, RequestOwners, serveTus, UPLOAD_ID_HEADER } from '../uploads/tus-server.js';
import { FILE_FORMATS, type FileFormat } from '../uploads/upload-doc.js';
import { jsonSafe } from '../uploads/upload-names.js';
import { createUploads, uploadSettingsFromEnv } from '../uploads/uploads.js';
import type { Logger } from 'pino';
import { bodyText, errorAnswer, header, jsonAnswer, type FunctionAnswer, type FunctionRequest } from './function-http.js';
import { openFunctionPorts, type FunctionPorts } from './function-ports.js';
import { storeAnswers, type HttpFunction } from './function-module.js';

/** An error as the user API answers it (unexpected ones logged, answered without their message). */
function failure(err: unknown, log: Logger, fn: string): FunctionAnswer {
  const a = toErrorAnswer(err);
  if (a.unexpected) log.error({ function: fn, err: (err as Error).message }, 'request failed');
  return jsonAnswer(a.status, a.body, a.headers);
}

/** Refuses anything but POST. */
function postOnly(request: FunctionRequest, what: string): FunctionAnswer | undefined {
  return request.method === 'POST' ? undefined : errorAnswer(405, 'BAD_REQUEST', `${what} by POST`);
}

/** A function over ports that publish nothing. */
function requestFunction(name: string, bodyLimit: number, answer: (ports: FunctionPorts, request: FunctionRequest) => Promise<FunctionAnswer>): HttpFunction {
  return {
    name,
    bodyLimit,
    async open(config, log) {
      const ports = await openFunctionPorts(name, config, log, { publishes: false });
      return {
        answer: (request) => answer(ports, request).catch((err: unknown) => failure(err, log, name)),
        ready: () => storeAnswers(ports),
        close: () => ports.close(),
      };
    },
  };
}

/** Methods only tus uses: a request with one of them, or with `Tus-Resumable`, is a tus request. */
const TUS_METHODS = new Set(['HEAD', 'PATCH', 'DELETE', 'OPTIONS']);

/** Whether a request is tus's (see `TUS_METHODS`). */
export function isTusRequest(method: string | undefined, headers: FunctionRequest['headers']): boolean {
  return TUS_METHODS.has(method ?? '') || header(headers, 'tus-resumable') !== undefined;
}

/** `upload`'s one-request POST: checked query, then the facade's `uploadStream`. */
async function uploadOne(uploads: Awaited<ReturnType<typeof createUploads>>, owner: string, request: FunctionRequest): Promise<FunctionAnswer> {
  const name = request.query.get('name');
  if (!name) throw badRequest('give the file name: POST ?name=FILE, the file as the body');
  const sha256 = request.query.get('sha256') ?? undefined;
  if (sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(sha256)) throw badRequest('sha256 must be the file\'s SHA-256 as 64 hex digits');
  const format = request.query.get('format') ?? undefined;
  if (format !== undefined && !(FILE_FORMATS as readonly string[]).includes(format)) throw badRequest(`format must be one of ${FILE_FORMATS.join(', ')}`);
  const length = header(request.headers, 'content-length');
  const doc = await uploads.uploadStream(owner, request.stream(), {
    originalName: name,
    ...(length !== undefined ? { declaredSize: Number(length) } : {}),
    ...(sha256 ? { declaredSha256: sha256 } : {}),
    ...(format ? { format: format as FileFormat } : {}),
  });
  return { status: 201, headers: { 'content-type': 'application/json; charset=utf-8', location: uploadUrl(doc.uploadId), [UPLOAD_ID_HEADER.toLowerCase()]: doc.uploadId }, body: jsonSafe(JSON.stringify(uploadView(doc))) };
}

/** `upload` (see the module's doc). */
export const uploadFunction: HttpFunction = {
  name: 'upload',
  bodyLimit: 64 * 1024 * 1024,
  async open(config, log) {
    const ports = await openFunctionPorts('upload', config, log, { publishes: false });
    let uploads: Awaited<ReturnType<typeof createUploads>>;
    try {
      uploads = await createUploads(ports, uploadSettingsFromEnv());
    } catch (err) {
      await ports.close();
      throw err;
    }
    const owners = new RequestOwners();
    const publicUrl = process.env.TOOLFLOW_UPLOAD_URL || undefined;
    const tus = createTusServer(uploads, { path: '/', ownerOf: owners.ownerOf, ...(publicUrl ? { publicUrl } : {}), statusUrl: uploadUrl, log });
    /** A tus request, raw: the token's owner, then the tus server (the body streams to the store). */
    const tusRaw = async (req: IncomingMessage, res: ServerResponse) => {
      let owner: string;
      try {
        owner = await ownerOf(ports.store, req);
      } catch (err) {
        const a = failure(err, log, 'upload');
        if (!req.complete) req.resume();
        res.writeHead(a.status, a.headers).end(a.body);
        return;
      }
      await serveTus(tus, owners, owner, req, res);
    };
    return {
      answer: async (request) => {
        try {
          if (isTusRequest(request.method, request.headers)) {
            return errorAnswer(501, 'NOT_SUPPORTED', 'tus uploads need the function served with its body unread: run node dist/functions/upload/index.js (of-watchdog HTTP mode), not faas-js-runtime; or upload in one request: POST ?name=FILE');
          }
          const refused = postOnly(request, 'upload a file');
          if (refused) return refused;
          return await uploadOne(uploads, await ownerOf(ports.store, request), request);
        } catch (err) {
          return failure(err, log, 'upload');
        }
      },
      raw(req, res) {
        if (!isTusRequest(req.method, req.headers)) return false;
        tusRaw(req, res).catch((err: unknown) => {
          log.error({ function: 'upload', err: (err as Error).message }, 'tus request failed');
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ code: 'INTERNAL', message: 'internal error; it is logged on the server' }));
          else res.destroy();
        });
        return true;
      },
      ready: () => storeAnswers(ports),
      async close() {
        await uploads.close();
        await ports.close();
      },
    };
  },
};

/**
 * Checks the shape of a JSON submission (the types of its fields), so a wrong one is a 400 that
 * names the field rather than an error deeper down.
 * @throws ApiError 400.
 */
export function checkSubmitBody(value: unknown): SubmitBody {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(value)) throw badRequest('the body must be a JSON object: {"workflow": "<the workflow YAML>", "values"?, "inputs"?, "file"?, "failFast"?}');
  const known = ['workflow', 'file', 'values', 'inputs', 'failFast'];
  const unknown = Object.keys(value).filter((k) => !known.includes(k));
  if (unknown.length) throw badRequest(`unknown field ${JSON.stringify(unknown[0])}; the fields are ${known.join(', ')}`);
  if (typeof value.workflow !== 'string') throw badRequest('workflow must be the workflow file\'s text (a string)');
  if (value.file !== undefined && typeof value.file !== 'string') throw badRequest('file must be a string (the name issues carry)');
  if (value.failFast !== undefined && typeof value.failFast !== 'boolean') throw badRequest('failFast must be true or false');
  if (value.inputs !== undefined && !(isObject(value.inputs) && Object.values(value.inputs).every((v) => typeof v === 'string'))) throw badRequest('inputs must map input names to upload ids: {"reads": "<uploadId>"}');
  if (value.values !== undefined && !(isObject(value.values) && Object.values(value.values).every(isObject))) throw badRequest('values must map tools to their option values: {"tool": {"option": value}}');
  return value as unknown as SubmitBody;
}

/** `validate`. */
export const validateFunction: HttpFunction = requestFunction('validate', DEFAULT_SUBMIT_BODY_LIMIT, async (ports, request) => {
  const refused = postOnly(request, 'validate a submission');
  if (refused) return refused;
  const owner = await ownerOf(ports.store, request);
  const limit = apiOptionsFromEnv().submitBodyLimit ?? DEFAULT_SUBMIT_BODY_LIMIT;
  const raw = await request.body(limit);
  let json: unknown = raw;
  if (typeof raw === 'string' || Buffer.isBuffer(raw)) {
    try {
      json = JSON.parse(bodyText(raw));
    } catch (err) {
      throw badRequest(`the body is not JSON: ${(err as Error).message}`);
    }
  }
  const submission = await buildSubmission(ports, ports.executor, owner, { json: checkSubmitBody(json) });
  const event = validateSubmission(submission, ports.executor);
  const message = HTTP.structured(new CloudEvent({ ...event }));
  return { status: 200, headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' }, body: String(message.body) };
});
