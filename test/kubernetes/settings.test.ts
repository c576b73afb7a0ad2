/**
 * The Kubernetes executor's settings (shared/executor/kubernetes/settings.ts): defaults, every
 * malformed value refused with a ConfigError naming its variable (the report secret's value never in
 * a message), and the client configuration from a kubeconfig file or the in-cluster account.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/errors.js';
import { kubernetesSettingsFrom, loadKubeConfig } from '../../shared/executor/kubernetes/settings.js';
import { tempDir } from '../support/tmp.js';
import { TEST_SECRET, settingsFrom } from './fixtures.js';

const dir = tempDir('toolflow-kube-settings-');
const base = { startTimeoutSeconds: 120 };
const cluster = { TOOLFLOW_EXECUTOR: 'kubernetes', TOOLFLOW_IMAGE: 'registry.example.com/toolflow/toolflow:0.1.0', TOOLFLOW_REPORT_SECRET: TEST_SECRET };
const noFile = { namespaceFile: join(dir, 'none') };

/** The ConfigError `f` throws. */
function refusal(f: () => unknown): ConfigError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('no error thrown');
}

describe('kubernetesSettingsFrom', () => {
  it('is undefined unless TOOLFLOW_EXECUTOR=kubernetes, and refuses an executor it does not know', () => {
    expect(kubernetesSettingsFrom({}, base)).toBeUndefined();
    expect(kubernetesSettingsFrom({ TOOLFLOW_EXECUTOR: 'local' }, base)).toBeUndefined();
    expect(refusal(() => kubernetesSettingsFrom({ TOOLFLOW_EXECUTOR: 'docker' }, base)).message).toMatch(/^TOOLFLOW_EXECUTOR=docker: .*local .*kubernetes/);
  });

  it('has the documented defaults', () => {
    const s = settingsFrom();
    expect(s).toMatchObject({
      namespace: 'toolflow',
      image: cluster.TOOLFLOW_IMAGE,
      toolImage: 'debian:bookworm-slim',
      reportAddress: 'tf-{task}-wm.{namespace}.svc:50051',
      reportPort: 50051,
      jobTtlSeconds: 3600,
      unschedulableSeconds: 60,
      terminationGraceSeconds: 30,
      startTimeoutSeconds: 120,
      keepaliveSeconds: 30,
      capacity: { cpuMillicores: 8000, memBytes: 32 * 1024 ** 3, diskBytes: 100 * 1024 ** 3 },
      configMap: 'toolflow-config',
      secret: 'toolflow-secrets',
    });
    expect(s.kubeconfigPath).toBeUndefined();
    expect(s.s3).toBeUndefined();
  });

  it('takes each variable, and the capacity from what the config loader parsed', () => {
    const s = settingsFrom(
      {
        TOOLFLOW_KUBE_NAMESPACE: 'pipelines',
        KUBECONFIG: '/etc/kube/config',
        TOOLFLOW_TOOL_IMAGE: 'busybox:1.36',
        TOOLFLOW_REPORT_ADDRESS: '127.0.0.1:6000',
        TOOLFLOW_JOB_TTL_SECONDS: '600',
        TOOLFLOW_UNSCHEDULABLE_SECONDS: '90',
        TOOLFLOW_TERMINATION_GRACE_SECONDS: '5',
        TOOLFLOW_KUBE_CONFIGMAP: 'cfg',
        TOOLFLOW_KUBE_SECRET: 'keys',
        TOOLFLOW_DISK: '20Gi',
        TOOLFLOW_S3_BUCKET: 'b',
        TOOLFLOW_S3_ENDPOINT: 'http://minio:9000',
        TOOLFLOW_REPORT_WAIT_SECONDS: '60',
      },
      { cpuMillicores: 4000, memBytes: 16 * 1024 ** 3 },
    );
    expect(s).toMatchObject({
      namespace: 'pipelines',
      kubeconfigPath: '/etc/kube/config',
      toolImage: 'busybox:1.36',
      reportAddress: '127.0.0.1:6000',
      jobTtlSeconds: 600,
      unschedulableSeconds: 90,
      terminationGraceSeconds: 5,
      configMap: 'cfg',
      secret: 'keys',
      capacity: { cpuMillicores: 4000, memBytes: 16 * 1024 ** 3, diskBytes: 20 * 1024 ** 3 },
      s3: { bucket: 'b', endpoint: 'http://minio:9000' },
      reportWaitSeconds: 60,
    });
  });

  it('defaults the namespace to the in-cluster service account’s, when that file is there', () => {
    const file = join(dir, 'namespace');
    writeFileSync(file, 'team-a\n');
    expect(kubernetesSettingsFrom(cluster, base, { namespaceFile: file })?.namespace).toBe('team-a');
    expect(kubernetesSettingsFrom({ ...cluster, TOOLFLOW_KUBE_NAMESPACE: 'other' }, base, { namespaceFile: file })?.namespace).toBe('other');
  });

  it('refuses each malformed value with a ConfigError naming its variable', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ TOOLFLOW_IMAGE: '' }, /^TOOLFLOW_IMAGE is required/],
      [{ TOOLFLOW_IMAGE: 'a b' }, /^TOOLFLOW_IMAGE=a b must be/],
      [{ TOOLFLOW_TOOL_IMAGE: 'x y' }, /^TOOLFLOW_TOOL_IMAGE=/],
      [{ TOOLFLOW_KUBE_NAMESPACE: 'Team_A' }, /^TOOLFLOW_KUBE_NAMESPACE=Team_A must be a Kubernetes name/],
      [{ TOOLFLOW_KUBE_CONFIGMAP: 'x'.repeat(64) }, /^TOOLFLOW_KUBE_CONFIGMAP=/],
      [{ TOOLFLOW_KUBE_SECRET: '-keys' }, /^TOOLFLOW_KUBE_SECRET=-keys/],
      [{ TOOLFLOW_REPORT_ADDRESS: 'tf-{task}-wm.{ns}.svc:50051' }, /^TOOLFLOW_REPORT_ADDRESS=.*unknown placeholder \{ns\}/],
      [{ TOOLFLOW_REPORT_ADDRESS: 'tf-{task}-wm' }, /^TOOLFLOW_REPORT_ADDRESS=tf-\{task\}-wm must be host:port/],
      [{ TOOLFLOW_REPORT_ADDRESS: 'host:99999' }, /^TOOLFLOW_REPORT_ADDRESS=host:99999 must be host:port/],
      [{ TOOLFLOW_JOB_TTL_SECONDS: '0' }, /^TOOLFLOW_JOB_TTL_SECONDS=0 must be a whole number of seconds/],
      [{ TOOLFLOW_UNSCHEDULABLE_SECONDS: '1.5' }, /^TOOLFLOW_UNSCHEDULABLE_SECONDS=1\.5/],
      [{ TOOLFLOW_TERMINATION_GRACE_SECONDS: 'soon' }, /^TOOLFLOW_TERMINATION_GRACE_SECONDS=soon/],
      [{ TOOLFLOW_REPORT_WAIT_SECONDS: '-3' }, /^TOOLFLOW_REPORT_WAIT_SECONDS=-3/],
      [{ TOOLFLOW_DISK: 'lots' }, /^TOOLFLOW_DISK: "lots" is not a size/],
    ];
    for (const [env, message] of cases) expect(refusal(() => kubernetesSettingsFrom({ ...cluster, ...env }, base, noFile)).message).toMatch(message);
  });

  it('requires a report secret of at least 16 visible ASCII characters, and never says it', () => {
    const { TOOLFLOW_REPORT_SECRET: _s, ...without } = cluster;
    expect(refusal(() => kubernetesSettingsFrom(without, base, noFile)).message).toMatch(/^TOOLFLOW_REPORT_SECRET is required/);
    for (const secret of ['short-secret-15', 'has a space in it, and long enough', 'tab\tseparated-and-long-enough']) {
      const err = refusal(() => kubernetesSettingsFrom({ ...cluster, TOOLFLOW_REPORT_SECRET: secret }, base, noFile));
      expect(err.message).toMatch(/^TOOLFLOW_REPORT_SECRET must be/);
      expect(err.message).not.toContain(secret);
    }
    expect(kubernetesSettingsFrom({ ...cluster, TOOLFLOW_REPORT_SECRET: 'exactly-16-chars' }, base, noFile)?.reportSecret).toBe('exactly-16-chars');
  });
});

