/**
 * Configuration from environment variables (documented in the README). Unset means embedded.
 *
 * | variable | meaning | default |
 * | --- | --- | --- |
 * | `TOOLFLOW_HOME` | folder of the embedded state: database, objects, work dirs | `.toolflow` |
 * | `TOOLFLOW_DATABASE_URL` | SQLite file path, or `mysql://user:password@host:port/database` | `$TOOLFLOW_HOME/toolflow.db` |
 * | `TOOLFLOW_WORKDIR` | where tools' work dirs go | `$TOOLFLOW_HOME/work` |
 * | `TOOLFLOW_CPUS` | cpu budget of the local executor, cores (`2`, `1500m`) | this machine's cores |
 * | `TOOLFLOW_MEMORY` | memory budget of the local executor (`8Gi`) | this machine's memory |
 * | `TOOLFLOW_KEEPALIVE_SECONDS` | seconds between keepalive reports | 30 |
 * | `TOOLFLOW_LOST_AFTER_SECONDS` | a tool with no report this long is lost | 90 |
 * | `TOOLFLOW_START_TIMEOUT_SECONDS` | a tool not started this long after delivery is undelivered | 120 |
 * | `TOOLFLOW_MEMORY_LIMIT` | `rlimit` forces `ulimit -v` instead of cgroups | detect |
 * | `TOOLFLOW_PASS_ENV` | names passed to every tool (read by the local executor: `executor/local/pass-env.ts`) | none |
 * | `TOOLFLOW_LOG_LEVEL` | pino level of the JSON logs (stdout of the service processes, stderr of the CLI: `log.ts`) | `warn` |
 * | `TOOLFLOW_OWNER` | owner recorded on tasks and object keys | `$USER` or `local` |
 * | `TOOLFLOW_AMQP_URL` | RabbitMQ broker of the event bus, `amqp://user:password@host:5672/vhost` | in-process bus |
 * | `TOOLFLOW_ETCD_ENDPOINTS` | etcd endpoints for locks and upload documents, comma-separated | in-process |
 * | `TOOLFLOW_S3_BUCKET` | keep objects (inputs) in this S3 bucket instead of `$TOOLFLOW_HOME/objects` | unset |
 * | `TOOLFLOW_S3_ENDPOINT`, `TOOLFLOW_S3_REGION` | S3-compatible endpoint (path-style), region | AWS, `us-east-1` |
 * | `TOOLFLOW_LOCK_TTL_SECONDS` | lease of a work manager's task lock: another process may take the task over this long after the holder stops renewing it | 15 |
 * | `TOOLFLOW_NAMESPACE` | prefix of RabbitMQ exchanges and queues and of etcd keys, so deployments can share a broker | `toolflow` |
 * | `K_SINK` | where an event function (`toolflow function`) POSTs the events it causes, binary mode (Knative SinkBinding) | the bus |
 * | `TOOLFLOW_FUNCTION_SECRET` | shared secret of event-function calls: functions refuse a request without `Authorization: Bearer <it>`, the connector sends it | unset: functions open (`toolflow dev` makes one up for itself) |
 * | `TOOLFLOW_EXECUTOR` | `local`, or `kubernetes` for cluster mode (its variables: `executor/kubernetes/settings.ts`) | `local` |
 * | `TOOLFLOW_REPORT_SECRET` | key of the per-attempt report tokens, shared by the work managers and schedule-tool (cluster mode) | unset |
 * | `TOOLFLOW_REPORT_LISTEN` | where `toolflow work-manager` serves the sidecars' gRPC reports | `0.0.0.0:50051` |
 *
 * S3 credentials come from the standard `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`.
 */
import { join } from 'node:path';
import { checkOwnerName } from '../api/owner-name.js';
import { uploadSettingsFromEnv } from '../uploads/upload-settings.js';
import { ConfigError } from '../errors.js';
import { maskUrl } from '../mask-url.js';
import { parseBytes, parseCpu } from '../spec/resources.js';
import { kubernetesSettingsFrom, type KubernetesSettings } from '../executor/kubernetes/settings.js';

