/**
 * The connector's settings, from its flags and the environment (flags win; documented in the
 * README's "Connector" and "Configuration"):
 *
 * | flag | variable | meaning | default |
 * | --- | --- | --- | --- |
 * | `--target NAME=URL` (repeatable) | `TOOLFLOW_CONNECTOR_TARGETS=NAME=URL,NAME=URL` | the event functions fed, and their URLs | none: at least one is needed |
 * | `--concurrency NAME=N` (repeatable) | `TOOLFLOW_CONNECTOR_CONCURRENCY=NAME=N,…` | requests in flight to a function at most (its queue's prefetch) | the function's own (`FunctionDef.concurrency`, else 1) |
 * | `--timeout SECONDS` | `TOOLFLOW_CONNECTOR_TIMEOUT_SECONDS` | how long one request may take before the delivery counts as failed | 60 |
 * | | `TOOLFLOW_AMQP_URL`, `TOOLFLOW_NAMESPACE`, `TOOLFLOW_LOG_LEVEL` | the broker, the names on it, the logs | required, `toolflow`, `warn` |
 * | | `TOOLFLOW_FUNCTION_SECRET` | sent to the functions as `Authorization: Bearer <it>` (they must have the same) | none sent |
 *
 * Flags given for a setting replace that setting's variable entirely (no merge). No database or
 * other backend is read: the connector only talks to the broker and the functions.
 */
import { ConfigError } from '../errors.js';
import type { FunctionDef } from '../handlers/handler.js';
import { maskUrl } from '../mask-url.js';
import { amqpUrlFrom, functionSecretFrom, logLevelFrom, namespaceFrom } from '../runtime/config.js';
import { DEFAULT_TIMEOUT_MS, type ConnectorTarget } from './connector.js';

/** The flags of `toolflow connector`, as commander gives them. */
export interface ConnectorFlags {
  target?: string[];
  concurrency?: string[];
  /** Seconds, as typed. */
  timeout?: string;
}

/** Everything `Connector.start` and the command need. */
export interface ConnectorSettings {
  amqpUrl: string;
  namespace: string;
  logLevel: string;
  targets: ConnectorTarget[];
  timeoutMs: number;
  /** `TOOLFLOW_FUNCTION_SECRET`, sent with every request; undefined: none. */
  secret?: string;
}

/** The most a consumer may prefetch (AMQP 0-9-1 `basic.qos` prefetch-count is a short). */
const MAX_CONCURRENCY = 65_535;
/** Longest timer Node.js keeps (2^31 - 1 ms). */
const MAX_TIMEOUT_SECONDS = 2_147_483;

/** Splits `NAME=VALUE` entries of flags (each one) or of a variable (comma-separated). */
function entries(flagValues: string[] | undefined, variable: string | undefined): string[] | undefined {
  if (flagValues?.length) return flagValues;
  const raw = (variable ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  return raw.length ? raw : undefined;
}

/** `NAME=VALUE` split at the first `=`. @throws ConfigError naming `where` and the expected form. */
function pair(entry: string, where: string, example: string): [string, string] {
  const eq = entry.indexOf('=');
  if (eq <= 0 || eq === entry.length - 1) throw new ConfigError(`${where} "${entry}": expected NAME=VALUE, e.g. ${example}`);
  return [entry.slice(0, eq).trim(), entry.slice(eq + 1).trim()];
}

/**
 * Reads the connector's settings.
 * @param functions the event functions a target may name (`FUNCTIONS`).
 * @throws ConfigError naming the flag or variable: no broker, no target, a target that is not an
 *   event function or not an http(s) URL, a function given twice, a concurrency that is not a whole
 *   number from 1 to 65535 or names a function that is not a target, a timeout that is not seconds above 0.
 */
export function connectorSettings(env: NodeJS.ProcessEnv, flags: ConnectorFlags, functions: readonly FunctionDef[]): ConnectorSettings {
  const amqpUrl = amqpUrlFrom(env);
  if (!amqpUrl) throw new ConfigError('the connector consumes queues on RabbitMQ: set TOOLFLOW_AMQP_URL=amqp://user:password@host:5672 (the broker the functions\' events go through)');
  const names = functions.map((f) => f.name).join(', ');

  const targetsGiven = entries(flags.target, env.TOOLFLOW_CONNECTOR_TARGETS);
  if (!targetsGiven) {
    throw new ConfigError(`no function to deliver to: give --target NAME=URL (repeatable) or TOOLFLOW_CONNECTOR_TARGETS=NAME=URL,NAME=URL, NAME being one of ${names}`);
  }
  const targetWhere = flags.target?.length ? '--target' : 'TOOLFLOW_CONNECTOR_TARGETS:';
  const urls = new Map<string, string>();
  for (const entry of targetsGiven) {
    const [name, url] = pair(entry, targetWhere, 'handle-status=http://127.0.0.1:8080/functions/handle-status');
    if (!functions.some((f) => f.name === name)) throw new ConfigError(`${targetWhere} "${name}" is not an event function; use one of ${names}`);
    if (urls.has(name)) throw new ConfigError(`${targetWhere} ${name} is given twice; give each function one URL`);
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol)) throw new ConfigError(`${targetWhere} ${name}=${maskUrl(url)}: the URL must be http:// or https://, e.g. http://127.0.0.1:8080/functions/${name}`);
    urls.set(name, url);
  }

  const concurrency = new Map<string, number>();
  const concurrencyGiven = entries(flags.concurrency, env.TOOLFLOW_CONNECTOR_CONCURRENCY);
  const concurrencyWhere = flags.concurrency?.length ? '--concurrency' : 'TOOLFLOW_CONNECTOR_CONCURRENCY:';
  for (const entry of concurrencyGiven ?? []) {
    const [name, value] = pair(entry, concurrencyWhere, 'handle-status=8');
    if (!urls.has(name)) throw new ConfigError(`${concurrencyWhere} ${name} is not a target of this connector (targets: ${[...urls.keys()].join(', ')})`);
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 1 || n > MAX_CONCURRENCY) throw new ConfigError(`${concurrencyWhere} ${name}=${value}: a whole number from 1 to ${MAX_CONCURRENCY}`);
    concurrency.set(name, n);
  }

  const rawTimeout = flags.timeout ?? (env.TOOLFLOW_CONNECTOR_TIMEOUT_SECONDS || undefined);
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  if (rawTimeout !== undefined) {
    const s = Number(rawTimeout);
    const where = flags.timeout !== undefined ? '--timeout' : 'TOOLFLOW_CONNECTOR_TIMEOUT_SECONDS=';
    if (!(s > 0) || s > MAX_TIMEOUT_SECONDS) throw new ConfigError(`${where}${where.endsWith('=') ? '' : ' '}${rawTimeout} must be a number of seconds above 0 and at most ${MAX_TIMEOUT_SECONDS}`);
    timeoutMs = Math.ceil(s * 1000);
  }

  const targets = [...urls].map(([name, url]): ConnectorTarget => {
    const f = functions.find((d) => d.name === name)!;
    return { function: name, types: [...f.consumes], url, concurrency: concurrency.get(name) ?? f.concurrency ?? 1 };
  });
  const secret = functionSecretFrom(env);
  return { amqpUrl, namespace: namespaceFrom(env), logLevel: logLevelFrom(env), targets, timeoutMs, ...(secret ? { secret } : {}) };
}
