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
 * | `POST /v1/uploads`, `GET /v1/uploads/{uploadId}` | `uploads-routes.ts` |
 * | `GET /health/liveness`, `GET /health/readiness`, `GET /openapi.json` (open) | here |
 *
 * Authentication: `auth.ts`; errors: `errors.ts`; tokens: `tokens.ts`.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ConfigError } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { parseBytes } from '../spec/resources.js';
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
/** Longest upload by default: 5 GiB. */
export const DEFAULT_UPLOAD_BODY_LIMIT = 5 * 1024 * 1024 * 1024;

/** Options of `buildApi`. */
export interface ApiOptions {
  /** Longest JSON or YAML submission, bytes (default 16 MiB); a longer one answers 413. */
  submitBodyLimit?: number;
  /** Longest upload, bytes (default 5 GiB); a longer one answers 413 (checked as the body streams). */
  uploadBodyLimit?: number;
  /** Where the request logs go (pino); the `authorization` header is redacted. Default: no logs. */
  logger?: Logger;
  /** Serve `/health/liveness` and `/health/readiness` (default true; false when the host serves its own). */
  health?: boolean;
  /** Folder the tasks submitted here keep their work dirs in (recorded on each task; `toolflow resume` finds it). */
  workRoot?: string;
  /** Folder of upload spool files (default the OS's temp dir). */
  spoolDir?: string;
  /** Milliseconds between two looks at a followed log (default 250). */
  followPollMs?: number;
}

/** Types the submission route reads as YAML text (`application/yaml` is RFC 9512's; the others are in use). */
const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

/** Header paths the request logs never show (tokens), wherever a serializer puts the headers. */
const REDACT = ['req.headers.authorization', 'headers.authorization', '*.headers.authorization', 'request.headers.authorization'];

/**
 * The API's settings from the environment: `TOOLFLOW_API_SUBMIT_LIMIT` and `TOOLFLOW_API_UPLOAD_LIMIT`
 * (sizes as workflows write them: `16Mi`, `5Gi`, or bytes).
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
  const uploadBodyLimit = size('TOOLFLOW_API_UPLOAD_LIMIT');
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
  const settings: ApiSettings = {
    submitBodyLimit: options.submitBodyLimit ?? DEFAULT_SUBMIT_BODY_LIMIT,
    uploadBodyLimit: options.uploadBodyLimit ?? DEFAULT_UPLOAD_BODY_LIMIT,
    followPollMs: options.followPollMs ?? 250,
    recordWaitMs: 10_000,
    ...(options.spoolDir ? { spoolDir: options.spoolDir } : {}),
    ...(options.workRoot ? { workRoot: options.workRoot } : {}),
  };
  const document = openApiDocument();
  const app = Fastify({
    ...(options.logger
      ? {
          loggerInstance: options.logger.child(
            { component: 'api' },
            // Query strings are left out of request logs: a client may put a token there (?access_token=…).
            { redact: { paths: REDACT, censor: '[redacted]' }, serializers: { req: (req: { method?: string; url?: string; id?: unknown }) => ({ id: req.id, method: req.method, url: (req.url ?? '').replace(/\?.*$/s, (q) => (q.length > 1 ? '?[query redacted]' : q)) }) } },
          ) as FastifyBaseLogger,
        }
      : { logger: false }),
    bodyLimit: settings.submitBodyLimit,
    return503OnClosing: true,
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

  const ctx = apiContext(runtime, settings);
  void app.register(
    async (v1) => {
      requireBearer(v1, runtime.ports.store);
      taskRoutes(v1, ctx);
      logRoutes(v1, ctx);
      outputRoutes(v1, ctx);
      uploadRoutes(v1, ctx);
    },
    { prefix: '/v1' },
  );
  return app;
}
