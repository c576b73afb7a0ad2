/**
 * Settings of the Kubernetes executor (cluster mode), from environment variables (documented in the
 * README). Read only when `TOOLFLOW_EXECUTOR=kubernetes`.
 *
 * | variable | meaning | default |
 * | --- | --- | --- |
 * | `TOOLFLOW_EXECUTOR` | `local` (tools are this machine's processes) or `kubernetes` (Jobs) | `local` |
 * | `TOOLFLOW_KUBE_NAMESPACE` | namespace of the Jobs, Pods and Services | the in-cluster service account's namespace, else `toolflow` |
 * | `KUBECONFIG` | kubeconfig file(s), `:`-separated | in-cluster when `KUBERNETES_SERVICE_HOST` is set, else `~/.kube/config` |
 * | `TOOLFLOW_IMAGE` | toolflow's own image: the work manager and every sidecar | required |
 * | `TOOLFLOW_TOOL_IMAGE` | image of tools without `image` (it needs a POSIX `sh`) | `debian:bookworm-slim` |
 * | `TOOLFLOW_REPORT_SECRET` | secret of the per-attempt report tokens, at least 16 visible ASCII characters | required |
 * | `TOOLFLOW_REPORT_PORT` | the work manager's gRPC port: its container port, its Service's port, and what it listens on in its Pod | 50051 |
 * | `TOOLFLOW_REPORT_ADDRESS` | where sidecars report, `host:port` with `{task}` and `{namespace}` filled in | `tf-{task}-wm.{namespace}.svc:<TOOLFLOW_REPORT_PORT>` |
 * | `TOOLFLOW_JOB_TTL_SECONDS` | a finished Job (and its Pods) is deleted this long after it ended (`ttlSecondsAfterFinished`) | 3600 |
 * | `TOOLFLOW_UNSCHEDULABLE_SECONDS` | a Pod no node can take (`PodScheduled=False/Unschedulable`) this long is `undelivered` | 60 |
 * | `TOOLFLOW_TERMINATION_GRACE_SECONDS` | a stopped Pod's time between SIGTERM and SIGKILL (`terminationGracePeriodSeconds`) | 30 |
 * | `TOOLFLOW_KUBE_CONFIGMAP`, `TOOLFLOW_KUBE_SECRET` | ConfigMap and Secret the work manager's Pod takes its environment from (`envFrom`); sidecars read `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` from the Secret | `toolflow-config`, `toolflow-secrets` |
 * | `TOOLFLOW_WORK_MANAGER_METRICS_PORT` | the work manager's metrics port (its `TOOLFLOW_METRICS_PORT`, container port `metrics`), `HOST:PORT`, or `off` (`pod-metrics.ts`) | 9464 |
 * | `TOOLFLOW_SIDECAR_METRICS_PORT` | the same for each tool Pod's sidecar | 9465 |
 * | `TOOLFLOW_CPUS`, `TOOLFLOW_MEMORY` | most cpu and memory one tool may ask for, and the budget of all running tools (read by the config loader) | 8 cores, 32Gi |
 * | `TOOLFLOW_DISK` | most ephemeral storage one tool may ask for | 100Gi |
 *
 * Passed on to each sidecar as they are: `TOOLFLOW_S3_BUCKET`, `TOOLFLOW_S3_ENDPOINT`,
 * `TOOLFLOW_S3_REGION`, `TOOLFLOW_LOG_LEVEL`, `TOOLFLOW_KEEPALIVE_SECONDS` (through `base`),
 * `TOOLFLOW_REPORT_WAIT_SECONDS` (to the tool container's wrapper), and `TOOLFLOW_HOME` when no
 * bucket is set (the local objects folder: only where Pods run on this machine, as in tests).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '../../errors.js';
import { parseBytes } from '../../spec/resources.js';
import { podMetricsFrom, SIDECAR_METRICS_PORT, WORK_MANAGER_METRICS_PORT, type PodMetrics } from './pod-metrics.js';

/** Settings of the Kubernetes executor and of the manifests it makes. */
export interface KubernetesSettings {
  namespace: string;
  /** Unset: in-cluster when `KUBERNETES_SERVICE_HOST` is set, else `~/.kube/config`. */
  kubeconfigPath?: string;
  /** toolflow's own image: work manager and sidecar. */
  image: string;
  /** Default image of tools without `image`. */
  toolImage: string;
  /** `TOOLFLOW_REPORT_SECRET`; never logged nor put in a message. */
  reportSecret: string;
  /** Template with `{task}` and `{namespace}` (see `reportAddressOf`). */
  reportAddress: string;
  /** Port of the work manager's report server (container and Service): `TOOLFLOW_REPORT_PORT`, default 50051. */
  reportPort: number;
  /** `ttlSecondsAfterFinished` of every Job, seconds. */
  jobTtlSeconds: number;
  /** A Pod unschedulable this long, seconds, is `undelivered`. */
  unschedulableSeconds: number;
  /** `terminationGracePeriodSeconds` of every Pod. */
  terminationGraceSeconds: number;
  /** Start timeout of the work manager's watchdog, seconds: part of a tool Job's `activeDeadlineSeconds`. */
  startTimeoutSeconds: number;
  /** Seconds between a sidecar's keepalive reports. */
  keepaliveSeconds: number;
  /** Most one attempt may have: cpu millicores, memory bytes, ephemeral-storage bytes. */
  capacity: { cpuMillicores: number; memBytes: number; diskBytes: number | null };
  /** Env the work-manager Job's container gets from: ConfigMap and Secret names. */
  configMap: string;
  secret: string;
  /** The S3 bucket sidecars stage from and upload to; unset: `localHome`'s objects folder. */
  s3?: { bucket: string; endpoint?: string; region?: string };
  /** `TOOLFLOW_HOME` given to sidecars when no bucket is set (Pods on this machine, as in tests). */
  localHome?: string;
  /** `TOOLFLOW_LOG_LEVEL` given to sidecars, when set. */
  logLevel?: string;
  /** `TOOLFLOW_REPORT_WAIT_SECONDS` given to the tool container's wrapper, when set. */
  reportWaitSeconds?: number;
  /** Where the work manager's and the sidecars' containers serve `/metrics` (`pod-metrics.ts`). */
  workManagerMetrics: PodMetrics;
  sidecarMetrics: PodMetrics;
}

