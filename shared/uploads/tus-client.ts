/**
 * Uploading one local file to a toolflow server over tus 1.0 (tus-js-client 4), resumably: the
 * upload's URL is kept in the local resume state (`upload-state.ts`) from its creation on, so a
 * run stopped by Ctrl-C, a lost connection or a crash resumes from the server's offset (tus HEAD)
 * when the same command runs again, sending only the bytes the server lacks.
 *
 * - Endpoint `<server>/v1/tus`; every request carries `Authorization: Bearer <token>` (the token
 *   is never stored, logged or put in a message: server answers are redacted before they are shown).
 * - Upload-Metadata: `filename` (the file's last path component) and `format` when declared.
 *   `sha256` is not sent: declaring it would need a whole extra read of the file before the first
 *   byte goes out; the server hashes the bytes as they arrive and the final document carries it.
 * - One PATCH streams the whole file (`chunkSize` unlimited, tus-js-client's default): the server
 *   stores as it receives, so an interrupted PATCH keeps what arrived, and nothing is gained from
 *   splitting on loopback or LAN (no measurement asked for a limit).
 * - Retries (`RETRY_DELAYS_MS`, doubling): after a lost connection once the server has answered,
 *   on 5xx, 409 (offset mismatch) and 423 (locked). Not on other 4xx, and not when the server has
 *   not answered at all in this run (unreachable: said at once rather than after a minute).
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { Upload, type DetailedError, type HttpRequest, type HttpResponse } from 'tus-js-client';
import { AbortedError, ConfigError, ServiceUnavailableError, ToolflowError } from '../errors.js';
import { maskUrl } from '../mask-url.js';
import type { FileFormat } from './upload-doc.js';
import { UPLOAD_ID } from './upload-doc.js';
import { sameFile, UploadState, fileIdentity, type FileIdentity } from './upload-state.js';

/** Delays between retries, ms (tus-js-client resets the count once bytes move again). */
export const RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000, 16000, 30000];

/** Thrown when the server refuses the bearer token (401); the message never holds the token. */
export class TokenRefusedError extends ToolflowError {
  constructor(message: string) {
    super('TOKEN_REFUSED', message);
  }
}

/** Thrown when the server refuses an upload: `status` is its HTTP status, `code` the server's error code when it gave one (`PAYLOAD_TOO_LARGE`, `QUOTA_EXCEEDED`, `FORMAT_MISMATCH`), else `HTTP_<status>`. */
export class UploadRefusedError extends ToolflowError {
  constructor(
    code: string,
    message: string,
    readonly status: number,
  ) {
    super(code, message);
  }
}

/** An upload as the server's `GET /v1/uploads/{uploadId}` shows it (fields this client reads). */
export interface ServerUpload {
  uploadId: string;
  fileName?: string;
  status: string;
  size?: number;
  sha256?: string;
  error?: string;
}

/** Options of `tusUploadFile`. */
export interface TusUploadOptions {
  /** The server's base URL (`http(s)://host:port[/prefix]`), checked by `serverBase`. */
  server: string;
  /** The bearer token. */
  token: string;
  /** The local file (as given). */
  path: string;
  /** Its identity now (`checkLocalFile`). */
  identity: FileIdentity;
  /** The resume state folder (`uploadStateDir()`). */
  stateDir: string;
  format?: FileFormat;
  /** Aborts the upload without terminating it (`abort(false)`): it stays resumable on the server until its expiry. */
  signal?: AbortSignal;
  /** Bytes the server holds or has been sent so far (offset included), of `total`. */
  onProgress?: (bytes: number, total: number) => void;
  /** Said once before bytes move: `resumed` is the server's offset when an earlier upload is taken up (tus HEAD). */
  onStart?: (start: { resumedAt?: number; total: number }) => void;
  /** Words for people about what happens (`<file> changed since…: starting over`); without the file's name. */
  onNotice?: (message: string) => void;
}

/** What `tusUploadFile` returns. */
export interface TusUploaded {
  uploadId: string;
  /** The tus upload URL. */
  uploadUrl: string;
  /** Bytes uploaded (the file's size). */
  size: number;
  /** The server's document after the last byte (status, size, sha256). */
  upload: ServerUpload;
}

/**
 * A server base URL from `--server` / `TOOLFLOW_SERVER`, without a trailing slash.
 * @throws ConfigError (exit 2) for a value that is not an
 *   http(s) URL, or that carries a user name or password (credentials go in the token, and the
 *   URL is stored in the resume state).
 */
