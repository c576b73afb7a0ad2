/**
 * The settings of `toolflow check` (the design doc's "CronTab mission": a periodic job that looks
 * at the cluster over a period and tells people when it passes its limits), from three places, the
 * first that gives a value winning: the command's flags, the environment, a YAML file
 * (`--config FILE`, or `TOOLFLOW_CHECK_CONFIG`), the defaults.
 *
 * | YAML key | variable | meaning | default |
 * | --- | --- | --- | --- |
 * | `prometheus` | `TOOLFLOW_CHECK_PROMETHEUS_URL` | Prometheus' base URL (its HTTP API is under `/api/v1`) | required |
 * | `namespace` | `TOOLFLOW_CHECK_NAMESPACE` | the Kubernetes namespace of toolflow's Pods | `toolflow` |
 * | `period` | `TOOLFLOW_CHECK_PERIOD` | how far back each check looks (`15m`, `1h`, seconds) | `15m` |
 * | `rateWindow` | `TOOLFLOW_CHECK_RATE_WINDOW` | the window of cpu's `rate()`: at least 4 of Prometheus' scrape intervals | `2m` |
 * | `limits.pendingPods` | `TOOLFLOW_CHECK_MAX_PENDING_PODS` | most Pods Pending for longer than `pendingFor` at any time of the period | `0` |
 * | `limits.pendingFor` | `TOOLFLOW_CHECK_PENDING_FOR` | how long a Pod may be Pending before it counts | `10m` |
 * | `limits.pods` | `TOOLFLOW_CHECK_MAX_PODS` | most Pods Pending or Running at any time | no limit |
 * | `limits.cpu` | `TOOLFLOW_CHECK_MAX_CPU` | most cpu the Pods' containers use together, cores (`16`, `1500m`) | no limit |
 * | `limits.memory` | `TOOLFLOW_CHECK_MAX_MEMORY` | most memory (working set) they use together (`64Gi`) | no limit |
 * | `limits.runningTools` | `TOOLFLOW_CHECK_MAX_RUNNING_TOOLS` | most tool attempts running (`toolflow_tools_running`, summed) | no limit |
 * | `limits.queueDepth` | `TOOLFLOW_CHECK_MAX_QUEUE_DEPTH` | most messages ready in one broker queue (`toolflow_queue_depth`) | no limit |
 *
 * A limit is passed when the highest value measured in the period is above it (`pods: 200` allows
 * 200 Pods, not 201). Limits are whole numbers of Pods, tools and messages, cores as Kubernetes
 * writes them, bytes as workflows write them (`512Mi`, `4G`).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ConfigError } from '../errors.js';
import { parseBytes, parseCpu, parseDuration } from '../spec/resources.js';

/** The limits; absent: not checked. */
export interface CheckLimits {
  /** Pods Pending longer than `pendingForSeconds` at one time, at most. */
  pendingPods: number;
  pendingForSeconds: number;
  pods?: number;
  /** Millicores. */
  cpuMillicores?: number;
  /** Bytes. */
  memoryBytes?: number;
  runningTools?: number;
  queueDepth?: number;
}

/** Everything a check run needs. */
export interface CheckSettings {
  /** Prometheus' base URL, without a trailing `/`. */
  prometheus: string;
  namespace: string;
  /** Seconds. */
  periodSeconds: number;
  /** The window of cpu's `rate()`, seconds. */
  rateWindowSeconds: number;
  limits: CheckLimits;
}

/** The flags of `toolflow check` that carry settings. */
export interface CheckFlags {
  prometheus?: string;
  config?: string;
  period?: string;
}

/** Each limit's YAML key, variable and parser. */
const LIMITS: { key: keyof RawLimits; variable: string; parse: (v: unknown) => number; field: keyof CheckLimits }[] = [
  { key: 'pendingPods', variable: 'TOOLFLOW_CHECK_MAX_PENDING_PODS', parse: count, field: 'pendingPods' },
  { key: 'pendingFor', variable: 'TOOLFLOW_CHECK_PENDING_FOR', parse: parseDuration, field: 'pendingForSeconds' },
  { key: 'pods', variable: 'TOOLFLOW_CHECK_MAX_PODS', parse: count, field: 'pods' },
  { key: 'cpu', variable: 'TOOLFLOW_CHECK_MAX_CPU', parse: parseCpu, field: 'cpuMillicores' },
  { key: 'memory', variable: 'TOOLFLOW_CHECK_MAX_MEMORY', parse: parseBytes, field: 'memoryBytes' },
  { key: 'runningTools', variable: 'TOOLFLOW_CHECK_MAX_RUNNING_TOOLS', parse: count, field: 'runningTools' },
  { key: 'queueDepth', variable: 'TOOLFLOW_CHECK_MAX_QUEUE_DEPTH', parse: count, field: 'queueDepth' },
];

type RawLimits = Partial<Record<'pendingPods' | 'pendingFor' | 'pods' | 'cpu' | 'memory' | 'runningTools' | 'queueDepth', unknown>>;

/** A whole number >= 0 (`0` allowed: "none at all"). */
function count(value: unknown): number {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new Error(`expected a whole number (0 or more), got ${JSON.stringify(value)}`);
  return n;
}

