/**
 * The tus 1.0 endpoint of uploads (issue 11): an `@tus/server` 2.x `Server` over the uploads
 * facade's decorated DataStore (`uploads.ts`: status documents, streaming SHA-256, limits, quota,
 * format and checksum checks), mounted by the user API at `/v1/tus` and by the `upload` function.
 *
 * Shapes (the tus protocol 1.0.0 with its creation, creation-with-upload, creation-defer-length and
 * termination extensions, as the store declares them; https://tus.io/protocols/resumable-upload):
 *
 * - `POST <path>` creates an upload. `Upload-Length` (or `Upload-Defer-Length: 1`), and
 *   `Upload-Metadata` with `filename` (required; `name` is taken too), optionally `sha256` (64 hex
 *   digits: the upload fails if its bytes hash otherwise) and `format` (`fastq`, `fasta`, `gzip`,
 *   `bam`, `text`: the first bytes are checked). `201` with `Location: <base>/<owner>/<uploadId>/<name>`
 *   (`<base>` is `publicUrl`, else `path`; owner and name percent-encoded, name the safe name).
 * - `HEAD`, `PATCH`, `DELETE` on that URL: offset, bytes, termination (of an unfinished upload).
 * - `OPTIONS <path>`: the server's tus versions, extensions and `Tus-Max-Size` (the per-file limit).
 *   The limit itself is enforced by the store, not by @tus/server (see `maxSize` below).
 *
 * Who may: the caller's owner comes from `ownerOf` (the bearer token's, set by the host's own
 * authentication, never from a header the client sends); an upload URL of another owner, a
 * malformed one and an unknown one all answer 404 alike. The response that finishes an upload
 * carries `Toolflow-Upload-Id` (and, when `statusUrl` is given, `Location` of its status document
 * on a final PATCH). Error answers are JSON `{code, message}` (the user API's form): 413
 * `PAYLOAD_TOO_LARGE` / `QUOTA_EXCEEDED` before any byte is stored when the size is declared, 422
 * `FORMAT_MISMATCH`, 460 `CHECKSUM_MISMATCH` (tus checksum extension's status), 410 `UPLOAD_FAILED`,
 * 404 `NOT_FOUND`; unexpected errors are logged and answered 500 without their message.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { ERRORS, Server, type ServerOptions, type Upload } from '@tus/server';
import type { Logger } from 'pino';
import { ToolflowError } from '../errors.js';
import { FILE_FORMATS, UPLOAD_ID, type FileFormat } from './upload-doc.js';
import { UploadRequestError, uploadIdOf } from './upload-errors.js';
import { safeUploadName, shownName } from './upload-names.js';
import type { Uploads } from './uploads.js';

/** A request as @tus/server hands it to its hooks (srvx's `ServerRequest`: a web Request, with the node request under `runtime.node.req`). */
export type TusRequest = Parameters<NonNullable<ServerOptions['onIncomingRequest']>>[0];

/** The header of the upload id on the response that finishes an upload. */
export const UPLOAD_ID_HEADER = 'Toolflow-Upload-Id';

/** Options of `createTusServer`. */
export interface TusServerOptions {
  /** Path of the endpoint as requests reach this process (`/v1/tus`; `/` when it has the whole server). */
  path: string;
  /**
   * The caller's owner, from the request's authentication (`RequestOwners.ownerOf`); undefined
   * when it has none (creation then answers 401, every upload URL 404).
   */
  ownerOf: (req: TusRequest) => string | undefined;
  /**
   * Base of the upload URLs `Location` gives: an absolute URL or path, no trailing `/` (default
   * `path`). Set it when a gateway in front rewrites paths (OpenFaaS's `/function/upload`).
   */
  publicUrl?: string;
  /** The status document's URL of an upload (`/v1/uploads/<id>`), sent as `Location` by the PATCH that finishes it. */
  statusUrl?: (uploadId: string) => string;
  /** Where unexpected errors are logged. */
  log?: Logger;
}

