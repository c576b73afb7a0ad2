/**
 * toolflow's logs (issue 12 §2): pino JSON lines, one per event, at `TOOLFLOW_LOG_LEVEL` (default
 * `warn`), with the ids of what a line is about as top-level fields (`taskId`, `tool`, `attempt`,
 * `function`: pino bindings of child loggers made where they are known, `withLogFields`), and no
 * secret in any of them.
 *
 * Where the lines go (`LogStream`): the long-lived service processes (`toolflow serve`, `dev`,
 * `function`, `connector`, `work-manager`, `sidecar`, a function's `serve()`) write them to
 * **stdout**, where Kubernetes' container runtime and Loki's agents collect them; their few human
 * lines (`listening on …`, `stopping …`) stay on stderr. The CLI's commands (`toolflow run`,
 * `resume`, `cancel`, `status`) write them to **stderr**: their stdout carries results (`--json`,
 * tables), which a log line must never break.
 *
 * Secrets never reach a line, three ways at once:
 *  - `REDACT_PATHS`: fields named like a credential (`authorization`, `token`, `password`, `secret`,
 *    `secretAccessKey`, `sign`, …, at the top level or one level down, and request headers) are
 *    written `[redacted]` (pino's `redact`);
 *  - every string of a line (its message, its fields to 4 levels down, an error's message and
 *    stack) goes through `maskSecretsInText`: a URL's password becomes `***` (`mysql://root:***@db`),
 *    a credential in a query string too (`?access_token=***`, `&sign=***`, S3 presigned
 *    `X-Amz-Signature=***`), and `Bearer …` / `Basic …` credentials;
 *  - the code logs names, never values, of secrets (a robot is `robot 1`, a URL is masked first).
 *
 * pino is loaded only by `makeLogger` (through `createRequire`), so `lazy-logger.ts`, which an
 * embedded run imports, may import this module without loading pino.
 */
import { createRequire } from 'node:module';
import type { Logger, LoggerOptions } from 'pino';

/** Where a process's JSON log lines go: `stdout` for the service processes, `stderr` for the CLI's commands (see the module doc). */
export type LogStream = 'stdout' | 'stderr';

/** The file descriptor of a stream. */
export const LOG_FD: Record<LogStream, 1 | 2> = { stdout: 1, stderr: 2 };

/** What `[redacted]` replaces. */
export const REDACTED = '[redacted]';

/** Field names whose values are credentials wherever they appear (exact names: pino's redact matches keys as written). */
const SECRET_KEYS = [
  'authorization',
  'Authorization',
  'cookie',
  'password',
  'passwd',
  'secret',
  'token',
  'accessToken',
  'access_token',
  'apiKey',
  'secretAccessKey',
  'sessionToken',
  'credentials',
  'sign',
  'reportToken',
  'reportSecret',
  'functionSecret',
  'alertmanagerToken',
];

/**
 * pino `redact` paths (fast-redact syntax: `*` is one level): each secret key at the top level and
 * one level down, and the request headers of fastify's and node's request objects.
 */
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'request.headers.authorization',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["x-amz-security-token"]',
];

