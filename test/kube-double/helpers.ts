/**
 * Helpers of the Kubernetes API double's tests: a double per test file and the real
 * `@kubernetes/client-node` clients pointed at it through its kubeconfig.
 */
import { BatchV1Api, CoreV1Api, KubeConfig, Watch, type V1Job } from '@kubernetes/client-node';
import { afterAll } from 'vitest';
import { startKubeApi, type KubeApiOptions, type KubeDouble } from '../support/kube-double/index.js';

/** A started double and clients for it. */
export interface Cluster {
  double: KubeDouble;
  kc: KubeConfig;
  batch: BatchV1Api;
  core: CoreV1Api;
  watch: Watch;
}

/** Starts a double (closed after the file's tests) and loads its kubeconfig. */
export async function startCluster(options: KubeApiOptions = {}): Promise<Cluster> {
  const double = await startKubeApi({ probeSecondMs: 50, ...options });
  afterAll(() => double.close());
  const kc = new KubeConfig();
  kc.loadFromFile(double.kubeconfigPath);
  return { double, kc, batch: kc.makeApiClient(BatchV1Api), core: kc.makeApiClient(CoreV1Api), watch: new Watch(kc) };
}

/** A Job of one container `main` running `sh -c script`, restartPolicy Never, backoffLimit 0 unless given. */
export function shJob(name: string, script: string, spec: Partial<NonNullable<V1Job['spec']>> = {}): V1Job {
  return {
    metadata: { name },
    spec: {
      backoffLimit: 0,
      ...spec,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36', command: ['/bin/sh', '-c', script] }] } },
    },
  };
}

/** The `code` and parsed Status body of a client ApiException (its `body` is the raw response text). */
export async function apiError(p: Promise<unknown>): Promise<{ code: number; status: { reason?: string; message?: string; code?: number; details?: { causes?: Array<{ field?: string; reason?: string }> } } }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: number; body?: unknown };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, status: typeof e.body === 'string' ? JSON.parse(e.body) : (e.body as object) };
  }
  throw new Error('expected the call to fail');
}