/** Where an in-cluster Pod finds its service account's namespace (Kubernetes: "Accessing the API from a Pod"). */
export const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
/** Where an in-cluster Pod finds its service account's token. */
export const SERVICE_ACCOUNT_TOKEN_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/token';
/** Port of the work manager's report server. */
export const REPORT_PORT = 50051;
/** Default of `TOOLFLOW_REPORT_ADDRESS`: the work manager's Service. */
export const DEFAULT_REPORT_ADDRESS = 'tf-{task}-wm.{namespace}.svc:50051';
/** Shortest `TOOLFLOW_REPORT_SECRET`, characters. */
export const MIN_REPORT_SECRET_LENGTH = 16;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Longest timer Node.js keeps, seconds (2^31 - 1 ms). */
const MAX_TIMER_SECONDS = 2_147_483;

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_TIMER_SECONDS) throw new ConfigError(`${name}=${raw} must be a whole number of seconds from 1 to ${MAX_TIMER_SECONDS}`);
  return n;
}

function name(env: NodeJS.ProcessEnv, variable: string, fallback: string): string {
  const value = env[variable] || fallback;
  if (!DNS_LABEL.test(value)) throw new ConfigError(`${variable}=${value} must be a Kubernetes name: lowercase letters, digits and "-", at most 63, starting and ending with a letter or digit`);
  return value;
}

/**
 * The report address of one task: the template with `{task}` and `{namespace}` replaced.
 * @returns `host:port`.
 */
export function reportAddressOf(template: string, taskId: string, namespace: string): string {
  return template.replaceAll('{task}', taskId).replaceAll('{namespace}', namespace);
}

/**
 * Reads the Kubernetes executor's settings.
 * @param base what the config loader parsed already: `TOOLFLOW_CPUS` (millicores), `TOOLFLOW_MEMORY`
 *   (bytes), `TOOLFLOW_START_TIMEOUT_SECONDS`, `TOOLFLOW_KEEPALIVE_SECONDS` (default 30).
 * @param files where the in-cluster namespace file is (tests).
 * @returns undefined unless `TOOLFLOW_EXECUTOR=kubernetes`.
 * @throws ConfigError naming the variable for a malformed or missing value (the report secret's
 *   value is never in a message).
 */
