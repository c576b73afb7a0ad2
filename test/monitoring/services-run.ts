/**
 * A real services-mode toolflow for the monitoring tests: `toolflow dev` on a fresh MariaDB
 * database, a RabbitMQ namespace of its own, the test run's etcd, and (optionally) an S3 server
 * (s3rver, in process) behind a stalling proxy, so a test can make S3 hang; everything is removed
 * after the file's tests. dev serves the API, the functions, its tasks and `/metrics` on one port.
 * S3 is the test run's Ceph radosgw (test/support/rgw.ts: uploads need multipart operations
 * s3rver lacks), a bucket of this set-up's own, reached through the proxy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, expect, inject } from 'vitest';
import { BIN, toolflow } from '../support/cli.js';
import { AMQP_URL, deleteAmqpNamespace, freshMysqlDatabase, requireRabbitmq, runPrefix } from '../support/services.js';
import { ensureRgw, rgwBucket } from '../support/rgw.js';
import { startStallingProxy, type StallingProxy } from '../support/stalling-proxy.js';
import { tempDir } from '../support/tmp.js';

/** A task as the API shows it (the fields read here). */
export interface TaskView {
  taskId: string;
  status: string;
  tools: { name: string; attempts: { attempt: number; status: string; reason?: string | null }[] }[];
}

/** A running services-mode dev. */
export interface ServicesDev {
  /** `http://127.0.0.1:PORT`. */
  base: string;
  /** `127.0.0.1:PORT`, Prometheus' target. */
  target: string;
  /** The environment every toolflow process of this set-up shares (database, broker, etcd, S3, home). */
  env: Record<string, string>;
  namespace: string;
  /** The S3 proxy, when started with S3. */
  s3?: StallingProxy;
  /** `Authorization` headers of a new token of `owner`. */
  auth(owner: string): Promise<Record<string, string>>;
  /** Submits a workflow's YAML; @returns its task id. */
  submit(auth: Record<string, string>, yaml: string): Promise<string>;
  /** Waits until the task has ended (60 s at most); @returns it. */
  ended(auth: Record<string, string>, taskId: string): Promise<TaskView>;
  stderr(): string;
}

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** Consumers dev declares on the broker (the shared functions). */
const CONSUMERS = ['enqueue', 'handle-status', 'rerun-policy', 'notify'];

/**
 * Starts `toolflow dev --port 0` in services mode with `extraEnv` on top.
 * @param options.s3 put the object store on radosgw behind a stalling proxy.
 */
export async function startServicesDev(extraEnv: Record<string, string>, options: { s3?: boolean } = {}): Promise<ServicesDev> {
  await requireRabbitmq();
  const db = await freshMysqlDatabase();
  cleanups.push(() => db.drop());
  const namespace = runPrefix();
  cleanups.push(() => deleteAmqpNamespace(namespace, CONSUMERS));
  const home = tempDir('toolflow-monitoring-');
  const env: Record<string, string> = {
    TOOLFLOW_HOME: home,
    TOOLFLOW_DATABASE_URL: db.url,
    TOOLFLOW_AMQP_URL: AMQP_URL,
    TOOLFLOW_ETCD_ENDPOINTS: inject('etcdEndpoints'),
    TOOLFLOW_NAMESPACE: namespace,
    TOOLFLOW_LOG_LEVEL: 'info',
  };
  let s3: StallingProxy | undefined;
  if (options.s3) {
    const rgw = await ensureRgw();
    const bucket = await rgwBucket(rgw, `tf-monitoring-${namespace}`);
    cleanups.push(() => bucket.remove());
    const endpoint = new URL(rgw.endpoint);
    s3 = await startStallingProxy(endpoint.hostname, Number(endpoint.port));
    cleanups.push(() => s3!.close());
    Object.assign(env, {
      TOOLFLOW_S3_BUCKET: bucket.name,
      TOOLFLOW_S3_ENDPOINT: `http://127.0.0.1:${s3.port}`,
      AWS_ACCESS_KEY_ID: rgw.accessKeyId,
      AWS_SECRET_ACCESS_KEY: rgw.secretAccessKey,
    });
  }
  Object.assign(env, extraEnv);
  const child = spawn(process.execPath, [BIN, 'dev', '--port', '0'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let stderr = '';
  const base = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) resolve(m[1]!.replace(/\/$/, ''));
    });
    child.on('exit', (code) => reject(new Error(`toolflow dev exited ${code}: ${stderr}`)));
  });
  return {
    base,
    target: new URL(base).host,
    env,
    namespace,
    ...(s3 ? { s3 } : {}),
    stderr: () => stderr,
    async auth(owner) {
      const r = await toolflow(['token', 'create', '--owner', owner], env);
      expect(r.code, r.stderr).toBe(0);
      return { authorization: `Bearer ${r.stdout.trim().split('\n').at(-1)!}` };
    },
    async submit(auth, yaml) {
      const r = await fetch(`${base}/v1/tasks`, { method: 'POST', headers: { ...auth, 'content-type': 'application/yaml' }, body: yaml });
      const body = (await r.json()) as { taskId: string };
      expect(r.status, JSON.stringify(body)).toBe(202);
      return body.taskId;
    },
    async ended(auth, taskId) {
      for (const started = Date.now(); Date.now() - started < 60_000; await new Promise((r) => setTimeout(r, 200))) {
        const task = (await (await fetch(`${base}/v1/tasks/${taskId}`, { headers: auth })).json()) as TaskView;
        if (['succeeded', 'failed', 'cancelled'].includes(task.status)) return task;
      }
      throw new Error(`task ${taskId} did not end within 60 s: ${stderr.slice(-3000)}`);
    },
  };
}
