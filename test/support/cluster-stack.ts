/**
 * The whole of cluster mode on this machine, for end-to-end tests: MariaDB (a fresh database),
 * RabbitMQ (a namespace of this run's), etcd (the test setup's), S3 (a bucket of the stack's own on
 * the run's radosgw, `rgw.ts`: the submitter uploads inputs through tus's S3 store, which needs
 * ListParts and AbortMultipartUpload, which s3rver lacks), and the Kubernetes API test double (`kube-double/`), whose kubelet runs every Pod's
 * containers as local processes: the work-manager Job's `toolflow work-manager TASK`, each tool
 * Job's sidecar `toolflow sidecar` and its tool container's wrapper. The functions run in the
 * `toolflow run` process of the test (every function is shared in cluster mode). Its
 * configuration reaches the work-manager Pods as a Kubernetes ConfigMap and Secret (`envFrom`), as
 * in a cluster.
 *
 * All Pods share 127.0.0.1, so the work manager's report port is one fixed port: one task at a time.
 * Needs `npm run build` (the Pods run `bin/toolflow.js`).
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { openStore } from '../../shared/store/open-store.js';
import type { Store } from '../../shared/store/store.js';
import { BIN } from './cli.js';
import { startKubeApi, type KubeDouble } from './kube-double/index.js';
import { ensureRgw, rgwBucket, type RgwBucket } from './rgw.js';
import { AMQP_URL, deleteAmqpNamespace, freshMysqlDatabase, requireRabbitmq, runPrefix } from './services.js';
import { tempDir } from './tmp.js';

/** The report secret of the test deployment. */
export const CLUSTER_SECRET = 'cluster-test-report-secret-0123456789';