/** Resolved configuration. */
export interface Config {
  home: string;
  databasePath: string;
  workDir: string;
  objectsDir: string;
  cpuMillicores?: number;
  memBytes?: number;
  keepaliveSeconds: number;
  lostAfterSeconds: number;
  startTimeoutSeconds: number;
  memoryLimit?: string;
  logLevel: string;
  owner: string;
  /** Set when objects live in S3. */
  s3?: { bucket: string; endpoint?: string; region?: string };
  /** RabbitMQ URL; unset: the in-process bus. */
  amqpUrl?: string;
  /** etcd endpoints, comma-separated; unset: in-process coordination. */
  etcdEndpoints?: string;
  /** Prefix of broker and etcd names. */
  namespace: string;
  /** Lease of a work manager's task lock, seconds (at least 2: etcd's smallest TTL). */
  lockTtlSeconds: number;
  /**
   * `K_SINK` (set by Knative's SinkBinding or a Source's `sink`): an event function POSTs the events
   * it causes there (binary mode) instead of publishing them to the bus. Unset: the bus.
   */
  sinkUrl?: string;
  /**
   * `TOOLFLOW_FUNCTION_SECRET`: when set, every event function refuses a request that does not
   * carry `Authorization: Bearer <secret>`, and the connector sends it. Never logged.
   */
  functionSecret?: string;
  /** Cluster mode (`TOOLFLOW_EXECUTOR=kubernetes`): the Kubernetes executor's settings; unset: the local executor. */
  kubernetes?: KubernetesSettings;
  /**
   * `TOOLFLOW_REPORT_SECRET`: the key of the per-attempt report tokens (`reports/attempt-token.ts`),
   * shared by the work managers and schedule-tool; needed in cluster mode. Never logged.
   */
  reportSecret?: string;
  /** `TOOLFLOW_REPORT_LISTEN`: where `toolflow work-manager` serves the sidecars' gRPC reports, `host:port`. */
  reportListen: string;
}

/**
 * What a value that looks like a URL with a broken scheme separator probably meant:
 * `mysql//root@h/x` (the colon lost) or `mysql:/root@h/x` (a slash lost) → `mysql://root@h/x`;
 * undefined for anything else.
 */
export function meantUrl(value: string): string | undefined {
  const lost = /^([a-z][a-z0-9+.-]*)(\/\/|:\/(?!\/))(?=[^/])/i.exec(value);
  return lost ? `${lost[1]}://${value.slice(lost[0].length)}` : undefined;
}

/**
 * Refuses a value that looks like a URL whose scheme lost its colon (`mysql//root@127.0.0.1/x`),
 * which would otherwise be taken for a file name or fail later with a cryptic error.
 * @throws ConfigError naming the variable, the value masked, and what was probably meant.
 */
function refuseMissingColon(name: string, value: string, pathToo: boolean): void {
  if (!/^[a-z][a-z0-9+.-]*\/\/[^/]/i.test(value)) return;
  // Where a path is allowed too, only the schemes the variable takes are taken for URLs: `data//x.db` is a path.
  if (pathToo && !/^(mysql|mariadb|file)\/\//i.test(value)) return;
  const meant = meantUrl(value)!;
  const path = pathToo ? ` (for a SQLite file in a folder of that name, write ./${maskUrl(value)})` : '';
  throw new ConfigError(`${name}=${maskUrl(value)} looks like a URL without the ":" after its scheme: did you mean ${maskUrl(meant)}?${path}`);
}

/**
 * Checks that a service URL parses (WHATWG URL).
 * @throws ConfigError naming the variable, the URL masked, and the usual cause.
 */
function checkUrl(name: string, url: string): void {
  refuseMissingColon(name, url, false);
  try {
    new URL(url);
  } catch {
    throw new ConfigError(`${name}=${maskUrl(url)} is not a valid URL (is the port a number? a user name or password with ":", "/", "@" or "#" must be percent-encoded)`);
  }
}

/** Longest timer Node.js keeps (2^31 - 1 ms); longer ones fire at once. */
const MAX_TIMER_SECONDS = 2_147_483;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!(n > 0) || n > MAX_TIMER_SECONDS) throw new ConfigError(`${name}=${raw} must be a number of seconds above 0 and at most ${MAX_TIMER_SECONDS}`);
  return n;
}