/**
 * Which owner each request of a host is from, set by the host's authentication before it hands
 * the request to the tus server: the only source of `ownerOf`, so no header can name an owner.
 * Keyed weakly by the node request (or the web Request), so nothing outlives the request.
 */
export class RequestOwners {
  private readonly owners = new WeakMap<object, string>();

  /** Records that `req` (the node IncomingMessage, or a web Request) is `owner`'s. */
  set(req: object, owner: string): void {
    this.owners.set(req, owner);
  }

  /** The owner of a request as @tus/server hands it: its node request's, else its own. */
  readonly ownerOf = (req: TusRequest): string | undefined => this.owners.get(requestKey(req));
}

/** Requests (their node request, else the web Request) whose error answer is JSON: `serveTus` types it. */
const jsonAnswered = new WeakSet<object>();

/** The key of a request as @tus/server hands it: its node request, else itself. */
function requestKey(req: TusRequest): object {
  return (req as { runtime?: { node?: { req?: object } } }).runtime?.node?.req ?? req;
}

/** An error answer in the user API's form, as @tus/server sends it (with the upload's id when the refusal is of one). */
function tusAnswer(status: number, code: string, message: string, uploadId?: string): { status_code: number; body: string } {
  return { status_code: status, body: `${JSON.stringify({ code, message, ...(uploadId !== undefined ? { uploadId } : {}) })}\n` };
}

/** Codes of @tus/server's own errors (`ERRORS` of @tus/utils), by status. */
const TUS_CODES: Record<number, string> = { 400: 'BAD_REQUEST', 403: 'BAD_REQUEST', 404: 'NOT_FOUND', 409: 'OFFSET_CONFLICT', 410: 'UPLOAD_FAILED', 413: 'PAYLOAD_TOO_LARGE', 423: 'LOCKED', 460: 'CHECKSUM_MISMATCH', 501: 'NOT_SUPPORTED' };

/** The owner, upload id and safe name of an upload URL's path under `base`, or undefined when it is not one. */
export function parseUploadPath(pathname: string, base: string): { owner: string; uploadId: string; fileName: string } | undefined {
  const prefix = base.replace(/\/+$/, '');
  if (!pathname.startsWith(`${prefix}/`)) return undefined;
  const parts = pathname.slice(prefix.length + 1).split('/');
  if (parts.length !== 3) return undefined;
  let owner: string;
  let fileName: string;
  try {
    owner = decodeURIComponent(parts[0]!);
    fileName = decodeURIComponent(parts[2]!);
  } catch {
    return undefined;
  }
  const uploadId = parts[1]!;
  // Only URLs this server makes: a UUID, and a name that is already safe (the key's last segment).
  if (owner === '' || owner.includes('/') || !UPLOAD_ID.test(uploadId) || safeUploadName(fileName) !== fileName) return undefined;
  return { owner, uploadId, fileName };
}

/** The metadata a creation declares, checked: the name (required), the SHA-256 (lowercased) and the format. @throws UploadRequestError (400). */
export function checkCreationMetadata(metadata: Record<string, string | null> | undefined): { originalName: string; sha256?: string; format?: FileFormat } {
  const originalName = metadata?.filename ?? metadata?.name ?? '';
  if (originalName === '') throw new UploadRequestError('give the file name in Upload-Metadata: `filename <base64 of the name>` (tus-js-client: metadata: {filename})');
  const sha256 = metadata?.sha256 ?? undefined;
  if (sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(sha256)) throw new UploadRequestError(`Upload-Metadata sha256 must be the file's SHA-256 as 64 hex digits, got ${JSON.stringify(shownName(sha256.slice(0, 80)))}`);
  const format = metadata?.format ?? undefined;
  if (format !== undefined && !(FILE_FORMATS as readonly string[]).includes(format)) throw new UploadRequestError(`Upload-Metadata format ${JSON.stringify(shownName(format.slice(0, 80)))} is not one of ${FILE_FORMATS.join(', ')}`);
  return { originalName, ...(sha256 !== undefined ? { sha256: sha256.toLowerCase() } : {}), ...(format !== undefined ? { format: format as FileFormat } : {}) };
}