/** A running stack. */
export interface ClusterStack {
  kube: KubeDouble;
  /** The environment of a process of the deployment (`toolflow run`, `toolflow serve`…). */
  env: NodeJS.ProcessEnv;
  /** The work manager's report address, `127.0.0.1:<port>`. */
  reportAddress: string;
  store(): Promise<Store>;
  /** For a failing test's message: every Pod's phase and container states, and the tail of each container's log. */
  dump(): string;
  /** Objects in the S3 bucket, by key prefix. */
  s3Keys(prefix: string): Promise<string[]>;
  /** The S3 bucket (radosgw): its name, open multipart uploads (`openUploads`), keys. */
  bucket: RgwBucket;
  close(): Promise<void>;
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts the stack. `timing` scales the watchdog down (seconds); `extra` adds variables to every
 * part's environment. @throws when a service is unreachable (naming it).
 */
export async function startClusterStack(etcdEndpoints: string, timing: { keepaliveSeconds?: number; lostAfterSeconds?: number; startTimeoutSeconds?: number } = {}, extra: Record<string, string> = {}): Promise<ClusterStack> {
  await requireRabbitmq();
  const home = tempDir();
  const db = await freshMysqlDatabase();
  const namespace = runPrefix();
  const rgw = await ensureRgw();
  const bucket = await rgwBucket(rgw, `toolflow-${namespace}`);
  const shims = join(home, 'bin');
  mkdirSync(shims);
  writeFileSync(join(shims, 'toolflow'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(shims, 'toolflow'), 0o755);
  const kube = await startKubeApi({ namespaces: ['toolflow'], path: `${shims}:${process.env.PATH}`, probeSecondMs: 100, imagePullBackOffMs: 200, rootDir: join(home, 'kube') });
  const reportPort = await freePort();
  const reportAddress = `127.0.0.1:${reportPort}`;
  // What a deployment keeps in its ConfigMap, and in its Secret.
  const config: Record<string, string> = {
    TOOLFLOW_EXECUTOR: 'kubernetes',
    KUBECONFIG: kube.kubeconfigPath,
    TOOLFLOW_KUBE_NAMESPACE: 'toolflow',
    TOOLFLOW_IMAGE: 'toolflow/toolflow:test',
    TOOLFLOW_TOOL_IMAGE: 'debian:bookworm-slim',
    TOOLFLOW_REPORT_ADDRESS: reportAddress,
    TOOLFLOW_REPORT_PORT: String(reportPort),
    TOOLFLOW_AMQP_URL: AMQP_URL,
    TOOLFLOW_ETCD_ENDPOINTS: etcdEndpoints,
    TOOLFLOW_S3_BUCKET: bucket.name,
    TOOLFLOW_S3_ENDPOINT: rgw.endpoint,
    TOOLFLOW_NAMESPACE: namespace,
    TOOLFLOW_CPUS: '2',
    TOOLFLOW_MEMORY: '4Gi',
    TOOLFLOW_TERMINATION_GRACE_SECONDS: '2',
    TOOLFLOW_KEEPALIVE_SECONDS: String(timing.keepaliveSeconds ?? 1),
    TOOLFLOW_LOST_AFTER_SECONDS: String(timing.lostAfterSeconds ?? 30),
    TOOLFLOW_START_TIMEOUT_SECONDS: String(timing.startTimeoutSeconds ?? 60),
    TOOLFLOW_LOCK_TTL_SECONDS: '3',
    TOOLFLOW_LOG_LEVEL: process.env.TOOLFLOW_TEST_LOG ?? 'warn',
    ...extra,
  };
  const secret: Record<string, string> = {
    TOOLFLOW_DATABASE_URL: db.url,
    TOOLFLOW_REPORT_SECRET: CLUSTER_SECRET,
    AWS_ACCESS_KEY_ID: rgw.accessKeyId,
    AWS_SECRET_ACCESS_KEY: rgw.secretAccessKey,
  };
  const kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({ namespace: 'toolflow', body: { metadata: { name: 'toolflow-config' }, data: config } });
  await core.createNamespacedSecret({ namespace: 'toolflow', body: { metadata: { name: 'toolflow-secrets' }, stringData: secret } });
  const env = { ...process.env, ...config, ...secret, TOOLFLOW_HOME: join(home, 'submitter'), TOOLFLOW_OWNER: 'ann' };
  let s3: import('../../shared/objects/s3-object-store.js').S3ObjectStore | undefined;
  return {
    kube,
    bucket,
    env,
    reportAddress,
    store: () => openStore(db.url),
    dump() {
      const lines: string[] = [];
      for (const p of kube.pods('toolflow')) {
        const name = p.metadata!.name!;
        const states = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])].map((c) => `${c.name}=${JSON.stringify(c.state)}`);
        lines.push(`pod ${name} ${p.status?.phase} ${states.join(' ')}`);
        for (const c of [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])]) {
          const log = kube.logPath(name, c.name, 'toolflow');
          if (log && existsSync(log)) lines.push(`  ${c.name}: ${readFileSync(log, 'utf8').slice(-1500).replace(/\n/g, '\n    ')}`);
        }
      }
      return lines.join('\n');
    },
    async s3Keys(prefix) {
      const { S3ObjectStore } = await import('../../shared/objects/s3-object-store.js');
      s3 ??= new S3ObjectStore({ bucket: bucket.name, endpoint: rgw.endpoint, credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey } });
      return s3.list(prefix);
    },
    async close() {
      await kube.close();
      await s3?.close();
      await bucket.remove();
      await db.drop();
      await deleteAmqpNamespace(namespace, ['enqueue', 'start-workflow', 'schedule-tool', 'handle-status', 'rerun-policy']);
    },
  };
}

/** A `toolflow run` of the deployment, in the background. */
export interface BackgroundRun {
  /** Resolves when the process ends. */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** The task id, once the run has printed it (from its progress on stderr). */
  taskId(): Promise<string>;
}

/**
 * Starts `toolflow run` on `workflowText` (written to a file) with `args`, in the stack's
 * environment (plus `env`). @returns at once.
 */
export function runInBackground(stack: ClusterStack, workflowText: string, args: string[] = [], env: Record<string, string> = {}): BackgroundRun {
  const dir = tempDir();
  const file = join(dir, 'workflow.yaml');
  writeFileSync(file, workflowText);
  const child = spawn(process.execPath, [BIN, 'run', file, ...args], { env: { ...stack.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return {
    done,
    async taskId() {
      for (let i = 0; i < 600; i++) {
        const m = /task ([0-9a-f]{12})/.exec(stderr);
        if (m) return m[1]!;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no task id printed by toolflow run; stderr: ${stderr}`);
    },
  };
}

/** Runs one `toolflow` command to its end in `env`. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