export function serverBase(value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new ConfigError(`the server ${maskUrl(value)} is not a URL: give http://host:port or https://host`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(`the server ${maskUrl(value)} is not an http:// or https:// URL`);
  if (u.username || u.password) throw new ConfigError(`the server URL ${maskUrl(value)} holds a user name or password: remove it, and give the token with --token or TOOLFLOW_TOKEN`);
  if (u.search || u.hash) throw new ConfigError(`the server URL ${maskUrl(value)} has a query or fragment: give only http(s)://host:port[/path]`);
  return u.toString().replace(/\/+$/, '');
}

/** The tus endpoint of a server base (`serverBase`). */
export function tusEndpoint(server: string): string {
  return `${server}/v1/tus`;
}

/** Replaces every occurrence of the token in `text` (a server's answer) by `<token>`. */
function redact(text: string, token: string): string {
  return token ? text.split(token).join('<token>') : text;
}

/** The message of a server's error answer: its JSON `message` (or `error.message`), else its text, cut to 500 characters. */
export function answerMessage(body: string, token: string): { code?: string; message: string } {
  let code: string | undefined;
  let message = body.trim();
  try {
    const j = JSON.parse(body) as { code?: unknown; message?: unknown; error?: { message?: unknown; code?: unknown } | string };
    const m = j.message ?? (typeof j.error === 'object' ? j.error?.message : j.error);
    const c = j.code ?? (typeof j.error === 'object' ? j.error?.code : undefined);
    if (typeof m === 'string') message = m;
    if (typeof c === 'string') code = c;
  } catch {
    // not JSON: the text as it is
  }
  message = redact(message, token).replace(/\s+/g, ' ');
  if (message.length > 500) message = `${message.slice(0, 500)}…`;
  return { ...(code ? { code } : {}), message };
}

/** A tus-js-client error as a toolflow error with words for people. */
function clientError(err: Error | DetailedError, server: string, token: string, request?: HttpRequest, response?: HttpResponse): Error {
  const d = err as DetailedError;
  const res = response ?? d.originalResponse ?? null;
  const req = request ?? d.originalRequest ?? null;
  if (!res) {
    const cause = d.causingError as NodeJS.ErrnoException | null | undefined;
    if (req) {
      const why = cause?.code ?? cause?.message ?? 'no answer';
      return new ServiceUnavailableError(`cannot reach the server ${maskUrl(server)} (${why}): is it running, and is the URL right?`, { cause });
    }
    return new ToolflowError('UPLOAD_FAILED', redact(err.message, token));
  }
  const status = res.getStatus();
  const { code, message } = answerMessage(res.getBody() ?? '', token);
  if (status === 401) {
    // toolflow's own 401 already says how to make a token: said once, not twice.
    const how = /toolflow token create/.test(message) ? '' : ' (toolflow token create --owner NAME makes one)';
    return new TokenRefusedError(`the server refused the token (401): ${message || 'unauthenticated'}; check --token or TOOLFLOW_TOKEN${how}`);
  }
  if (req?.getMethod() === 'HEAD' && (status === 404 || status === 410)) {
    return new UploadRefusedError('UPLOAD_GONE', `the server no longer has this upload (${status}): it failed or expired there; running the command again starts it over`, status);
  }
  if (status === 403) return new UploadRefusedError(code ?? 'HTTP_403', `the server refused the upload (403): ${message}`, status);
  if (status === 413 && code === 'QUOTA_EXCEEDED') return new UploadRefusedError(code, `over your upload quota on the server (413): ${message}`, status);
  if (status === 413) return new UploadRefusedError(code ?? 'PAYLOAD_TOO_LARGE', `too large for the server (413): ${message}`, status);
  if (status === 422) return new UploadRefusedError(code ?? 'FORMAT_MISMATCH', `the server refused its content (422): ${message}`, status);
  if (status === 404 && req?.getMethod() === 'POST') {
    return new UploadRefusedError('HTTP_404', `the server ${maskUrl(server)} has no resumable upload endpoint at /v1/tus (404): is it a toolflow server of this version?`, status);
  }
  return new UploadRefusedError(code ?? `HTTP_${status}`, `the server answered ${status}${message ? `: ${message}` : ''}`, status);
}

/**
 * The upload id of a tus upload: the `Toolflow-Upload-Id` header of the answer that finished it
 * (`uploads/tus-server.ts`), else the id segment of its URL
 * (`<server>/v1/tus/<owner>/<uploadId>/<name>`: the second segment after `/v1/tus/`).
 * @throws ToolflowError `UPLOAD_FAILED` when neither holds an upload id.
 */
export function uploadIdOf(uploadUrl: string, header?: string): string {
  if (header && UPLOAD_ID.test(header)) return header;
  const path = new URL(uploadUrl).pathname;
  const at = path.lastIndexOf('/v1/tus/');
  const parts = (at >= 0 ? path.slice(at + 8) : path).split('/');
  const id = parts.length === 3 && UPLOAD_ID.test(parts[1]!) ? parts[1] : parts.find((s) => UPLOAD_ID.test(s));
  if (!id) throw new ToolflowError('UPLOAD_FAILED', `the server's upload URL ${uploadUrl} holds no upload id`);
  return id;
}

/**
 * The server's document of an upload (`GET /v1/uploads/{uploadId}`), waiting up to `waitMs` while
 * it is still `ongoing` (a server may finish its bookkeeping just after the last PATCH answered).
 * @throws ServiceUnavailableError, TokenRefusedError or UploadRefusedError as for the upload.
 */
export async function fetchServerUpload(server: string, token: string, uploadId: string, waitMs = 10_000): Promise<ServerUpload> {
  const url = `${server}/v1/uploads/${encodeURIComponent(uploadId)}`;
  for (const t0 = Date.now(); ; await new Promise((r) => setTimeout(r, 200))) {
    let res: Response;
    try {
      res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    } catch (err) {
      const cause = (err as { cause?: NodeJS.ErrnoException }).cause;
      throw new ServiceUnavailableError(`cannot reach the server ${maskUrl(server)} (${cause?.code ?? (err as Error).message})`, { cause: err });
    }
    const body = await res.text();
    if (res.status === 401) throw new TokenRefusedError(`the server refused the token (401): ${answerMessage(body, token).message}`);
    if (!res.ok) {
      const { code, message } = answerMessage(body, token);
      throw new UploadRefusedError(code ?? `HTTP_${res.status}`, `the server answered ${res.status} for upload ${uploadId}: ${message}`, res.status);
    }
    const doc = JSON.parse(body) as ServerUpload;
    if (doc.status !== 'ongoing' || Date.now() - t0 > waitMs) return doc;
  }
}

/**
 * Uploads one file over tus, resuming the stored upload of the same unchanged file when there is
 * one, and removes the resume state once the server has every byte.
 * @returns the upload id, URL, size and the server's document.
 * @throws AbortedError after `signal` (the upload stays resumable: its state is kept);
 *   ServiceUnavailableError (server unreachable), TokenRefusedError (401), UploadRefusedError
 *   (413 limit or quota, 422 format, other statuses) with the server's message; LocalFileError-like
 *   ToolflowError `FILE_CHANGED` when the file changed while it was sent.
 */
export async function tusUploadFile(o: TusUploadOptions): Promise<TusUploaded> {
  if (o.signal?.aborted) throw new AbortedError('interrupted before the upload started');
  const endpoint = tusEndpoint(o.server);
  const state = new UploadState(o.stateDir, endpoint, o.identity);
  state.onWriteError = (err) => o.onNotice?.(`its resume state cannot be written (${err.message}): if this upload is interrupted, it starts over`);
  const stored = await state.read();
  let resuming = false;
  if (stored && stored.fingerprint !== state.fingerprint) {
    // The file was rewritten or replaced since: its bytes on the server are not this file's.
    const how = stored.file.size !== o.identity.size ? `its size went from ${stored.file.size} to ${o.identity.size} bytes` : stored.file.ino !== o.identity.ino || stored.file.dev !== o.identity.dev ? 'it was replaced' : 'it was modified';
    o.onNotice?.(`changed since its interrupted upload (${how}): starting over`);
    await state.clear();
    // Let the server free the old upload now (tus termination) rather than at its expiry; best effort.
    await Upload.terminate(stored.uploadUrl, { headers: { authorization: `Bearer ${o.token}` }, retryDelays: null }).catch(() => undefined);
  } else if (stored) {
    resuming = true;
  }

  const total = o.identity.size;
  let answered = false; // the server answered at least once in this run
  let started = false;
  let heads = 0;
  /** An answer that ends the upload whatever tus-js-client would do next (see onAfterResponse). */
  let fatal: Error | undefined;
  const metadata: Record<string, string> = { filename: basename(o.identity.path), ...(o.format ? { format: o.format } : {}) };
  const stream = createReadStream(o.identity.path);
  stream.on('error', () => undefined); // the source slices reopen the file; this handle only names it

  return await new Promise<TusUploaded>((resolvePromise, reject) => {
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      o.signal?.removeEventListener('abort', onAbort);
      stream.destroy();
      f();
    };
    const upload = new Upload(stream as never, {
      endpoint,
      metadata,
      headers: { authorization: `Bearer ${o.token}` },
      uploadSize: total,
      retryDelays: RETRY_DELAYS_MS,
      urlStorage: state,
      fingerprint: async () => state.fingerprint,
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onAfterResponse: (req: HttpRequest, res: HttpResponse) => {
        answered = true;
        const location = req.getMethod() === 'POST' ? res.getHeader('Location') : undefined;
        if (location && new URL(location, endpoint).origin !== new URL(endpoint).origin) {
          // Every later request of the upload goes there, with the token: only to the server it was given for.
          fatal = new UploadRefusedError('UPLOAD_URL_FOREIGN', `the server put the upload at another origin (${maskUrl(new URL(location, endpoint).origin)}); the token is sent only to ${maskUrl(new URL(endpoint).origin)}`, res.getStatus());
          throw fatal;
        }
        if (req.getMethod() !== 'HEAD') return;
        heads++;
        const status = res.getStatus();
        if (status >= 200 && status < 300) {
          const offset = Number.parseInt(res.getHeader('Upload-Offset') ?? '', 10);
          if (!started && Number.isFinite(offset)) {
            started = true;
            o.onStart?.({ resumedAt: offset, total });
          } else if (Number.isFinite(offset)) o.onNotice?.(`retrying at ${offset} of ${total} bytes`);
        } else if (status >= 400 && status < 500 && status !== 423) {
          if (heads === 1 && resuming && !started) {
            o.onNotice?.(`the server no longer has its interrupted upload (${status}): starting over`);
            return;
          }
          // An upload this run was sending is gone or failed (a 422 format check, an expiry): tus-js-client
          // would create a new one on every retry; stop and say why instead.
          fatal = clientError(new Error('upload lost') as never, o.server, o.token, req, res);
          throw fatal;
        }
      },
      onUploadUrlAvailable: () => {
        if (!started) {
          started = true;
          o.onStart?.({ total });
        }
      },
      onShouldRetry: (err: DetailedError) => {
        if (o.signal?.aborted || fatal) return false;
        const status = err.originalResponse?.getStatus() ?? 0;
        if (status === 0) return answered;
        return status >= 500 || status === 409 || status === 423;
      },
      onProgress: (sent: number, of: number) => o.onProgress?.(sent, of),
      onError: (err: Error) =>
        settle(() => {
          const e = fatal ?? clientError(err, o.server, o.token);
          // Refused for good (too large, wrong format): the next run starts over, not resumes.
          if (e instanceof UploadRefusedError && (e.status === 413 || e.status === 422)) void state.clear().finally(() => reject(e));
          else reject(e);
        }),
      onSuccess: ({ lastResponse }: { lastResponse: HttpResponse }) =>
        settle(() => {
          const url = upload.url!;
          void (async () => {
            const uploadId = uploadIdOf(url, lastResponse?.getHeader('Toolflow-Upload-Id'));
            const now = await fileIdentity(o.identity.path).catch(() => undefined);
            if (!now || !sameFile(now, o.identity)) {
              throw new ToolflowError('FILE_CHANGED', `changed while it was uploaded: upload ${uploadId} may hold a mix of old and new bytes; upload the file again once nothing writes it`);
            }
            await state.clear(); // tus-js-client removed its entry; a record written meanwhile goes too
            const doc = await fetchServerUpload(o.server, o.token, uploadId);
            return { uploadId, uploadUrl: url, size: total, upload: doc };
          })().then(resolvePromise, reject);
        }),
    });
    const onAbort = () => {
      // Not terminated: the server keeps what it has, the state keeps the URL (resumable).
      void upload.abort(false);
      settle(() => reject(new AbortedError('interrupted: run the same command again to resume')));
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    upload.findPreviousUploads().then(
      (previous) => {
        if (settled) return;
        if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
        upload.start();
      },
      (err: Error) => settle(() => reject(err)),
    );
  });
}
