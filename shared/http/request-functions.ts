/**
 * The two request/response functions of the flow, which answer their caller instead of publishing:
 *
 * - `upload`: `POST ?name=FILE` with the file as the body (any content type), `Authorization:
 *   Bearer <token>`; streams the body to the object store through the upload handler
 *   (`handlers/upload.ts` `uploadStream`: status document in coordination, object under
 *   `<owner>/<upload-id>/<file>`) and answers `201 {uploadId, fileName, status, size}`, as the user
 *   API's `POST /v1/uploads` does (same token check, same limit `TOOLFLOW_API_UPLOAD_LIMIT`).
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
import { apiOptionsFromEnv, DEFAULT_SUBMIT_BODY_LIMIT, DEFAULT_UPLOAD_BODY_LIMIT } from '../api/app.js';
import { ApiError, badRequest, toErrorAnswer } from '../api/errors.js';
import { buildSubmission, type SubmitBody } from '../api/submission.js';
import { uploadStream } from '../handlers/upload.js';
import { validateSubmission } from '../handlers/validate.js';
import type { Logger } from 'pino';
import { bodyText, errorAnswer, jsonAnswer, type FunctionAnswer, type FunctionRequest } from './function-http.js';
import { openFunctionPorts, type FunctionPorts } from './function-ports.js';
import { storeAnswers, type HttpFunction } from './function-module.js';

/** An error as the user API answers it (unexpected ones logged, answered without their message). */
function failure(err: unknown, log: Logger, fn: string): FunctionAnswer {
  const a = toErrorAnswer(err);
  if (a.unexpected) log.error({ fn, err: (err as Error).message }, 'request failed');
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

/** `upload`. */
export const uploadFunction: HttpFunction = requestFunction('upload', 64 * 1024 * 1024, async (ports, request) => {
  const refused = postOnly(request, 'upload a file');
  if (refused) return refused;
  const owner = await ownerOf(ports.store, request);
  const name = request.query.get('name');
  if (!name) throw badRequest('give the file name: POST ?name=FILE, the file as the body');
  const limit = apiOptionsFromEnv().uploadBodyLimit ?? DEFAULT_UPLOAD_BODY_LIMIT;
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new ApiError(413, 'PAYLOAD_TOO_LARGE', `the upload is ${declared} bytes, more than the limit of ${limit} bytes`, { connection: 'close' });
  const up = await uploadStream(ports, owner, name, request.stream(), { maxBytes: limit });
  return jsonAnswer(201, { uploadId: up.uploadId, fileName: up.fileName, status: 'successful', size: up.size });
});

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