/**
 * Builds the tus server of `uploads`.
 * @returns the @tus/server `Server`: hand it requests with `serveTus` (node) or its `handleWeb`.
 */
export function createTusServer(uploads: Uploads, options: TusServerOptions): Server {
  const base = options.path.replace(/\/+$/, '');
  const publicBase = (options.publicUrl ?? base).replace(/\/+$/, '');
  const limit = uploads.settings.maxFileBytes;
  /** The caller of a request, or a 401 as @tus/server throws answers. */
  const callerOf = (req: TusRequest): string => {
    const owner = options.ownerOf(req);
    if (owner === undefined) throw tusAnswer(401, 'UNAUTHENTICATED', 'this endpoint needs a bearer token: send Authorization: Bearer <token>');
    return owner;
  };
  const datastore = new Proxy(uploads.store, {
    get(target, prop) {
      if (prop === 'write') {
        return async (stream: Parameters<Uploads['store']['write']>[0], id: string, offset: number) => {
          // A shield between the body and the store: a store that stops reading a body it refused
          // ends the shield, not the body, so @tus/server's pipeline reports the refusal rather than
          // a body closed early (ERRORS.ABORTED), and answers only once the upload is failed and removed.
          const shield = new PassThrough();
          stream.once('error', (e) => shield.destroy(e));
          stream.pipe(shield);
          return target.write(shield, id, offset);
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return new Server({
    path: base === '' ? '/' : base,
    datastore,
    // Only OPTIONS gets the limit (its Tus-Max-Size). On POST and PATCH, @tus/server's own limiter
    // would cut a body before toolflow's store sees the byte that passes the limit, answer its
    // generic "upload's size exceeded", and leave the upload ongoing with what it stored: the store
    // decides instead (a declared size over the limit refused at creation with nothing stored; an
    // undeclared one stopped as it passes, failed and removed: `checked-bytes.ts`).
    maxSize: (req) => (req.method === 'OPTIONS' ? limit : 0),
    exposedHeaders: [UPLOAD_ID_HEADER],
    disableTerminationForFinishedUploads: true,
    namingFunction: (req, metadata) => {
      const owner = callerOf(req);
      const m = checkCreationMetadata(metadata);
      return uploads.newKey(owner, m.originalName).key;
    },
    onUploadCreate: async (_req, upload) => {
      // The store reads `filename`, `sha256` and `format` from the metadata: given checked and normalised.
      const m = checkCreationMetadata(upload.metadata);
      return { metadata: { ...upload.metadata, filename: m.originalName, ...(m.sha256 ? { sha256: m.sha256 } : {}), ...(m.format ? { format: m.format } : {}) } };
    },
    getFileIdFromRequest: (req) => {
      const owner = options.ownerOf(req);
      const at = parseUploadPath(new URL(req.url).pathname, base);
      // Another owner's upload is not found, as an unknown one.
      if (!at || owner === undefined || at.owner !== owner) return undefined;
      return `${at.owner}/${at.uploadId}/${at.fileName}`;
    },
    generateUrl: (_req, { id }) => {
      const [owner, uploadId, fileName] = id.split('/') as [string, string, string];
      return `${publicBase}/${encodeURIComponent(owner)}/${uploadId}/${encodeURIComponent(fileName)}`;
    },
    onIncomingRequest: async (req, id) => {
      // Every request for an upload, the creation's included: the id must be the caller's.
      if (!id.startsWith(`${callerOf(req)}/`)) throw ERRORS.FILE_NOT_FOUND;
    },
    onUploadFinish: async (req, upload: Upload) => {
      const uploadId = upload.id.split('/')[1]!;
      const headers: Record<string, string> = { [UPLOAD_ID_HEADER]: uploadId };
      // A creation keeps its Location (the upload URL, which tus requires); a final PATCH points at the status document.
      if (req.method === 'PATCH' && options.statusUrl) headers.Location = options.statusUrl(uploadId);
      return { headers };
    },
    onResponseError: (req, err) => {
      jsonAnswered.add(requestKey(req));
      if (err instanceof ToolflowError) {
        const status = (err as { status?: number }).status;
        if (typeof status === 'number') return tusAnswer(status, err.code, err.message, uploadIdOf(err) ?? parseUploadPath(new URL(req.url).pathname, base)?.uploadId);
        if (err.code === 'NOT_FOUND') return tusAnswer(404, 'NOT_FOUND', err.message);
        if (err.code === 'SERVICE_UNAVAILABLE') return tusAnswer(503, 'SERVICE_UNAVAILABLE', err.message);
      }
      const known = err as { status_code?: unknown; body?: unknown };
      if (typeof known.status_code === 'number' && typeof known.body === 'string') {
        if (known.body.startsWith('{')) return { status_code: known.status_code, body: known.body };
        if (err === ERRORS.ERR_MAX_SIZE_EXCEEDED || err === ERRORS.ERR_SIZE_EXCEEDED) {
          // No tus maxSize is set for PATCH (above): these come from a body longer than the
          // Upload-Length the upload declared, refused before any byte of it is stored (Content-Length)
          // or cut at that length (chunked). The upload stays as it was: HEAD gives its offset.
          const length = req.headers.get('content-length');
          return tusAnswer(
            413,
            'PAYLOAD_TOO_LARGE',
            `this PATCH's body${length !== null ? ` of ${length} bytes` : ''} goes past the upload's declared Upload-Length; send only the bytes from its offset (HEAD gives it) to its length. The upload is kept as it was`,
          );
        }
        if (err === ERRORS.FILE_NOT_FOUND) return tusAnswer(404, 'NOT_FOUND', 'no upload at this URL: it is unknown, or not yours');
        const status = known.status_code;
        if (status < 500) return tusAnswer(status, TUS_CODES[status] ?? 'BAD_REQUEST', known.body.trim());
      }
      options.log?.error({ err: err instanceof Error ? { message: err.message, stack: err.stack } : err, method: req.method }, 'tus request failed');
      return tusAnswer(500, 'INTERNAL', 'internal error; it is logged on the server');
    },
  });
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Headers (node's raw `[name, value, …]` list or an object) with `content-type` JSON's. */
function withJsonType(headers: string[] | Record<string, unknown>): string[] | Record<string, unknown> {
  if (Array.isArray(headers)) {
    const out: string[] = [];
    for (let i = 0; i + 1 < headers.length; i += 2) if (String(headers[i]).toLowerCase() !== 'content-type') out.push(headers[i]!, headers[i + 1]!);
    return [...out, 'content-type', JSON_TYPE];
  }
  return { ...Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'content-type')), 'content-type': JSON_TYPE };
}

/**
 * Hands a node request to the tus server as `owner`'s (the host authenticated it): the body
 * streams to the store as it arrives, the answer is written to `res`.
 * @param owners the `RequestOwners` the server's `ownerOf` reads.
 */
export async function serveTus(server: Server, owners: RequestOwners, owner: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  owners.set(req, owner);
  // Error answers made by onResponseError are JSON: say so (@tus/server's web Response calls any string body text/plain).
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    if (jsonAnswered.has(req)) {
      const at = args.findIndex((a, i) => i > 0 && typeof a === 'object' && a !== null);
      if (at < 0) this.setHeader('content-type', JSON_TYPE);
      else args[at] = withJsonType(args[at] as string[] | Record<string, unknown>);
    }
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as typeof res.writeHead;
  await server.handle(req, res);
}