describe('loadKubeConfig', () => {
  const kubeconfig = (server: string) =>
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{ name: c, cluster: { server: "${server}" } }]`,
      'users: [{ name: u, user: { token: abc } }]',
      'contexts: [{ name: x, context: { cluster: c, user: u, namespace: toolflow } }]',
      'current-context: x',
    ].join('\n');

  it('loads KUBECONFIG (merging further files), and names KUBECONFIG for a file it cannot use', async () => {
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    writeFileSync(a, kubeconfig('http://127.0.0.1:6443'));
    writeFileSync(b, kubeconfig('http://127.0.0.1:7443').replaceAll('name: c', 'name: c2').replace('cluster: c, user: u', 'cluster: c2, user: u2').replace('name: u,', 'name: u2,').replaceAll('name: x', 'name: y').replace('current-context: x', 'current-context: y'));
    const kc = await loadKubeConfig({ kubeconfigPath: `${a}:${b}` }, {});
    expect(kc.getCurrentCluster()?.server).toBe('http://127.0.0.1:6443');
    expect(kc.getContexts().map((c) => c.name).sort()).toEqual(['x', 'y']);
    await expect(loadKubeConfig({ kubeconfigPath: join(dir, 'missing.yaml') }, {})).rejects.toThrow(/^KUBECONFIG: cannot read the kubeconfig file .*missing\.yaml/);
    const none = join(dir, 'none.yaml');
    writeFileSync(none, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    await expect(loadKubeConfig({ kubeconfigPath: none }, {})).rejects.toThrow(/^KUBECONFIG: the kubeconfig file .* has no current context/);
  });

  it('in a Pod without a token, and with nothing at all, says what to set', async () => {
    await expect(loadKubeConfig({}, { KUBERNETES_SERVICE_HOST: '10.0.0.1' }, { tokenFile: join(dir, 'no-token') })).rejects.toThrow(/^KUBERNETES_SERVICE_HOST is set but .*no-token is missing/);
    const home = join(dir, 'home');
    mkdirSync(home, { recursive: true });
    const saved = process.env.HOME;
    process.env.HOME = home;
    try {
      await expect(loadKubeConfig({}, {})).rejects.toBeInstanceOf(ConfigError);
      await expect(loadKubeConfig({}, {})).rejects.toThrow(/set KUBECONFIG/);
    } finally {
      process.env.HOME = saved;
    }
  });
});