/** Query parameters that carry a credential (DingTalk's `access_token` and `sign`, S3 presigned URLs, generic ones). */
const QUERY_SECRET = /([?&](?:access_token|token|sign|signature|secret|password|passwd|api_key|apikey|key|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token)=)[^&\s"'<>()[\]{},;]*/gi;
/** `scheme://user:password@`: the password (up to the last `@` before the path). */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:"']*):[^\s/?#"']*@/gi;
/** `Bearer <credential>`, `Basic <credential>` (an Authorization header's value quoted in a message). */
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/g;

/**
 * `text` with every credential it shows masked: URL passwords (`amqp://u:***@h`), credential query
 * parameters (`?access_token=***`), `Bearer ***`. Text without one is returned as it is (same string).
 */
export function maskSecretsInText(text: string): string {
  if (!text.includes('://') && !text.includes('=') && !/Bearer|Basic/.test(text)) return text;
  return text.replace(URL_PASSWORD, '$1:***@').replace(QUERY_SECRET, '$1***').replace(AUTH_SCHEME, '$1 ***');
}

/** `value` with `maskSecretsInText` applied to its strings, plain objects and arrays walked to `depth` levels (errors are left to the `err` serializer). */
function maskValues(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskSecretsInText(value);
  if (value === null || typeof value !== 'object' || depth <= 0) return value;
  if (Array.isArray(value)) return value.length > 200 ? value : value.map((v) => maskValues(v, depth - 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskValues(v, depth - 1);
  return out;
}

/** The id fields (`LogFields`) a line may carry both bound and in its merge object. */
const ID_KEYS = ['taskId', 'tool', 'attempt', 'function'] as const;

/**
 * A log call's merge object without the id fields its logger binds to the same values (a handler
 * that passes `{taskId, tool, attempt}` under a child bound to them writes each once).
 */
function withoutBoundIds(logger: Logger, first: unknown): unknown {
  if (first === null || typeof first !== 'object' || first instanceof Error || Array.isArray(first)) return first;
  const object = first as Record<string, unknown>;
  if (!ID_KEYS.some((k) => k in object)) return first;
  const bound = logger.bindings() as Record<string, unknown>;
  const same = ID_KEYS.filter((k) => k in object && object[k] === bound[k]);
  if (!same.length) return first;
  const copy = { ...object };
  for (const k of same) delete copy[k];
  return copy;
}

/** The parts of pino a logger's options need (`stdSerializers.err`). */
type PinoModule = typeof import('pino').pino;

/**
 * pino's options for a toolflow logger: `level`, `base` fields, the redaction and masking of the
 * module doc, errors serialized as pino does (`type`, `message`, `stack`, own fields) but masked.
 * @param level a pino level name (`logLevelFrom` checks it).
 * @param base fields every line carries (`component`, and `function`, `taskId`… where one process serves one).
 */
export function logOptions(pino: PinoModule, level: string, base: Record<string, unknown>): LoggerOptions {
  const errSerializer = pino.stdSerializers.err;
  return {
    level,
    base,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    serializers: {
      // pino's serialized error is an object of its own prototype: copied to a plain one, then masked.
      err: (e: unknown) => maskValues(e instanceof Error ? { ...errSerializer(e) } : e, 3),
    },
    formatters: {
      log: (object) => maskValues(object, 4) as Record<string, unknown>,
      bindings: (bindings) => maskValues(bindings, 2) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        for (let i = 0; i < args.length; i++) if (typeof args[i] === 'string') (args as unknown[])[i] = maskSecretsInText(args[i] as string);
        // An error logged alone: pino would take its message as the line's, unmasked.
        if (args[0] instanceof Error && typeof args[1] !== 'string') (args as unknown[]).splice(1, 0, maskSecretsInText(args[0].message));
        (args as unknown[])[0] = withoutBoundIds(this, args[0]);
        method.apply(this, args);
      },
    },
  };
}

/**
 * A pino logger with toolflow's options (`logOptions`) writing to `stream`.
 * @param sync write each line before the call returns (the sidecar: a line must not be lost when
 *   the kubelet kills the container); default asynchronous (pino's sonic-boom, flushed at exit).
 */
export function makeLogger(level: string, base: Record<string, unknown>, stream: LogStream, options: { sync?: boolean } = {}): Logger {
  const pino = createRequire(import.meta.url)('pino') as PinoModule;
  return pino(logOptions(pino, level, base), pino.destination({ dest: LOG_FD[stream], sync: options.sync ?? false }));
}

/** The ids a log line is about (the names every toolflow line uses for them). */
export interface LogFields {
  taskId?: string;
  /** The tool's name as the task knows it (an instance: `align[S1]`). */
  tool?: string;
  /** 1-based attempt number. */
  attempt?: number;
  /** The event function handling the line's event (`enqueue`, `handle-status`, …). */
  function?: string;
}

/**
 * A child of `log` bound to `fields` (those undefined left out, those `log` already binds to the
 * same value too, so no line carries a field twice). A logger without `child` (a test's stand-in)
 * is returned as it is.
 */
export function withLogFields(log: Logger, fields: LogFields): Logger {
  if (typeof (log as Partial<Logger>).child !== 'function') return log;
  const bound = typeof (log as Partial<Logger>).bindings === 'function' ? (log.bindings() as Record<string, unknown>) : {};
  const add: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && bound[k] !== v) add[k] = v;
  if (!Object.keys(add).length) return log;
  const child = log.child(add);
  unbound.set(child, unboundLog(log));
  return child;
}

/** Each logger `withLogFields` made → the logger it was first made from. */
const unbound = new WeakMap<Logger, Logger>();

/**
 * The logger `log` was made from by `withLogFields` (through any number of them), else `log`: for
 * what outlives the event or task a logger is bound to (the notify function's process-wide
 * notifier, made on its first event, must not name that event's task in its later lines).
 */
export function unboundLog(log: Logger): Logger {
  return unbound.get(log) ?? log;
}

/**
 * The ids of an event's data, for its log lines: `taskId` of every toolflow event, `tool` and
 * `attempt` of a tool event (`AttemptRef`), `function` when given.
 */
export function eventLogFields(event: { data?: unknown }, fn?: string): LogFields {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const out: LogFields = {};
  if (fn !== undefined) out.function = fn;
  if (typeof data.taskId === 'string') out.taskId = data.taskId;
  if (typeof data.tool === 'string') out.tool = data.tool;
  if (typeof data.attempt === 'number') out.attempt = data.attempt;
  return out;
}
