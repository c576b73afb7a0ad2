/**
 * The user HTTP API (issue 8, section 4): fastify 5, routes under `/v1`, bearer tokens, the OpenAPI
 * 3.1 document `openapi/openapi.yaml` (served at `/openapi.json`, and the source of the request
 * checks). Served by `toolflow serve`, mounted by `toolflow dev` and the `api` function.
 *
 * | route | module |
 * | --- | --- |
 * | `POST /v1/tasks`, `GET /v1/tasks`, `GET /v1/tasks/{taskId}`, `POST /v1/tasks/{taskId}/cancel` | `tasks-routes.ts` |
 * | `GET /v1/tasks/{taskId}/tools/{tool}/logs` | `logs-routes.ts` |
 * | `GET /v1/tasks/{taskId}/tools/{tool}/outputs[/{name}]` | `outputs-routes.ts` |
 * | `POST /v1/uploads`, `GET /v1/uploads/{uploadId}`, tus `POST`/`OPTIONS /v1/tus`, `HEAD`/`PATCH`/`DELETE /v1/tus/{owner}/{uploadId}/{name}` | `uploads-routes.ts` |
 * | `GET /health/liveness`, `GET /health/readiness`, `GET /openapi.json` (open) | here |
 * | `GET /metrics` (open: Prometheus metrics only, `TOOLFLOW_METRICS_PORT` may move it) | `../metrics/fastify.ts` |
 *
 * Authentication: `auth.ts`; errors: `errors.ts`; tokens: `tokens.ts`. Uploads go through one
 * uploads facade (`uploads/uploads.ts`), made here unless given; once the server listens, its
 * sweeper aborts abandoned uploads every min(expiry / 4, 60 s).
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ConfigError } from '../errors.js';
import { mountMetrics } from '../metrics/fastify.js';
import type { MetricsPlan } from '../metrics/settings.js';
import type { Runtime } from '../runtime/runtime.js';
import { parseBytes } from '../spec/resources.js';
import { DEFAULT_UPLOAD_SETTINGS, type UploadSettings } from '../uploads/upload-doc.js';
import { createUploads, uploadSettingsFromEnv, type Uploads } from '../uploads/uploads.js';
import { requireBearer } from './auth.js';
import { apiContext, type ApiSettings } from './context.js';
import { ApiError, installErrorHandling } from './errors.js';
import { logRoutes } from './logs-routes.js';
import { openApiDocument } from './openapi.js';
import { outputRoutes } from './outputs-routes.js';
import { taskRoutes } from './tasks-routes.js';
import { uploadRoutes } from './uploads-routes.js';

/** Longest submission body by default: 16 MiB (workflow files themselves may be up to 64 MiB on the CLI). */
export const DEFAULT_SUBMIT_BODY_LIMIT = 16 * 1024 * 1024;
/** Longest upload by default: the uploads' per-file limit (`DEFAULT_UPLOAD_SETTINGS.maxFileBytes`, 100 GiB). */
export const DEFAULT_UPLOAD_BODY_LIMIT = DEFAULT_UPLOAD_SETTINGS.maxFileBytes;

/** Options of `buildApi`. */
export interface ApiOptions {
  /** Longest JSON or YAML submission, bytes (default 16 MiB); a longer one answers 413. */
  submitBodyLimit?: number;
  /**
   * Longest upload, bytes (default `TOOLFLOW_UPLOAD_LIMIT`, else 100 GiB); a longer one answers 413
   * (before any byte is stored when its size is declared, else as the body streams). Ignored when
   * `uploads` is given (its settings rule).
   */
  uploadBodyLimit?: number;
  /** The process's uploads facade; default: one made over the runtime's ports with `uploadSettingsFromEnv()` (closed with the app). */
  uploads?: Uploads;
  /** Upload settings over `uploadSettingsFromEnv()` for the facade made here (quota, expiry…). */
  uploadSettings?: Partial<UploadSettings>;
  /** Where the request logs go (pino); the `authorization` header is redacted. Default: no logs. */
  logger?: Logger;
  /** Serve `/health/liveness` and `/health/readiness` (default true; false when the host serves its own). */
  health?: boolean;
  /** Folder the tasks submitted here keep their work dirs in (recorded on each task; `toolflow resume` finds it). */
  workRoot?: string;
  /** Milliseconds between two looks at a followed log (default 250). */
  followPollMs?: number;
  /** Where `/metrics` is served (shared/metrics/settings.ts); default from `TOOLFLOW_METRICS_PORT`: on this server when unset. */
  metrics?: MetricsPlan;
}

/** Types the submission route reads as YAML text (`application/yaml` is RFC 9512's; the others are in use). */
const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

/** Header paths the request logs never show (tokens), wherever a serializer puts the headers. */
const REDACT = ['req.headers.authorization', 'headers.authorization', '*.headers.authorization', 'request.headers.authorization'];

/**
 * The API's settings from the environment: `TOOLFLOW_API_SUBMIT_LIMIT` and `TOOLFLOW_UPLOAD_LIMIT`
 * (`TOOLFLOW_API_UPLOAD_LIMIT` read when it is unset; sizes as workflows write them: `16Mi`, `5Gi`, or bytes).
 * @throws ConfigError naming the variable of a malformed size.
 */
export function apiOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<ApiOptions, 'submitBodyLimit' | 'uploadBodyLimit'> {
  const size = (name: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    try {
      return parseBytes(v);
    } catch (err) {
      throw new ConfigError(`${name}: ${(err as Error).message}`);
    }
  };
  const submitBodyLimit = size('TOOLFLOW_API_SUBMIT_LIMIT');
  const uploadBodyLimit = size('TOOLFLOW_UPLOAD_LIMIT') ?? size('TOOLFLOW_API_UPLOAD_LIMIT');
  return { ...(submitBodyLimit !== undefined ? { submitBodyLimit } : {}), ...(uploadBodyLimit !== undefined ? { uploadBodyLimit } : {}) };
}

