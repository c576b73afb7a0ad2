/**
 * The Kubernetes API double's HTTP side against the real `@kubernetes/client-node`: Status errors
 * (409 / 404 / 422 / 401), defaults, selectors, patches, and list + watch with resourceVersions,
 * compaction (410) and dropped streams.
 */
import { makeInformer, type V1ConfigMap } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import { apiError, shJob, startCluster } from './helpers.js';

const cluster = await startCluster();
const { double, batch, core, watch, kc } = cluster;
const namespace = 'default';

/** Collects a watch's events until `done`; `stop()` aborts it. */
async function watching(path: string, params: Record<string, string | number | boolean | undefined>) {
  const events: Array<{ type: string; object: { kind?: string; code?: number; reason?: string; message?: string; metadata?: { name?: string; resourceVersion?: string } } }> = [];
  let doneWith: { err: unknown } | undefined;
  const controller = await watch.watch(path, params, (type, object) => events.push({ type, object }), (err) => (doneWith = { err }));
  return { events, done: () => doneWith, stop: () => controller.abort() };
}

describe('errors as Status objects', () => {
  test('a second create of the same Job is 409 AlreadyExists', async () => {
    const created = await batch.createNamespacedJob({ namespace, body: shJob('twice', 'true') });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.spec?.selector?.matchLabels?.['batch.kubernetes.io/controller-uid']).toBe(created.metadata?.uid);
    expect(created.spec?.template.metadata?.labels?.['job-name']).toBe('twice');
    const { code, status } = await apiError(batch.createNamespacedJob({ namespace, body: shJob('twice', 'true') }));
    expect(code).toBe(409);
    expect(status).toMatchObject({ kind: 'Status', reason: 'AlreadyExists', code: 409, message: 'jobs.batch "twice" already exists' });
  });

  test('get and delete of a missing Job are 404 NotFound', async () => {
    for (const call of [batch.readNamespacedJob({ namespace, name: 'nope' }), batch.deleteNamespacedJob({ namespace, name: 'nope', propagationPolicy: 'Background' }), core.readNamespacedPod({ namespace, name: 'nope' })]) {
      const { code, status } = await apiError(call);
      expect(code).toBe(404);
      expect(status.reason).toBe('NotFound');
    }
    const { status } = await apiError(batch.readNamespacedJobStatus({ namespace, name: 'nope' }));
    expect(status.message).toBe('jobs.batch "nope" not found');
  });

  test('an invalid Job is 422 Invalid with the fields at fault', async () => {
    const body = shJob('Bad_Name', 'true');
    body.spec!.template.spec!.restartPolicy = 'Always';
    delete (body.spec!.template.spec!.containers[0] as { image?: string }).image;
    const { code, status } = await apiError(batch.createNamespacedJob({ namespace, body }));
    expect(code).toBe(422);
    expect(status.reason).toBe('Invalid');
    const fields = status.details!.causes!.map((c) => c.field);
    expect(fields).toEqual(expect.arrayContaining(['metadata.name', 'spec.template.spec.restartPolicy', 'spec.template.spec.containers[0].image']));
    expect(status.message).toMatch(/^Job\.batch "Bad_Name" is invalid: \[/);
    const long = await apiError(batch.createNamespacedJob({ namespace, body: shJob('a'.repeat(64), 'true') }));
    expect(long.code).toBe(422);
    expect(long.status.message).toContain('must be no more than 63 characters');
  });

  test('a schema violation (kubernetes-models) is 422 too', async () => {
    const res = await fetch(`${double.url}/apis/batch/v1/namespaces/default/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${double.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: { name: 'schema' }, spec: { backoffLimit: 'six', template: { spec: { restartPolicy: 'Never', containers: [{ name: 'a', image: 'b' }] } } } }),
    });
    expect(res.status).toBe(422);
    const status = (await res.json()) as { details: { causes: Array<{ field: string }> } };
    expect(status.details.causes.map((c) => c.field)).toContain('spec.backoffLimit');
  });

  test('a namespace created through the API takes objects', async () => {
    await core.createNamespace({ body: { metadata: { name: 'made-later' } } });
    const cm = await core.createNamespacedConfigMap({ namespace: 'made-later', body: { metadata: { name: 'x' } } });
    expect(cm.metadata?.namespace).toBe('made-later');
    expect((await core.listNamespacedConfigMap({ namespace: 'default', fieldSelector: 'metadata.name=x' })).items).toEqual([]);
  });

  test('a wrong token is 401; an unknown namespace is 404', async () => {
    const res = await fetch(`${double.url}/api/v1/namespaces/default/pods`, { headers: { authorization: 'Bearer wrong' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    const { code, status } = await apiError(core.createNamespacedConfigMap({ namespace: 'elsewhere', body: { metadata: { name: 'x' } } }));
    expect(code).toBe(404);
    expect(status.message).toBe('namespaces "elsewhere" not found');
  });

  test("a Job's pod template is immutable (422); its labels are not", async () => {
    await batch.createNamespacedJob({ namespace, body: shJob('fixed', 'true') });
    const relabelled = await batch.patchNamespacedJob({ namespace, name: 'fixed', body: [{ op: 'add', path: '/metadata/labels/extra', value: 'yes' }] });
    expect(relabelled.metadata?.labels?.extra).toBe('yes');
    const { code, status } = await apiError(batch.patchNamespacedJob({ namespace, name: 'fixed', body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'other:1' }] }));
    expect(code).toBe(422);
    expect(status.message).toContain('spec.template: Invalid value');
    expect(status.message).toContain('field is immutable');
  });

  test('a PUT with a stale resourceVersion is 409 Conflict', async () => {
    const cm = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'stale' }, data: { a: '1' } } });
    await core.replaceNamespacedConfigMap({ namespace, name: 'stale', body: { ...cm, data: { a: '2' } } });
    const { code, status } = await apiError(core.replaceNamespacedConfigMap({ namespace, name: 'stale', body: { ...cm, data: { a: '3' } } }));
    expect(code).toBe(409);
    expect(status.reason).toBe('Conflict');
  });
});

describe('objects', () => {
  test('Services, Secrets and ConfigMaps: create, get, list by label, patch, delete', async () => {
    const svc = await core.createNamespacedService({ namespace, body: { metadata: { name: 'wm', labels: { app: 'tf' } }, spec: { ports: [{ name: 'grpc-reports', port: 50051 }] } } });
    expect(svc.spec?.clusterIP).toMatch(/^10\.96\./);
    expect(svc.spec?.ports?.[0]?.targetPort).toBe(50051);
    const secret = await core.createNamespacedSecret({ namespace, body: { metadata: { name: 's1', labels: { app: 'tf' } }, stringData: { token: 'abc' } } });
    expect(secret.data?.token).toBe(Buffer.from('abc').toString('base64'));
    expect(secret.type).toBe('Opaque');
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'c1', labels: { app: 'other' } }, data: { k: 'v' } } });
    expect((await core.listNamespacedSecret({ namespace, labelSelector: 'app=tf' })).items.map((s) => s.metadata?.name)).toEqual(['s1']);
    expect((await core.listNamespacedConfigMap({ namespace, fieldSelector: 'metadata.name=c1' })).items).toHaveLength(1);
    expect((await core.listNamespacedConfigMap({ namespace, labelSelector: 'app in (tf,x)' })).items).toHaveLength(0);
    const patched = await core.patchNamespacedConfigMap({ namespace, name: 'c1', body: [{ op: 'add', path: '/data/k2', value: 'v2' }] });
    expect(patched.data).toEqual({ k: 'v', k2: 'v2' });
    expect((await core.readNamespacedService({ namespace, name: 'wm' })).metadata?.name).toBe('wm');
    await core.deleteNamespacedService({ namespace, name: 'wm' });
    await core.deleteNamespacedSecret({ namespace, name: 's1' });
    expect((await apiError(core.readNamespacedSecret({ namespace, name: 's1' }))).code).toBe(404);
    const bad = await apiError(core.listNamespacedPod({ namespace, fieldSelector: 'spec.bogus=1' }));
    expect(bad.code).toBe(400);
    expect(bad.status.message).toBe('field label not supported: spec.bogus');
  });

  test('discovery documents', async () => {
    const get = async (path: string) => (await fetch(`${double.url}${path}`, { headers: { authorization: `Bearer ${double.token}` } })).json() as Promise<Record<string, unknown>>;
    expect(await get('/version')).toMatchObject({ major: '1' });
    expect(await get('/apis')).toMatchObject({ kind: 'APIGroupList', groups: [expect.objectContaining({ name: 'batch' })] });
    const batchResources = (await get('/apis/batch/v1')) as { resources: Array<{ name: string }> };
    expect(batchResources.resources.map((r) => r.name)).toEqual(['jobs', 'jobs/status']);
  });
});

describe('list and watch', () => {
  test('a watch from a list resourceVersion sees ADDED, MODIFIED, DELETED, and selector transitions', async () => {
    const list = await core.listNamespacedConfigMap({ namespace });
    const w = await watching('/api/v1/namespaces/default/configmaps', { resourceVersion: list.metadata!.resourceVersion!, labelSelector: 'watched=yes' });
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'w1', labels: { watched: 'yes' } }, data: { a: '1' } } });
    await core.patchNamespacedConfigMap({ namespace, name: 'w1', body: { data: { a: '2' } } }, (await import('@kubernetes/client-node')).setHeaderOptions('Content-Type', 'application/merge-patch+json'));
    await core.patchNamespacedConfigMap({ namespace, name: 'w1', body: [{ op: 'replace', path: '/metadata/labels/watched', value: 'no' }] });
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'w2', labels: { watched: 'yes' } } } });
    await core.deleteNamespacedConfigMap({ namespace, name: 'w2' });
    await double.waitFor(() => w.events.length >= 5, 5000, 'five watch events');
    expect(w.events.map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual(['ADDED w1', 'MODIFIED w1', 'DELETED w1', 'ADDED w2', 'DELETED w2']);
    expect(w.events[0]!.object.kind).toBe('ConfigMap');
    const rvs = w.events.map((e) => Number(e.object.metadata?.resourceVersion));
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    w.stop();
  });

  test('a watch from a compacted resourceVersion gets an ERROR event with a 410 Status, then ends', async () => {
    const before = (await core.listNamespacedConfigMap({ namespace })).metadata!.resourceVersion!;
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'after-rv' } } });
    double.compact();
    const w = await watching('/api/v1/namespaces/default/configmaps', { resourceVersion: before });
    await double.waitFor(() => w.done(), 5000, 'the watch to end');
    expect(w.events).toHaveLength(1);
    expect(w.events[0]!.type).toBe('ERROR');
    expect(w.events[0]!.object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    expect(w.events[0]!.object.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
    expect(w.done()!.err).toBeNull();
    // From the list's own (current) resourceVersion, the same watch works.
    const now = (await core.listNamespacedConfigMap({ namespace })).metadata!.resourceVersion!;
    const ok = await watching('/api/v1/namespaces/default/configmaps', { resourceVersion: now });
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'after-compact' } } });
    await double.waitFor(() => ok.events.length === 1, 5000, 'an ADDED event');
    expect(ok.events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'after-compact' } } });
    ok.stop();
  });

  test('dropWatches ends every open stream; timeoutSeconds ends one cleanly', async () => {
    const a = await watching('/api/v1/namespaces/default/pods', {});
    const b = await watching('/apis/batch/v1/namespaces/default/jobs', { watch: 1 });
    await double.waitFor(() => double.watchCount() >= 2, 5000, 'two open watches');
    double.dropWatches();
    await double.waitFor(() => a.done() && b.done(), 5000, 'both watches to end');
    // node-fetch reports the cut connection as an error (not as a clean end).
    for (const w of [a, b]) expect(w.done()!.err).toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
    const t = await watching('/api/v1/namespaces/default/configmaps', { timeoutSeconds: 1, allowWatchBookmarks: true });
    await double.waitFor(() => t.done(), 5000, 'the timed watch to end');
    expect(t.done()!.err).toBeNull();
    expect(t.events.filter((e) => e.type === 'ADDED').length).toBeGreaterThan(0);
    expect(t.events.at(-1)!.type).toBe('BOOKMARK');
  });

  test('an informer relists after a 410 and keeps its cache', async () => {
    const informer = makeInformer<V1ConfigMap>(kc, '/api/v1/namespaces/default/configmaps', () => core.listNamespacedConfigMap({ namespace }));
    const errors: unknown[] = [];
    informer.on('error', (e) => errors.push(e));
    await informer.start();
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'inf1' } } });
    await double.waitFor(() => informer.get('inf1', namespace), 5000, 'the informer to see inf1');
    await informer.stop();
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'inf2' } } });
    double.compact();
    await informer.start();
    await double.waitFor(() => informer.get('inf2', namespace), 5000, 'the informer to relist and see inf2');
    await informer.stop();
    // The client reports its own stop() as an AbortError; nothing else went wrong.
    expect(errors.filter((e) => (e as Error).name !== 'AbortError')).toEqual([]);
  });

  test('the list of Jobs carries items without kind, as the real server sends them', async () => {
    await batch.createNamespacedJob({ namespace, body: shJob('listed', 'true') });
    const viaClient = await batch.listNamespacedJob({ namespace, labelSelector: 'job-name=listed' });
    expect(viaClient.items.map((j) => j.metadata?.name)).toEqual(['listed']);
    const res = await fetch(`${double.url}/apis/batch/v1/namespaces/default/jobs?labelSelector=job-name%3Dlisted`, { headers: { authorization: `Bearer ${double.token}` } });
    const body = (await res.json()) as { kind: string; metadata: { resourceVersion: string }; items: Array<Record<string, unknown>> };
    expect(body.kind).toBe('JobList');
    expect(Number(body.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(body.items).toHaveLength(1);
    expect(body.items[0]!.kind).toBeUndefined();
  });
});
