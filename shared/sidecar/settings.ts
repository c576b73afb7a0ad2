/**
 * The sidecar's configuration, from the environment the tool Job's manifest gives it (the design
 * note, "Sidecar"; `toolflow sidecar` takes no arguments):
 *
 * | variable | meaning | default |
 * | --- | --- | --- |
 * | `TOOLFLOW_POD_DIR` | the shared volume's mount, absolute | required |
 * | `TOOLFLOW_ATTEMPT` | the attempt: JSON of `AttemptRequest` (`tool.ready` data), checked against its schema | required |
 * | `TOOLFLOW_REPORT_ADDRESS` | the work manager's report endpoint, `host:port` | required |
 * | `TOOLFLOW_REPORT_TOKEN` | the attempt's report token (`reports/attempt-token.ts`); never printed | required |
 * | `TOOLFLOW_KEEPALIVE_SECONDS` | seconds between keepalives | 30 |
 * | `TOOLFLOW_REPORT_WAIT_SECONDS` | how long the wrapper waits for `reported` (and so how long the sidecar tries to deliver Start and Exit) | 300 |
 * | `TOOLFLOW_S3_BUCKET`, `TOOLFLOW_S3_ENDPOINT`, `TOOLFLOW_S3_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` | the object store (as every command reads them) | — |
 * | `TOOLFLOW_HOME` | with no bucket: objects in `$TOOLFLOW_HOME/objects` (tests) | `.toolflow` |
 * | `TOOLFLOW_LOG_LEVEL` | pino level of the JSON logs on stdout (the container log) | `warn` |
 */
import { isAbsolute } from 'node:path';
import { ConfigError } from '../errors.js';
import { EventType } from '../events/catalog.js';
import { validateEvent } from '../events/event-schemas.js';
import type { AttemptRequest } from '../executor/executor.js';
import { loadConfig } from '../runtime/config.js';

/** What `toolflow sidecar` runs with. */
export interface SidecarSettings {
  podDir: string;
  request: AttemptRequest;
  /** `host:port`. */
  reportAddress: string;
  reportToken: string;
  keepaliveSeconds: number;
  /** Whole seconds. */
  reportWaitSeconds: number;
  logLevel: string;
  /** The object store: an S3 bucket, else a local folder. */
  objects: { s3: { bucket: string; endpoint?: string; region?: string } } | { dir: string };
}

/** The variables of the object store and logging that `loadConfig` reads for the sidecar (it reads nothing else of the Pod's environment). */
const STORE_VARIABLES = ['TOOLFLOW_HOME', 'TOOLFLOW_S3_BUCKET', 'TOOLFLOW_S3_ENDPOINT', 'TOOLFLOW_S3_REGION', 'TOOLFLOW_LOG_LEVEL'];

/**
 * `TOOLFLOW_ATTEMPT` parsed and checked against the `tool.ready` data schema (the event it came from).
 * @throws ConfigError naming the variable and the field.
 */
export function attemptFrom(text: string | undefined): AttemptRequest {
  if (text === undefined || text === '') throw new ConfigError('TOOLFLOW_ATTEMPT is not set: it holds the attempt as JSON (the tool.ready event\'s data), set by the tool Job\'s manifest');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`TOOLFLOW_ATTEMPT is not JSON (${(err as Error).message}): it holds the tool.ready event's data`);
  }
  const d = (typeof data === 'object' && data !== null ? data : {}) as { taskId?: unknown; tool?: unknown };
  const check = validateEvent({
    specversion: '1.0',
    id: 'toolflow-attempt',
    source: '/toolflow/sidecar',
    time: new Date().toISOString(),
    type: EventType.toolReady,
    subject: `${String(d.taskId)}/${String(d.tool)}`,
    data,
  });
  if (!check.ok) throw new ConfigError(`TOOLFLOW_ATTEMPT is not an attempt: ${check.message.replace(`${EventType.toolReady}: `, '')}`);
  return data as AttemptRequest;
}

/**
 * Reads the sidecar's settings.
 * @throws ConfigError naming the variable that is missing or malformed (never its value for the token).
 */
export function sidecarSettings(env: NodeJS.ProcessEnv): SidecarSettings {
  const podDir = env.TOOLFLOW_POD_DIR ?? '';
  if (!isAbsolute(podDir)) throw new ConfigError('TOOLFLOW_POD_DIR must be the absolute path where the Pod\'s shared volume is mounted (e.g. /toolflow)');
  const request = attemptFrom(env.TOOLFLOW_ATTEMPT);
  const reportAddress = env.TOOLFLOW_REPORT_ADDRESS ?? '';
  const m = /^(\[[0-9a-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/i.exec(reportAddress);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new ConfigError(`TOOLFLOW_REPORT_ADDRESS=${JSON.stringify(reportAddress)} must be the work manager's host:port, e.g. tf-<task>-wm.<namespace>.svc:50051`);
  const reportToken = env.TOOLFLOW_REPORT_TOKEN ?? '';
  if (!/^[\x21-\x7e]+$/.test(reportToken)) throw new ConfigError('TOOLFLOW_REPORT_TOKEN must be set to the attempt\'s report token (visible ASCII characters)');
  const keepaliveRaw = env.TOOLFLOW_KEEPALIVE_SECONDS || '30';
  const keepaliveSeconds = Number(keepaliveRaw);
  if (!(keepaliveSeconds > 0) || keepaliveSeconds > 2_147_483) throw new ConfigError(`TOOLFLOW_KEEPALIVE_SECONDS=${keepaliveRaw} must be a number of seconds above 0`);
  const waitRaw = env.TOOLFLOW_REPORT_WAIT_SECONDS || '300';
  // Whole seconds only: the wrapper (POSIX sh) counts them with shell arithmetic.
  if (!/^(0|[1-9]\d{0,6})$/.test(waitRaw)) throw new ConfigError(`TOOLFLOW_REPORT_WAIT_SECONDS=${waitRaw} must be a whole number of seconds`);
  const picked: NodeJS.ProcessEnv = {};
  for (const name of STORE_VARIABLES) if (env[name] !== undefined) picked[name] = env[name];
  const config = loadConfig(picked);
  return {
    podDir,
    request,
    reportAddress,
    reportToken,
    keepaliveSeconds,
    reportWaitSeconds: Number(waitRaw),
    logLevel: config.logLevel,
    objects: config.s3 ? { s3: config.s3 } : { dir: config.objectsDir },
  };
}
