/**
 * Where the user API serves its metrics (`buildApi`'s `metrics` plan, what `TOOLFLOW_METRICS_PORT`
 * gives): with a port of their own, `/metrics` leaves the API's port (a 404 in the API's error form)
 * and the tasks are counted at that port, from the API's store, while the API listens; with `off`,
 * nowhere. Over loopback HTTP, every API answer checked against the OpenAPI document.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../http/helpers.js';
import { startApi, type TestApi } from '../support/api.js';
import { get, scrape } from './scrape.js';

const apis: TestApi[] = [];
afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
});

describe('the API\'s /metrics placement', () => {
  it('TOOLFLOW_METRICS_PORT given: on that port while the API listens, not on the API\'s', async () => {
    const port = await freePort();
    const api = await startApi({ metrics: { onOwnServer: false, dedicated: { port, host: '127.0.0.1' } } });
    apis.push(api);
    const own = await api.call('GET', '/metrics');
    expect([own.status, (own.json as { code: string }).code]).toEqual([404, 'NOT_FOUND']);
    const { families } = await scrape(`http://127.0.0.1:${port}/metrics`);
    expect(Object.fromEntries(families.get('toolflow_tasks')!.samples.map((s) => [s.labels.status, s.value]))).toEqual({ queued: 0, processing: 0, succeeded: 0, failed: 0, cancelled: 0 });
    await api.close();
    apis.length = 0;
    // Closed with the API.
    await expect(get(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('off: no /metrics anywhere', async () => {
    const api = await startApi({ metrics: { onOwnServer: false } });
    apis.push(api);
    expect((await api.call('GET', '/metrics')).status).toBe(404);
  });
});