/**
 * `TOOLFLOW_AMQP_URL`, checked; undefined when unset (the in-process bus).
 * @throws ConfigError naming the variable for a value that is not an amqp(s):// URL.
 */
export function amqpUrlFrom(env: NodeJS.ProcessEnv): string | undefined {
  const amqpUrl = env.TOOLFLOW_AMQP_URL || undefined;
  if (amqpUrl) refuseMissingColon('TOOLFLOW_AMQP_URL', amqpUrl, false);
  if (amqpUrl && !/^amqps?:\/\//i.test(amqpUrl)) throw new ConfigError(`TOOLFLOW_AMQP_URL: an amqp:// or amqps:// URL, got ${maskUrl(amqpUrl)}`);
  if (amqpUrl) checkUrl('TOOLFLOW_AMQP_URL', amqpUrl);
  return amqpUrl;
}

/**
 * `TOOLFLOW_NAMESPACE`, checked; default `toolflow`.
 * @throws ConfigError unless it is 1-63 letters, digits, `_` or `-` (a word of queue names and etcd keys).
 */
export function namespaceFrom(env: NodeJS.ProcessEnv): string {
  const namespace = env.TOOLFLOW_NAMESPACE || 'toolflow';
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/i.test(namespace)) throw new ConfigError(`TOOLFLOW_NAMESPACE=${namespace} must be letters, digits, "_" or "-" (at most 63)`);
  return namespace;
}

/**
 * `TOOLFLOW_LOG_LEVEL`, checked; default `warn`.
 * @throws ConfigError unless it is one of pino's levels (or `silent`).
 */
export function logLevelFrom(env: NodeJS.ProcessEnv): string {
  const logLevel = env.TOOLFLOW_LOG_LEVEL ?? 'warn';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`TOOLFLOW_LOG_LEVEL=${logLevel} must be one of ${LOG_LEVELS.join(', ')}`);
  return logLevel;
}

/** Shortest `TOOLFLOW_FUNCTION_SECRET`, characters: 16, so a secret cannot be guessed by trying. */
export const MIN_FUNCTION_SECRET_LENGTH = 16;

/**
 * `TOOLFLOW_FUNCTION_SECRET`, checked; undefined when unset or empty (functions take calls from anyone
 * who reaches them). The value is never put in a message.
 * @throws ConfigError for a value shorter than 16 characters or with characters an HTTP header cannot carry.
 */
export function functionSecretFrom(env: NodeJS.ProcessEnv): string | undefined {
  return secretFrom(env, 'TOOLFLOW_FUNCTION_SECRET');
}

/**
 * A shared secret from variable `name` (`TOOLFLOW_FUNCTION_SECRET`, `TOOLFLOW_REPORT_SECRET`),
 * checked; undefined when unset or empty. The value is never put in a message.
 * @throws ConfigError for a value shorter than 16 characters or with characters an HTTP header cannot carry.
 */
export function secretFrom(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const secret = env[name];
  if (secret === undefined || secret === '') return undefined;
  // RFC 9110 field values: visible ASCII, no spaces (a bearer token, RFC 6750's b64token, has none).
  if (!/^[\x21-\x7e]+$/.test(secret)) throw new ConfigError(`${name} must be visible ASCII characters, no spaces (e.g. the output of \`openssl rand -hex 32\`)`);
  if (secret.length < MIN_FUNCTION_SECRET_LENGTH) throw new ConfigError(`${name} must be at least ${MIN_FUNCTION_SECRET_LENGTH} characters (e.g. the output of \`openssl rand -hex 32\`)`);
  return secret;
}

/**
 * `TOOLFLOW_REPORT_LISTEN`, checked; default `0.0.0.0:50051` (gRPC's usual port).
 * @throws ConfigError unless it is `host:port` (an IPv6 host in brackets) with a port 0-65535.
 */
