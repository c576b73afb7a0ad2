/**
 * A real Prometheus and a real Alertmanager on loopback for the monitoring tests: Debian's
 * `prometheus` (2.42 on bookworm) and `prometheus-alertmanager` (0.25), each in a temporary folder
 * of its own (storage, configuration), on a free port, stopped after the file's tests.
 *
 * Prometheus: scrapes the given targets every second and evaluates rules every second, so a test
 * waits seconds, not minutes; its HTTP API (prometheus.io/docs/prometheus/latest/querying/api):
 * `GET /api/v1/query` (instant queries: `{status, data: {resultType, result}}`, or `{status:
 * "error", errorType, error}` for a query that does not parse or fails), `/api/v1/targets`,
 * `/api/v1/alerts`. Alertmanager: `GET /api/v2/alerts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { stringify } from 'yaml';
import { freePort } from '../http/helpers.js';
import { tempDir } from '../support/tmp.js';

/** One scrape job: targets are `host:port`, scraped at `/metrics`. */
export interface ScrapeJob {
  job: string;
  targets: string[];
  labels?: Record<string, string>;
}

/** The answer of an instant query. */
export interface QueryAnswer {
  status: 'success' | 'error';
  errorType?: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] | [number, string] };
}

/** A running Prometheus. */
export interface Prometheus {
  url: string;
  /** An instant query, evaluated now. */
  query(expr: string): Promise<QueryAnswer>;
  /** Prometheus' log so far (stderr). */
  log(): string;
}

/** A running Alertmanager. */
export interface Alertmanager {
  url: string;
  log(): string;
}

const children: ChildProcess[] = [];
afterAll(async () => {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
          setTimeout(() => c.kill('SIGKILL'), 5000).unref();
        }),
    ),
  );
});

/** Starts `command`, resolving once `ready` answers 200; rejects with its log when it exits or is not ready within 30 s. */
async function startProgram(command: string, args: string[], ready: string): Promise<{ child: ChildProcess; log: () => string }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  for (const started = Date.now(); ; ) {
    if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode}: ${log}`);
    if (Date.now() - started > 30_000) throw new Error(`${command} was not ready within 30 s: ${log}`);
    if (await fetch(ready).then((r) => r.status === 200, () => false)) return { child, log: () => log };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts Prometheus scraping `jobs` every second, with `ruleFiles` evaluated every second and its
 * alerts sent to `alertmanager` (`http://127.0.0.1:PORT`), if given; `flags` are added to its
 * command line (`--query.max-samples=10`).
 */
export async function startPrometheus(options: { jobs: ScrapeJob[]; ruleFiles?: string[]; alertmanager?: string; flags?: string[] }): Promise<Prometheus> {
  const dir = tempDir('toolflow-prometheus-');
  const port = await freePort();
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: options.ruleFiles ?? [],
    ...(options.alertmanager ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [new URL(options.alertmanager).host] }] }] } } : {}),
    scrape_configs: options.jobs.map((j) => ({ job_name: j.job, static_configs: [{ targets: j.targets, ...(j.labels ? { labels: j.labels } : {}) }] })),
  };
  writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
  const url = `http://127.0.0.1:${port}`;
  const { log } = await startProgram(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn', ...(options.flags ?? [])],
    `${url}/-/ready`,
  );
  return {
    url,
    log,
    async query(expr: string) {
      const r = await fetch(`${url}/api/v1/query`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ query: expr }) });
      return (await r.json()) as QueryAnswer;
    },
  };
}

/** Starts Alertmanager with `config` (its YAML configuration, as an object), clustering off. */
export async function startAlertmanager(config: object): Promise<Alertmanager> {
  const dir = tempDir('toolflow-alertmanager-');
  const port = await freePort();
  writeFileSync(join(dir, 'alertmanager.yml'), stringify(config));
  const url = `http://127.0.0.1:${port}`;
  const { log } = await startProgram(
    'prometheus-alertmanager',
    [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=debug'],
    `${url}/-/ready`,
  );
  return { url, log };
}

/** Polls `check` every 250 ms until it returns a value (not undefined); @throws after `ms` naming `what`. */
export async function waitFor<T>(check: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  for (const started = Date.now(); ; ) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() - started > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