export function kubernetesSettingsFrom(
  env: NodeJS.ProcessEnv,
  base: { cpuMillicores?: number; memBytes?: number; startTimeoutSeconds: number; keepaliveSeconds?: number },
  files: { namespaceFile?: string } = {},
): KubernetesSettings | undefined {
  const executor = env.TOOLFLOW_EXECUTOR || 'local';
  if (executor === 'local') return undefined;
  if (executor !== 'kubernetes') throw new ConfigError(`TOOLFLOW_EXECUTOR=${executor}: the executors are local (the default) and kubernetes`);
  const namespaceFile = files.namespaceFile ?? SERVICE_ACCOUNT_NAMESPACE_FILE;
  const inCluster = existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : '';
  const namespace = name(env, 'TOOLFLOW_KUBE_NAMESPACE', inCluster || 'toolflow');
  const image = env.TOOLFLOW_IMAGE;
  if (!image) throw new ConfigError('TOOLFLOW_IMAGE is required with TOOLFLOW_EXECUTOR=kubernetes: the toolflow image the work managers and sidecars run (e.g. registry.example.com/toolflow/toolflow:0.1.0)');
  if (/\s/.test(image)) throw new ConfigError(`TOOLFLOW_IMAGE=${image} must be an image reference without spaces`);
  const toolImage = env.TOOLFLOW_TOOL_IMAGE || 'debian:bookworm-slim';
  if (/\s/.test(toolImage)) throw new ConfigError(`TOOLFLOW_TOOL_IMAGE=${toolImage} must be an image reference without spaces`);
  const secret = env.TOOLFLOW_REPORT_SECRET;
  const hint = '(e.g. the output of `openssl rand -hex 32`, the same in every toolflow process)';
  if (!secret) throw new ConfigError(`TOOLFLOW_REPORT_SECRET is required with TOOLFLOW_EXECUTOR=kubernetes: it signs the sidecars' report tokens ${hint}`);
  if (!/^[\x21-\x7e]+$/.test(secret)) throw new ConfigError(`TOOLFLOW_REPORT_SECRET must be visible ASCII characters, no spaces ${hint}`);
  if (secret.length < MIN_REPORT_SECRET_LENGTH) throw new ConfigError(`TOOLFLOW_REPORT_SECRET must be at least ${MIN_REPORT_SECRET_LENGTH} characters ${hint}`);
  const portText = env.TOOLFLOW_REPORT_PORT || String(REPORT_PORT);
  const reportPort = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || reportPort < 1 || reportPort > 65535) throw new ConfigError(`TOOLFLOW_REPORT_PORT=${portText} must be a port number from 1 to 65535`);
  const reportAddress = env.TOOLFLOW_REPORT_ADDRESS || DEFAULT_REPORT_ADDRESS.replace(`:${REPORT_PORT}`, `:${reportPort}`);
  const unknown = reportAddress.match(/\{(?!task\}|namespace\})[^}]*\}/);
  if (unknown) throw new ConfigError(`TOOLFLOW_REPORT_ADDRESS=${reportAddress}: unknown placeholder ${unknown[0]} (there are {task} and {namespace})`);
  const sample = reportAddressOf(reportAddress, '0123456789ab', namespace);
  const port = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/.exec(sample);
  if (!port || Number(port[1]) < 1 || Number(port[1]) > 65535) throw new ConfigError(`TOOLFLOW_REPORT_ADDRESS=${reportAddress} must be host:port (e.g. ${DEFAULT_REPORT_ADDRESS})`);
  let diskBytes = 100 * 1024 ** 3;
  if (env.TOOLFLOW_DISK) {
    try {
      diskBytes = parseBytes(env.TOOLFLOW_DISK);
    } catch (err) {
      throw new ConfigError(`TOOLFLOW_DISK: ${(err as Error).message}`);
    }
  }
  const reportWait = env.TOOLFLOW_REPORT_WAIT_SECONDS ? seconds(env, 'TOOLFLOW_REPORT_WAIT_SECONDS', 300) : undefined;
  return {
    namespace,
    ...(env.KUBECONFIG ? { kubeconfigPath: env.KUBECONFIG } : {}),
    image,
    toolImage,
    reportSecret: secret,
    reportAddress,
    reportPort,
    jobTtlSeconds: seconds(env, 'TOOLFLOW_JOB_TTL_SECONDS', 3600),
    unschedulableSeconds: seconds(env, 'TOOLFLOW_UNSCHEDULABLE_SECONDS', 60),
    terminationGraceSeconds: seconds(env, 'TOOLFLOW_TERMINATION_GRACE_SECONDS', 30),
    startTimeoutSeconds: base.startTimeoutSeconds,
    keepaliveSeconds: base.keepaliveSeconds ?? 30,
    capacity: { cpuMillicores: base.cpuMillicores ?? 8000, memBytes: base.memBytes ?? 32 * 1024 ** 3, diskBytes },
    configMap: name(env, 'TOOLFLOW_KUBE_CONFIGMAP', 'toolflow-config'),
    secret: name(env, 'TOOLFLOW_KUBE_SECRET', 'toolflow-secrets'),
    ...(env.TOOLFLOW_S3_BUCKET
      ? { s3: { bucket: env.TOOLFLOW_S3_BUCKET, ...(env.TOOLFLOW_S3_ENDPOINT ? { endpoint: env.TOOLFLOW_S3_ENDPOINT } : {}), ...(env.TOOLFLOW_S3_REGION ? { region: env.TOOLFLOW_S3_REGION } : {}) } }
      : env.TOOLFLOW_HOME
        ? { localHome: env.TOOLFLOW_HOME }
        : {}),
    ...(env.TOOLFLOW_LOG_LEVEL ? { logLevel: env.TOOLFLOW_LOG_LEVEL } : {}),
    ...(reportWait !== undefined ? { reportWaitSeconds: reportWait } : {}),
    workManagerMetrics: podMetricsFrom(env, 'TOOLFLOW_WORK_MANAGER_METRICS_PORT', WORK_MANAGER_METRICS_PORT),
    sidecarMetrics: podMetricsFrom(env, 'TOOLFLOW_SIDECAR_METRICS_PORT', SIDECAR_METRICS_PORT),
  };
}