/** A DNS-1123 label (a Kubernetes namespace's name): also what makes it safe inside a PromQL string. */
/** The longest period checked, s: one year. */
export const MAX_PERIOD_SECONDS = 365 * 86_400;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Reads the YAML file of `path`.
 * @throws ConfigError naming the file: unreadable, not YAML, not a mapping, or an unknown key.
 */
function readFile(path: string): { prometheus?: unknown; namespace?: unknown; period?: unknown; rateWindow?: unknown; limits?: RawLimits } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`--config ${path} cannot be read: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parse(text, { uniqueKeys: true });
  } catch (err) {
    throw new ConfigError(`--config ${path} is not YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`--config ${path} must be a mapping with prometheus, namespace, period, rateWindow and limits`);
  const known = ['prometheus', 'namespace', 'period', 'rateWindow', 'limits'];
  for (const k of Object.keys(doc)) if (!known.includes(k)) throw new ConfigError(`--config ${path}: unknown key "${k}"; the keys are ${known.join(', ')}`);
  const limits = (doc as { limits?: unknown }).limits;
  if (limits !== undefined && limits !== null) {
    if (typeof limits !== 'object' || Array.isArray(limits)) throw new ConfigError(`--config ${path}: limits must be a mapping of ${LIMITS.map((l) => l.key).join(', ')}`);
    for (const k of Object.keys(limits)) if (!LIMITS.some((l) => l.key === k)) throw new ConfigError(`--config ${path}: unknown limit "${k}"; the limits are ${LIMITS.map((l) => l.key).join(', ')}`);
  }
  return doc as ReturnType<typeof readFile>;
}

/**
 * The settings of one run (see the module's table).
 * @throws ConfigError naming the flag, variable or file key of a missing Prometheus URL, a URL that
 *   is not http(s), a namespace that is not a DNS label, a malformed period or limit.
 */
export function checkSettings(flags: CheckFlags, env: NodeJS.ProcessEnv = process.env): CheckSettings {
  const configPath = flags.config ?? env.TOOLFLOW_CHECK_CONFIG;
  const file = configPath ? readFile(configPath) : {};
  const where = (key: string) => (configPath ? `${key} in ${configPath}` : key);
  const pick = (flag: string | undefined, variable: string, key: 'prometheus' | 'namespace' | 'period' | 'rateWindow'): { value: unknown; from: string } | undefined => {
    if (flag !== undefined) return { value: flag, from: `--${key}` };
    const fromEnv = env[variable]?.trim();
    if (fromEnv) return { value: fromEnv, from: variable };
    if (file[key] !== undefined && file[key] !== null) return { value: file[key], from: where(key) };
    return undefined;
  };

  const prom = pick(flags.prometheus, 'TOOLFLOW_CHECK_PROMETHEUS_URL', 'prometheus');
  if (!prom) throw new ConfigError('toolflow check needs Prometheus: give --prometheus URL, TOOLFLOW_CHECK_PROMETHEUS_URL, or prometheus: in the --config file (e.g. http://prometheus-operated.monitoring.svc:9090)');
  let url: URL | undefined;
  try {
    url = typeof prom.value === 'string' ? new URL(prom.value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol)) throw new ConfigError(`${prom.from}: the Prometheus URL must be http:// or https://, such as http://prometheus-operated.monitoring.svc:9090`);

  const ns = pick(undefined, 'TOOLFLOW_CHECK_NAMESPACE', 'namespace') ?? { value: 'toolflow', from: 'the default' };
  if (typeof ns.value !== 'string' || !NAMESPACE.test(ns.value)) throw new ConfigError(`${ns.from}: ${JSON.stringify(ns.value)} is not a Kubernetes namespace name (lower-case letters, digits and -, 63 at most)`);

  const period = pick(flags.period, 'TOOLFLOW_CHECK_PERIOD', 'period') ?? { value: '15m', from: 'the default' };
  const duration = (raw: { value: unknown; from: string }) => {
    try {
      return parseDuration(raw.value);
    } catch (err) {
      throw new ConfigError(`${raw.from}: ${(err as Error).message}`);
    }
  };
  const periodSeconds = duration(period);
  // Past a year the range starts before anything Prometheus keeps (its default retention is 15 days), and far past it a date cannot be formed.
  if (periodSeconds > MAX_PERIOD_SECONDS) throw new ConfigError(`${period.from}: a period of at most 365d (one year) is checked; got ${String(period.value)}`);
  const rateWindowSeconds = duration(pick(undefined, 'TOOLFLOW_CHECK_RATE_WINDOW', 'rateWindow') ?? { value: '2m', from: 'the default' });

  const limits: CheckLimits = { pendingPods: 0, pendingForSeconds: 600 };
  for (const l of LIMITS) {
    const fromEnv = env[l.variable]?.trim();
    const raw = fromEnv ? { value: fromEnv, from: l.variable } : file.limits?.[l.key] !== undefined && file.limits[l.key] !== null ? { value: file.limits[l.key], from: where(`limits.${l.key}`) } : undefined;
    if (!raw) continue;
    try {
      (limits as unknown as Record<string, number>)[l.field] = l.parse(raw.value);
    } catch (err) {
      throw new ConfigError(`${raw.from}: ${(err as Error).message}`);
    }
  }
  return { prometheus: url.href.replace(/\/+$/, ''), namespace: ns.value, periodSeconds, rateWindowSeconds, limits };
}
