/**
 * `TOOLFLOW_METRICS_PORT` (shared/metrics/settings.ts): the forms it takes, what each kind of process
 * does with it, the refusal of a malformed value, and a port already in use, which is a warning and
 * no metrics server, never a failure of the process. Also the label helpers of `record.ts`.
 */
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/errors.js';
import { consumerFunction, templateTool } from '../../shared/metrics/record.js';
import { DEFAULT_METRICS_PORT, metricsPlan, metricsSetting, startDedicatedMetrics } from '../../shared/metrics/settings.js';
import { scrape } from './scrape.js';

describe('TOOLFLOW_METRICS_PORT', () => {
  it('takes nothing, off, a port, HOST:PORT, :PORT and [IPv6]:PORT', () => {
    expect(metricsSetting({})).toEqual({ mode: 'default' });
    expect(metricsSetting({ TOOLFLOW_METRICS_PORT: '' })).toEqual({ mode: 'default' });
    expect(metricsSetting({ TOOLFLOW_METRICS_PORT: 'off' })).toEqual({ mode: 'off' });
    expect(metricsSetting({ TOOLFLOW_METRICS_PORT: 'OFF' })).toEqual({ mode: 'off' });
    expect(metricsSetting({ TOOLFLOW_METRICS_PORT: '9464' })).toEqual({ mode: 'port', port: 9464 });
    expect(metricsSetting({ TOOLFLOW_METRICS_PORT: '0' })).toEqual({ mode: 'port', port: 0 });
    expect(metricsSetting({ TOOLFLOW_METRICS_PORT: '127.0.0.1:9100' })).toEqual({ mode: 'port', port: 9100, host: '127.0.0.1' });
    expect(metricsSetting({ TOOLFLOW_METRICS_PORT: ':9100' })).toEqual({ mode: 'port', port: 9100 });
    expect(metricsSetting({ TOOLFLOW_METRICS_PORT: '[::1]:9100' })).toEqual({ mode: 'port', port: 9100, host: '::1' });
    expect(metricsSetting({ TOOLFLOW_METRICS_PORT: 'localhost:9100' })).toEqual({ mode: 'port', port: 9100, host: 'localhost' });
  });

  it('refuses anything else, naming the variable and its forms', () => {
    for (const bad of ['abc', '65536', '-1', '9464x', 'host:', '1:2:3', 'on']) {
      expect(() => metricsSetting({ TOOLFLOW_METRICS_PORT: bad }), bad).toThrow(ConfigError);
      expect(() => metricsSetting({ TOOLFLOW_METRICS_PORT: bad }), bad).toThrow(`TOOLFLOW_METRICS_PORT=${bad}: give a port (9464), HOST:PORT (127.0.0.1:9464) or off`);
    }
  });

  it('unset: on the process\'s own server, port 9464 for the connector and work manager, nothing for run and the sidecar; a port moves them there; off serves none', () => {
    const unset = metricsSetting({});
    expect(metricsPlan('own-server', unset)).toEqual({ onOwnServer: true });
    expect(metricsPlan('daemon', unset)).toEqual({ onOwnServer: false, dedicated: { port: DEFAULT_METRICS_PORT } });
    expect(metricsPlan('one-shot', unset)).toEqual({ onOwnServer: false });
    const port = metricsSetting({ TOOLFLOW_METRICS_PORT: '127.0.0.1:9100' });
    for (const role of ['own-server', 'daemon', 'one-shot'] as const) expect(metricsPlan(role, port)).toEqual({ onOwnServer: false, dedicated: { port: 9100, host: '127.0.0.1' } });
    for (const role of ['own-server', 'daemon', 'one-shot'] as const) expect(metricsPlan(role, { mode: 'off' })).toEqual({ onOwnServer: false });
  });

  it('a port in use is a warning and no server: the process goes on', async () => {
    const busy: Server = await new Promise((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => resolve(s));
    });
    const port = (busy.address() as { port: number }).port;
    try {
      const warnings: string[] = [];
      const started = await startDedicatedMetrics({ onOwnServer: false, dedicated: { port, host: '127.0.0.1' } }, (m) => warnings.push(m));
      expect(started).toBeUndefined();
      expect(warnings).toEqual([`metrics: cannot listen on 127.0.0.1:${port} (listen EADDRINUSE: address already in use 127.0.0.1:${port}); going on without /metrics (set TOOLFLOW_METRICS_PORT to another port, or off)`]);
    } finally {
      busy.close();
    }
  });

  it('a free port serves /metrics', async () => {
    const warnings: string[] = [];
    const started = await startDedicatedMetrics({ onOwnServer: false, dedicated: { port: 0, host: '127.0.0.1' } }, (m) => warnings.push(m));
    try {
      expect(warnings).toEqual([]);
      expect(started!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const { families } = await scrape(started!.url);
      expect(families.get('toolflow_process_cpu_user_seconds_total')?.type).toBe('counter');
    } finally {
      await started?.close();
    }
  });
});

describe('where a metrics server of its own listens is told', () => {
  it('port 0: `serving` gets the port really chosen, which serves /metrics; a port in use is no serving', async () => {
    const said: [string, string][] = [];
    const started = await startDedicatedMetrics({ onOwnServer: false, dedicated: { port: 0, host: '127.0.0.1' } }, { warn: (m) => said.push(['warn', m]), serving: (m, url) => said.push([m, url]) });
    try {
      const port = new URL(started!.url).port;
      expect(Number(port)).toBeGreaterThan(0);
      expect(said).toEqual([[`metrics: serving /metrics on http://127.0.0.1:${port}/metrics`, `http://127.0.0.1:${port}/metrics`]]);
      expect((await scrape(said[0]![1])).families.get('toolflow_process_cpu_user_seconds_total')?.type).toBe('counter');
      const again: string[] = [];
      expect(await startDedicatedMetrics({ onOwnServer: false, dedicated: { port: Number(port), host: '127.0.0.1' } }, { warn: (m) => again.push(`warn ${m}`), serving: (m) => again.push(m) })).toBeUndefined();
      expect(again).toEqual([expect.stringMatching(/^warn metrics: cannot listen on 127\.0\.0\.1:/)]);
    } finally {
      await started?.close();
    }
  });

  it('every interface (a bare port) says so, with a loopback URL to reach it here', async () => {
    const said: string[] = [];
    const started = await startDedicatedMetrics({ onOwnServer: false, dedicated: { port: 0 } }, { warn: (m) => said.push(m), serving: (m) => said.push(m) });
    try {
      expect(said).toEqual([`metrics: serving /metrics on ${started!.url} (every interface)`]);
      expect(started!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    } finally {
      await started?.close();
    }
  });
});

describe('bounded label values', () => {
  it('an instance counts as its template tool; a task-scoped consumer as its function', () => {
    expect(templateTool('align')).toBe('align');
    expect(templateTool('align[S1]')).toBe('align');
    expect(templateTool('a[x[y]]')).toBe('a');
    expect(consumerFunction('schedule-tool/3f2a9c1b0d4e')).toBe('schedule-tool');
    expect(consumerFunction('handle-status')).toBe('handle-status');
  });
});