/**
 * The client configuration (async: the client library is loaded on first use): the kubeconfig file(s) of `settings.kubeconfigPath` (`KUBECONFIG`; the
 * first file's current context, later files merged as kubectl does), else the in-cluster service
 * account (`loadFromCluster`) when `KUBERNETES_SERVICE_HOST` is set, else `~/.kube/config`.
 * @throws ConfigError naming `KUBECONFIG` for a file that cannot be read or has no current cluster,
 *   and saying what to set when there is no configuration at all.
 */
export async function loadKubeConfig(settings: Pick<KubernetesSettings, 'kubeconfigPath'>, env: NodeJS.ProcessEnv = process.env, files: { tokenFile?: string } = {}): Promise<KubeConfig> {
  // Loaded here, not at the top: the client takes ~0.4 s to load, which local mode never needs.
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  const fromFiles = (paths: string[], variable: string): KubeConfig => {
    paths.forEach((path, i) => {
      try {
        if (i === 0) kc.loadFromFile(path);
        else {
          const more = new KubeConfig();
          more.loadFromFile(path);
          kc.mergeConfig(more, true);
        }
      } catch (err) {
        throw new ConfigError(`${variable}: cannot read the kubeconfig file ${path}: ${(err as Error).message.split('\n')[0]}`);
      }
    });
    if (!kc.getCurrentCluster()) throw new ConfigError(`${variable}: the kubeconfig file ${paths[0]} has no current context with a cluster (kubectl config use-context NAME)`);
    return kc;
  };
  if (settings.kubeconfigPath) return fromFiles(settings.kubeconfigPath.split(delimiter).filter(Boolean), 'KUBECONFIG');
  if (env.KUBERNETES_SERVICE_HOST) {
    const tokenFile = files.tokenFile ?? SERVICE_ACCOUNT_TOKEN_FILE;
    if (!existsSync(tokenFile)) {
      throw new ConfigError(`KUBERNETES_SERVICE_HOST is set but ${tokenFile} is missing: give the Pod a service account token (automountServiceAccountToken: true), or set KUBECONFIG`);
    }
    kc.loadFromCluster();
    return kc;
  }
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home)) return fromFiles([home], '~/.kube/config');
  throw new ConfigError('TOOLFLOW_EXECUTOR=kubernetes needs a cluster: set KUBECONFIG to a kubeconfig file, or run toolflow in a Pod (in-cluster service account)');
}
