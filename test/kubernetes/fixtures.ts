/**
 * Shared inputs of the Kubernetes executor's tests: settings read by the real parser from an
 * environment, and attempt requests shaped as `tool.ready` data.
 */
import type { AttemptRequest } from '../../shared/executor/executor.js';
import { kubernetesSettingsFrom, type KubernetesSettings } from '../../shared/executor/kubernetes/settings.js';

/** A report secret for tests (never a real one). */
export const TEST_SECRET = 'test-report-secret-0123456789abcdef';

/** Settings from `env` on top of a minimal cluster-mode environment (no in-cluster namespace file). */
export function settingsFrom(env: Record<string, string> = {}, base: { cpuMillicores?: number; memBytes?: number; startTimeoutSeconds?: number } = {}): KubernetesSettings {
  const s = kubernetesSettingsFrom(
    { TOOLFLOW_EXECUTOR: 'kubernetes', TOOLFLOW_IMAGE: 'registry.example.com/toolflow/toolflow:0.1.0', TOOLFLOW_REPORT_SECRET: TEST_SECRET, ...env },
    { startTimeoutSeconds: 120, ...base },
    { namespaceFile: '/nonexistent/namespace' },
  );
  if (!s) throw new Error('not cluster mode');
  return s;
}

/** An attempt request (`tool.ready` data) with the given changes. */
export function requestFor(changes: Omit<Partial<AttemptRequest>, 'spec' | 'resources'> & { spec?: Partial<AttemptRequest['spec']>; resources?: Partial<AttemptRequest['resources']> } = {}): AttemptRequest {
  const { spec, resources, ...rest } = changes;
  return {
    taskId: '0123456789ab',
    tool: 'align_reads',
    attempt: 2,
    owner: 'alice',
    spec: { name: 'align_reads', cmds: ['echo "$TF_INPUT_READS" > out.txt'], env: { MODE: 'fast' }, outputs: ['out.txt'], image: 'biocontainers/bwa:0.7.17', passEnv: [], ...spec },
    values: { threads: 4 },
    inputs: { reads: { key: 'alice/u1/reads.fq', fileName: 'reads.fq' } },
    deps: [{ tool: 'index', attempt: 1 }],
    resources: { cpuMillicores: 1500, memBytes: 512 * 1024 ** 2, diskBytes: 10 ** 9 + 1, timeSeconds: 600, ...resources },
    ...rest,
  };
}