export function reportListenFrom(env: NodeJS.ProcessEnv): string {
  const listen = env.TOOLFLOW_REPORT_LISTEN || '0.0.0.0:50051';
  const m = /^(\[[0-9a-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/i.exec(listen);
  if (!m || Number(m[2]) > 65535) throw new ConfigError(`TOOLFLOW_REPORT_LISTEN=${listen} must be host:port, e.g. 0.0.0.0:50051`);
  return listen;
}

/**
 * Reads configuration.
 * @param overrides values from CLI flags, which win over the environment.
 * @throws ConfigError naming the variable for malformed values: the owner (`owner-name.ts`, the
 *   rule of `toolflow token create --owner`) and the upload settings (`TOOLFLOW_UPLOAD_LIMIT`…,
 *   `upload-settings.ts`) included, so that no command opens a connection with them malformed.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const home = overrides.home ?? env.TOOLFLOW_HOME ?? '.toolflow';
  const db = env.TOOLFLOW_DATABASE_URL;
  // Anything that starts like a URL (`scheme:`, or `scheme//` with the colon lost) must be one we
  // know, so a typo such as `mysql:/host` or `mysql//host` is not taken for a SQLite file name.
  if (db) refuseMissingColon('TOOLFLOW_DATABASE_URL', db, true);
  if (db && /^[a-z][a-z0-9+.-]+:/i.test(db) && !/^(file|mysql):\/\//i.test(db)) {
    const meant = meantUrl(db);
    throw new ConfigError(`TOOLFLOW_DATABASE_URL: a SQLite path or a mysql://user:password@host:port/database URL, got ${maskUrl(db)}${meant && /^(file|mysql):/i.test(db) ? ` (did you mean ${maskUrl(meant)}?)` : ''}`);
  }
  if (db && /^mysql:\/\//i.test(db)) checkUrl('TOOLFLOW_DATABASE_URL', db);
  const parse = <T>(name: string, f: (v: string) => T): T | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    try {
      return f(v);
    } catch (err) {
      throw new ConfigError(`${name}: ${(err as Error).message}`);
    }
  };
  const logLevel = overrides.logLevel ?? logLevelFrom(env);
  const keepaliveSeconds = overrides.keepaliveSeconds ?? seconds(env, 'TOOLFLOW_KEEPALIVE_SECONDS', 30);
  const lostAfterSeconds = overrides.lostAfterSeconds ?? seconds(env, 'TOOLFLOW_LOST_AFTER_SECONDS', 90);
  if (lostAfterSeconds < 2 * keepaliveSeconds) {
    throw new ConfigError(`TOOLFLOW_LOST_AFTER_SECONDS (${lostAfterSeconds}) must be at least twice TOOLFLOW_KEEPALIVE_SECONDS (${keepaliveSeconds}), or running tools are lost between two keepalives`);
  }
  const memoryLimit = overrides.memoryLimit ?? env.TOOLFLOW_MEMORY_LIMIT;
  if (memoryLimit !== undefined && memoryLimit !== '' && memoryLimit !== 'rlimit') {
    throw new ConfigError(`TOOLFLOW_MEMORY_LIMIT=${memoryLimit}: the only value is rlimit (unset: cgroups when possible)`);
  }
  const amqpUrl = amqpUrlFrom(env);
  const endpoints = (env.TOOLFLOW_ETCD_ENDPOINTS ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  for (const e of endpoints) {
    refuseMissingColon('TOOLFLOW_ETCD_ENDPOINTS', e, false);
    if (!/^https?:\/\/[^/]+\/?$/i.test(e)) throw new ConfigError(`TOOLFLOW_ETCD_ENDPOINTS: each endpoint is http(s)://host:port, got ${maskUrl(e)}`);
    checkUrl('TOOLFLOW_ETCD_ENDPOINTS', e);
  }
  const etcdEndpoints = endpoints.length ? endpoints.join(',') : undefined;
  if (env.TOOLFLOW_S3_ENDPOINT) checkUrl('TOOLFLOW_S3_ENDPOINT', env.TOOLFLOW_S3_ENDPOINT);
  const mysql = /^mysql:\/\//i.test(overrides.databasePath ?? db ?? '');
  if (amqpUrl && !mysql) {
    // Processes on one broker share the work of the stateless functions: they must share the database too.
    throw new ConfigError('TOOLFLOW_AMQP_URL needs a database every process on the broker shares: set TOOLFLOW_DATABASE_URL=mysql://… as well (a SQLite file is one process\'s own)');
  }
  if (env.TOOLFLOW_S3_ENDPOINT && !env.TOOLFLOW_S3_BUCKET) throw new ConfigError('TOOLFLOW_S3_ENDPOINT is set but TOOLFLOW_S3_BUCKET is not: set the bucket to keep objects in S3');
  const namespace = namespaceFrom(env);
  const lockTtlSeconds = seconds(env, 'TOOLFLOW_LOCK_TTL_SECONDS', 15);
  if (lockTtlSeconds < 2) throw new ConfigError(`TOOLFLOW_LOCK_TTL_SECONDS=${lockTtlSeconds} must be at least 2 (etcd's smallest lease)`);
  const sinkUrl = env.K_SINK || undefined;
  if (sinkUrl) {
    checkUrl('K_SINK', sinkUrl);
    if (!/^https?:\/\//i.test(sinkUrl)) throw new ConfigError(`K_SINK: an http:// or https:// URL, got ${maskUrl(sinkUrl)}`);
  }
  const functionSecret = functionSecretFrom(env);
  const reportSecret = secretFrom(env, 'TOOLFLOW_REPORT_SECRET');
  const cpuMillicores = overrides.cpuMillicores ?? parse('TOOLFLOW_CPUS', parseCpu);
  const memBytes = overrides.memBytes ?? parse('TOOLFLOW_MEMORY', parseBytes);
  const startTimeoutSeconds = overrides.startTimeoutSeconds ?? seconds(env, 'TOOLFLOW_START_TIMEOUT_SECONDS', 120);
  const kubernetes = overrides.kubernetes ?? kubernetesSettingsFrom(env, { cpuMillicores, memBytes, startTimeoutSeconds, keepaliveSeconds });
  if (kubernetes && !(amqpUrl && mysql)) {
    // Every part runs in a Pod of its own: they meet only through the database and the broker.
    throw new ConfigError('TOOLFLOW_EXECUTOR=kubernetes runs the work managers, the functions and the tools in Pods of their own, which share the database and the bus: set TOOLFLOW_DATABASE_URL=mysql://… and TOOLFLOW_AMQP_URL');
  }
  if (kubernetes && !env.TOOLFLOW_S3_BUCKET) {
    // No filesystem is shared between Pods: inputs and outputs travel through the object store.
    throw new ConfigError('TOOLFLOW_EXECUTOR=kubernetes stages each tool\'s inputs and its dependencies\' outputs through the object store (Pods share no filesystem): set TOOLFLOW_S3_BUCKET (and TOOLFLOW_S3_ENDPOINT for an S3-compatible server)');
  }
  const owner = overrides.owner ?? env.TOOLFLOW_OWNER ?? env.USER ?? 'local';
  // The rule `toolflow token create --owner` applies too (`owner-name.ts`).
  checkOwnerName(owner, overrides.owner !== undefined ? 'owner' : env.TOOLFLOW_OWNER !== undefined ? 'TOOLFLOW_OWNER' : 'USER (the owner when TOOLFLOW_OWNER is unset)');
  // Checked here, before any command opens a connection: a malformed TOOLFLOW_UPLOAD_* is exit 2 at once.
  uploadSettingsFromEnv(env);
  return {
    home,
    databasePath: overrides.databasePath ?? (db ? db.replace(/^file:\/\//, '') : join(home, 'toolflow.db')),
    workDir: overrides.workDir ?? env.TOOLFLOW_WORKDIR ?? join(home, 'work'),
    objectsDir: overrides.objectsDir ?? join(home, 'objects'),
    cpuMillicores,
    memBytes,
    keepaliveSeconds,
    lostAfterSeconds,
    startTimeoutSeconds,
    memoryLimit: memoryLimit || undefined,
    logLevel,
    owner,
    amqpUrl,
    etcdEndpoints,
    namespace,
    lockTtlSeconds,
    ...(sinkUrl ? { sinkUrl } : {}),
    ...(functionSecret ? { functionSecret } : {}),
    ...(reportSecret ? { reportSecret } : {}),
    reportListen: reportListenFrom(env),
    ...(kubernetes ? { kubernetes } : {}),
    ...(env.TOOLFLOW_S3_BUCKET ? { s3: { bucket: env.TOOLFLOW_S3_BUCKET, endpoint: env.TOOLFLOW_S3_ENDPOINT || undefined, region: env.TOOLFLOW_S3_REGION || undefined } } : {}),
  };
}
