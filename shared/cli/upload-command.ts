/**
 * `toolflow upload FILE... [--server URL --token T] [--format F] [--json]`: uploads local files and
 * prints their upload ids (what a submission's `inputs` take), one line per file
 * `<uploadId>\t<file>` on stdout, or with `--json` one array of `{file, uploadId, size, sha256?,
 * status, error?}` in the order given. Progress goes to stderr (`upload-progress.ts`).
 *
 * - With `--server` (or `TOOLFLOW_SERVER`): over tus to `<server>/v1/tus` with the bearer token of
 *   `--token` (or `TOOLFLOW_TOKEN`), resumably (`uploads/tus-client.ts`): Ctrl-C stops without
 *   terminating the uploads, and the same command run again resumes each from the server's offset.
 * - Without: through the configured runtime (`Runtime.upload`: the object store and upload
 *   documents of this machine's configuration, as `toolflow run --input` does).
 *
 * Each file is checked (exists, regular, readable) before any byte moves; a file that cannot be
 * uploaded is said on stderr, named with `shownName`, and the others are still uploaded.
 * Exit codes: 0 every file uploaded, 1 any failed, 2 usage or configuration, 130 interrupted.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AbortedError, ConfigError } from '../errors.js';
import { checkLocalFile, LocalFileError } from '../uploads/local-file.js';
import type { FileFormat } from '../uploads/upload-doc.js';
import { jsonSafe, shownName, shownText } from '../uploads/upload-names.js';
import { uploadStateDir, type FileIdentity } from '../uploads/upload-state.js';
import { humanBytes, progressModeFor, startUploadProgress, type UploadProgress } from './upload-progress.js';

/** Options of `toolflow upload`. */
export interface UploadCommandOptions {
  /** `--server URL`; default `TOOLFLOW_SERVER`. */
  server?: string;
  /** `--token T`; default `TOOLFLOW_TOKEN`. Never printed. */
  token?: string;
  /** `--format F`: checked by the server (or the runtime) on the first bytes. */
  format?: FileFormat;
  json?: boolean;
}

/** One file's outcome, as `--json` prints it. `file` is the name as given. */
export interface UploadResult {
  file: string;
  uploadId?: string;
  /** Bytes. */
  size?: number;
  /** Lowercase hex, when the server (or the runtime) gave it. */
  sha256?: string;
  /** `successful`, `failed`, `interrupted` (resumable), or `not started` (Ctrl-C came first). */
  status: 'successful' | 'failed' | 'interrupted' | 'not started';
  error?: string;
}

/** Files uploaded at once. */
const UPLOADS_AT_ONCE = 4;

/** What uploads one checked file, for either way (tus or the runtime). */
type Uploader = (file: string, identity: FileIdentity, hooks: { signal: AbortSignal; progress: UploadProgress }) => Promise<{ uploadId: string; size: number; sha256?: string }>;

/**
 * Checks a token from `--token` / `TOOLFLOW_TOKEN` for what an HTTP header can carry.
 * @throws ConfigError (without the token in it).
 */
function checkToken(token: string, from: string): string {
  if (!/^[\x21-\x7e]+$/.test(token)) throw new ConfigError(`the token of ${from} has characters an HTTP header cannot carry (spaces, newlines, non-ASCII): give it as toolflow token create printed it`);
  return token;
}

/** The uploader over tus (`--server`). */
async function tusUploader(server: string, token: string, format: FileFormat | undefined): Promise<Uploader> {
  const { tusUploadFile } = await import('../uploads/tus-client.js');
  const stateDir = uploadStateDir();
  try {
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new ConfigError(`the resume state folder ${stateDir} cannot be made (${(err as Error).message}): set XDG_STATE_HOME to a folder of yours`);
  }
  return async (file, identity, { signal, progress }) => {
    const shown = shownName(file);
    let bar: ReturnType<UploadProgress['add']> | undefined;
    const done = await tusUploadFile({
      server,
      token,
      path: file,
      identity,
      stateDir,
      ...(format ? { format } : {}),
      signal,
      onStart: ({ resumedAt, total }) => {
        if (resumedAt !== undefined) progress.note(`resuming ${shown} at ${resumedAt} of ${total} bytes`);
        bar = progress.add(shown, total, resumedAt ?? 0);
      },
      onProgress: (bytes) => bar?.update(bytes),
      onNotice: (message) => progress.note(`${shown}: ${message}`),
    }).catch((err: unknown) => {
      bar?.finish();
      throw err;
    });
    bar?.finish(done.size);
    if (done.upload.status !== 'successful') {
      throw new Error(`the server has every byte but shows the upload ${done.uploadId} as ${done.upload.status}${done.upload.error ? `: ${done.upload.error}` : ''}`);
    }
    return { uploadId: done.uploadId, size: done.upload.size ?? done.size, ...(done.upload.sha256 ? { sha256: done.upload.sha256 } : {}) };
  };
}

/** The uploader through the configured runtime (no `--server`); `close` ends the runtime. */
async function runtimeUploader(format: FileFormat | undefined): Promise<{ upload: Uploader; close: () => Promise<void> }> {
  const { loadConfig } = await import('../runtime/config.js');
  const { ensureDir } = await import('../ensure-dir.js');
  const { createRuntime } = await import('../runtime/runtime.js');
  const { uploadSettingsFromEnv } = await import('../uploads/uploads.js');
  const config = loadConfig(process.env);
  uploadSettingsFromEnv(process.env); // a malformed TOOLFLOW_UPLOAD_* is a ConfigError (exit 2) before any connection
  try {
    ensureDir(config.home);
  } catch (err) {
    throw new ConfigError(`TOOLFLOW_HOME ${config.home} cannot be used as a folder: ${(err as Error).message}`);
  }
  const runtime = await createRuntime(config);
  return {
    upload: async (file, identity, { signal, progress }) => {
      const bar = progress.add(shownName(file), identity.size);
      try {
        const up = await runtime.upload(config.owner, file, { signal, ...(format ? { format } : {}), onProgress: (bytes: number) => bar.update(bytes) });
        bar.finish(identity.size);
        return { uploadId: up.uploadId, size: up.bytes, ...(up.sha256 ? { sha256: up.sha256 } : {}) };
      } catch (err) {
        bar.finish();
        throw err;
      }
    },
    close: () => runtime.close(),
  };
}

