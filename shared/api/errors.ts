/**
 * The user API's errors: every failure answers JSON `{code, message, issues?}` with a stable `code`
 * (docs: issue 8's shared design), never a stack trace. Unexpected errors are logged on the server
 * with the request's id and answered as `INTERNAL` without their message.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConfigError, NotFoundError, ServiceUnavailableError, SpecError, ToolflowError, type SpecIssue } from '../errors.js';
import { uploadIdOf } from '../uploads/upload-errors.js';

/** The stable codes of the API's errors. */
export type ApiErrorCode =
  | 'UNAUTHENTICATED'
  | 'NOT_FOUND'
  | 'SPEC_INVALID'
  | 'PAYLOAD_TOO_LARGE'
  | 'QUOTA_EXCEEDED'
  | 'FORMAT_MISMATCH'
  | 'CHECKSUM_MISMATCH'
  | 'UPLOAD_FAILED'
  | 'BAD_REQUEST'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL';

/**
 * Codes of the upload errors (`uploads/upload-errors.ts`, which carry their HTTP `status`) the API
 * answers as they are; a declared checksum that does not match answers 422 here (the tus endpoint
 * answers it 460, the status of tus's checksum extension).
 */
const UPLOAD_CODES: Partial<Record<string, ApiErrorCode>> = {
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  FORMAT_MISMATCH: 'FORMAT_MISMATCH',
  CHECKSUM_MISMATCH: 'CHECKSUM_MISMATCH',
  UPLOAD_FAILED: 'UPLOAD_FAILED',
  BAD_REQUEST: 'BAD_REQUEST',
};

/** The body of an error answer. */
export interface ErrorBody {
  code: ApiErrorCode;
  message: string;
  /** For `SPEC_INVALID`: every problem, as the CLI prints them. */
  issues?: SpecIssue[];  /** For an upload refused once created (`FORMAT_MISMATCH`, `CHECKSUM_MISMATCH`…): its id, whose status document says `failed`. */
  uploadId?: string;
}

/** An error with its HTTP status, code and (optional) headers, thrown by routes. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** `404 NOT_FOUND`: the same answer for a missing thing and for another owner's. */
export function notFound(message: string): ApiError {
  return new ApiError(404, 'NOT_FOUND', message);
}

/** `400 BAD_REQUEST`. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BAD_REQUEST', message);
}

/** Fastify's own errors by code, as the API answers them. */
const FASTIFY_ERRORS: Record<string, { status: number; code: ApiErrorCode }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'BAD_REQUEST' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'BAD_REQUEST' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'BAD_REQUEST' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'BAD_REQUEST' },
};

/**
 * What an error answers: status, body and headers.
 * @param err anything a route, a hook or fastify threw.
 */
export function toErrorAnswer(err: unknown): { status: number; body: ErrorBody; headers: Record<string, string>; unexpected: boolean } {
  const answer = (status: number, code: ApiErrorCode, message: string, extra: Partial<ErrorBody> = {}, headers: Record<string, string> = {}) => ({ status, body: { code, message, ...extra }, headers, unexpected: false });
  if (err instanceof ApiError) return answer(err.status, err.code, err.message, {}, err.headers);
  if (err instanceof SpecError) return answer(422, 'SPEC_INVALID', `${err.issues.length} problem${err.issues.length === 1 ? '' : 's'}:\n${err.message}`, { issues: err.issues });
  if (err instanceof NotFoundError) return answer(404, 'NOT_FOUND', err.message);
  if (err instanceof ConfigError) return answer(400, 'BAD_REQUEST', err.message);
  if (err instanceof ServiceUnavailableError) return answer(503, 'SERVICE_UNAVAILABLE', err.message, {}, { 'retry-after': '5' });
  // An upload refused after its creation names its id (`uploadIdOf`): its status document says why it failed.
  const uploadId = uploadIdOf(err);
  const withId = uploadId !== undefined ? { uploadId } : {};
  if (err instanceof ToolflowError && err.code === 'CHECKSUM_MISMATCH' && typeof (err as { status?: unknown }).status === 'number') return answer(422, 'CHECKSUM_MISMATCH', err.message, withId);
  if (err instanceof ToolflowError && UPLOAD_CODES[err.code] && typeof (err as { status?: unknown }).status === 'number') {
    const status = (err as unknown as { status: number }).status;
    // Refused before the body was read (a declared size over the limit or the quota): the connection is not reused.
    return answer(status, UPLOAD_CODES[err.code]!, err.message, withId, status === 413 ? { connection: 'close' } : {});
  }
  // The client went away in the middle of its body (an upload): nobody reads this answer.
  if (err instanceof ToolflowError && err.code === 'ABORTED') return answer(400, 'BAD_REQUEST', err.message);
  if (err instanceof ToolflowError && err.code === 'PAYLOAD_TOO_LARGE') return answer(413, 'PAYLOAD_TOO_LARGE', err.message, {}, { connection: 'close' });
  const fe = err as Partial<FastifyError> | undefined;
  if (fe?.validation) return answer(400, 'BAD_REQUEST', `the request is invalid: ${fe.message}`);
  const known = fe?.code ? FASTIFY_ERRORS[fe.code] : undefined;
  if (known) return answer(known.status, known.code, fe!.message ?? known.code, {}, known.status === 413 ? { connection: 'close' } : {});
  // Other client errors fastify raises (a malformed header, say) carry a 4xx status and a safe message.
  if (fe?.code?.startsWith('FST_') && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) return answer(400, 'BAD_REQUEST', fe.message ?? 'bad request');
  return { status: 500, body: { code: 'INTERNAL', message: 'internal error; it is logged on the server' }, headers: {}, unexpected: true };
}

/** Sends an error answer. */
export function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  const { status, body, headers } = toErrorAnswer(err);
  return reply.code(status).headers(headers).type('application/json; charset=utf-8').send(body);
}

/**
 * Installs the error handler (every thrown error becomes `{code, message, issues?}`; unexpected ones
 * are logged with the request id, and answered without their message) and the handler of unknown routes.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((caught: unknown, request: FastifyRequest, reply: FastifyReply) => {
    let err = caught;
    if ((caught as FastifyError | undefined)?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      const type = String(request.headers['content-type'] ?? '(none)').slice(0, 100);
      err = new ApiError(415, 'BAD_REQUEST', `Content-Type ${type} is not taken by ${request.method} ${request.url.replace(/\?.*$/, '')}: /openapi.json lists the types each route takes (a submission: application/json or application/yaml)`);
    }
    const { unexpected, status } = toErrorAnswer(err);
    if (unexpected) request.log.error({ err }, 'request failed');
    else if (status >= 500) request.log.warn({ err: { message: (err as Error).message } }, 'backend unavailable');
    return sendError(reply, err);
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, notFound(`no route ${request.method} ${request.url.replace(/\?.*$/, '')}; the routes are in /openapi.json`)));
}