/** Turns ajv's first error into a message naming the part and the field (`querystring: unknown parameter "limt"`). */
function schemaError(errors: { instancePath: string; keyword: string; params: Record<string, unknown>; message?: string }[], dataVar: string): Error {
  const e = errors[0];
  if (!e) return new Error(`${dataVar} is invalid`);
  const field = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const where = field ? `${dataVar}.${field}` : dataVar;
  if (e.keyword === 'additionalProperties') {
    const what = dataVar === 'querystring' ? 'parameter' : 'field';
    return new Error(`${where}: unknown ${what} "${String(e.params.additionalProperty)}"`);
  }
  return new Error(`${where} ${e.message ?? 'is invalid'}`);
}

/**
 * Builds the user API over a runtime (its store, objects, coordination, executor; `submit`,
 * `cancel`). Routes may be added to the instance before it is started (`listen`, `ready`).
 * @param runtime the process's runtime: tasks submitted here are hosted by it.
 * @returns the fastify instance, not yet listening.
 * @throws Error when the OpenAPI document is missing (a broken install).
 */
export function buildApi(runtime: Runtime, options: ApiOptions = {}): FastifyInstance {
  const uploadSettings: UploadSettings = options.uploads?.settings ?? {
    ...uploadSettingsFromEnv(),
    ...(options.uploadBodyLimit !== undefined ? { maxFileBytes: options.uploadBodyLimit } : {}),
    ...options.uploadSettings,
  };
  const settings: ApiSettings = {
    submitBodyLimit: options.submitBodyLimit ?? DEFAULT_SUBMIT_BODY_LIMIT,
    uploadBodyLimit: uploadSettings.maxFileBytes,
    followPollMs: options.followPollMs ?? 250,
    recordWaitMs: 10_000,
    ...(options.workRoot ? { workRoot: options.workRoot } : {}),
  };
  const document = openApiDocument();
  const app = Fastify({
    ...(options.logger
      ? {
          // No `component` of its own: the process's logger has one (`toolflow`), and pino would
          // write the key twice. Request lines are told by their `req` field.
          loggerInstance: options.logger.child(
            {},
            // Query strings are left out of request logs: a client may put a token there (?access_token=…).
            { redact: { paths: REDACT, censor: '[redacted]' }, serializers: { req: (req: { method?: string; url?: string; id?: unknown }) => ({ id: req.id, method: req.method, url: (req.url ?? '').replace(/\?.*$/s, (q) => (q.length > 1 ? '?[query redacted]' : q)) }) } },
          ) as FastifyBaseLogger,
        }
      : { logger: false }),
    bodyLimit: settings.submitBodyLimit,
    return503OnClosing: true,
    // A tus upload URL's name segment is up to 255 UTF-8 bytes, percent-encoded (765 characters).
    routerOptions: { maxParamLength: 1024 },
    schemaErrorFormatter: schemaError,
    ajv: {
      // Unknown fields are refused (not silently dropped); query values are typed from their text.
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allowUnionTypes: true },
    },
  });
  installErrorHandling(app);
  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_request, body, done) => done(null, body));

  if (options.health !== false) {
    app.get('/health/liveness', async () => ({ status: 'ok' }));
    app.get('/health/readiness', async () => {
      try {
        await runtime.ports.store.getTask('-'); // a primary-key read: the store answers
      } catch (err) {
        throw new ApiError(503, 'SERVICE_UNAVAILABLE', `the store does not answer: ${(err as Error).message}`);
      }
      return { status: 'ok' };
    });
  }
  app.get('/openapi.json', async () => document);
  // Open, as Prometheus scrapes, and only metrics: no task id, owner, upload id or file name.
  mountMetrics(app, runtime.ports.store, (message) => app.log.warn(message), options.metrics);

  const ctx = apiContext(runtime, settings);
  let uploads: Uploads | Promise<Uploads>;
  if (options.uploads) uploads = options.uploads;
  else {
    // A facade made here is this app's: closed with it. Its failure to open fails `ready()`.
    const made = createUploads(runtime.ports, uploadSettings);
    made.catch(() => undefined);
    app.addHook('onClose', async () => (await made.catch(() => undefined))?.close());
    uploads = made;
  }
  sweepWhileListening(app, uploads, uploadSettings);
  void app.register(
    async (v1) => {
      requireBearer(v1, runtime.ports.store);
      taskRoutes(v1, ctx);
      logRoutes(v1, ctx);
      outputRoutes(v1, ctx);
      uploadRoutes(v1, ctx, uploads);
    },
    { prefix: '/v1' },
  );
  return app;
}

/**
 * Runs `uploads.sweep()` every min(expireAfterMs / 4, 60 s) from when `app` listens until it
 * closes (an unref'd timer: it never keeps the process alive). A failed sweep is logged and the
 * next one runs as planned.
 */
function sweepWhileListening(app: FastifyInstance, uploads: Uploads | Promise<Uploads>, settings: UploadSettings): void {
  let timer: NodeJS.Timeout | undefined;
  const every = Math.max(1000, Math.min(Math.floor(settings.expireAfterMs / 4), 60_000));
  app.addHook('onListen', async () => {
    const up = await uploads;
    timer ??= setInterval(() => {
      up.sweep().then(
        (aborted) => {
          if (aborted.length) app.log.info({ aborted }, `aborted ${aborted.length} abandoned upload(s)`);
        },
        (err: unknown) => app.log.warn({ err: { message: (err as Error).message } }, 'the upload sweep failed'),
      );
    }, every).unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  });
}