/**
 * Runs `toolflow upload`. @returns the exit code (0, 1 or 130).
 * @throws ConfigError for usage problems (a token without a server, a server without a token, a
 *   bad server URL): main.ts makes them exit code 2.
 */
export async function uploadCommand(files: string[], opts: UploadCommandOptions): Promise<number> {
  const env = process.env;
  const serverValue = opts.server || env.TOOLFLOW_SERVER || undefined;
  let uploader: Uploader | undefined;
  let close = async () => undefined as void;
  let way: 'server' | 'runtime';
  if (serverValue) {
    const { serverBase } = await import('../uploads/tus-client.js');
    const server = serverBase(serverValue);
    const token = opts.token ?? (env.TOOLFLOW_TOKEN || undefined);
    if (!token) throw new ConfigError('--server needs a bearer token: give --token or set TOOLFLOW_TOKEN (toolflow token create --owner NAME makes one)');
    uploader = await tusUploader(server, checkToken(token, opts.token ? '--token' : 'TOOLFLOW_TOKEN'), opts.format);
    way = 'server';
  } else {
    if (opts.token) throw new ConfigError('--token is for uploads to a server: give --server URL (or set TOOLFLOW_SERVER) as well');
    // Configuration first (exit 2), whatever the files: the owner, the TOOLFLOW_UPLOAD_* settings.
    const [{ loadConfig }, { uploadSettingsFromEnv }] = await Promise.all([import('../runtime/config.js'), import('../uploads/uploads.js')]);
    loadConfig(env);
    uploadSettingsFromEnv(env);
    way = 'runtime';
  }

  // A file given twice is uploaded once (both would resume the same state).
  const given: string[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    const abs = resolve(f);
    if (seen.has(abs)) continue;
    seen.add(abs);
    given.push(f);
  }
  const results = new Map<string, UploadResult>(given.map((f) => [f, { file: f, status: 'not started' }]));
  const progress = await startUploadProgress(progressModeFor(process.stderr));
  const fail = (file: string, message: string, status: UploadResult['status'] = 'failed') => {
    results.set(file, { file, status, error: message });
    progress.note(`toolflow: ${shownName(file)}: ${shownText(message)}`);
  };

  // Every file is checked before any byte moves: what cannot be uploaded is said at once.
  const todo: [string, FileIdentity][] = [];
  for (const f of given) {
    try {
      todo.push([f, await checkLocalFile(f)]);
    } catch (err) {
      if (!(err instanceof LocalFileError)) throw err;
      fail(f, err.message);
    }
  }

  const stop = new AbortController();
  let signals = 0;
  const onSignal = () => {
    signals++;
    if (signals > 1) {
      progress.stop();
      process.exit(130);
    }
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  // Lines of stdout wait for the bars to stop when both share a terminal.
  const deferStdout = progress.mode === 'live' && process.stdout.isTTY;
  const pending: string[] = [];
  const printed = (line: string) => {
    if (opts.json) return;
    if (deferStdout) pending.push(line);
    else process.stdout.write(line);
  };

  try {
    if (way === 'runtime' && todo.length > 0) {
      const r = await runtimeUploader(opts.format);
      uploader = r.upload;
      close = r.close;
    }
    let next = 0;
    const upload = uploader;
    const worker = async () => {
      while (next < todo.length && !stop.signal.aborted) {
        const [file, identity] = todo[next++]!;
        const t0 = Date.now();
        try {
          const up = await upload!(file, identity, { signal: stop.signal, progress });
          results.set(file, { file, uploadId: up.uploadId, size: up.size, ...(up.sha256 ? { sha256: up.sha256 } : {}), status: 'successful' });
          if (progress.mode === 'plain') {
            const ms = Math.max(1, Date.now() - t0);
            progress.note(`uploaded ${shownName(file)}: ${humanBytes(up.size)} in ${(ms / 1000).toFixed(1)} s (${humanBytes(Math.round((up.size * 1000) / ms))}/s)`);
          }
          printed(`${up.uploadId}\t${shownName(file)}\n`);
        } catch (err) {
          if (stop.signal.aborted || err instanceof AbortedError) {
            results.set(file, { file, status: 'interrupted', error: 'interrupted' });
            progress.note(way === 'server' ? `interrupted: run the same command again to resume ${shownName(file)}` : `interrupted: ${shownName(file)} was not uploaded (nothing of it was kept); run the command again to upload it`);
          } else {
            fail(file, (err as Error).message);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(UPLOADS_AT_ONCE, todo.length) }, worker));
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    await close();
  }
  for (const line of pending) process.stdout.write(line);
  const all = given.map((f) => results.get(f)!);
  // jsonSafe: a name's bidi and look-alike characters as \u escapes, as the API's answers have them.
  if (opts.json) process.stdout.write(jsonSafe(JSON.stringify(all)) + '\n');
  if (stop.signal.aborted) {
    const notStarted = all.filter((r) => r.status === 'not started');
    if (notStarted.length > 0) process.stderr.write(`interrupted before ${notStarted.map((r) => shownName(r.file)).join(', ')} started\n`);
    return 130;
  }
  return all.every((r) => r.status === 'successful') ? 0 : 1;
}
