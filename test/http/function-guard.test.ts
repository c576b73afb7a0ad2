/**
 * Who may call an event function process, and when it is ready (issue 8, a new user's trial):
 * `toolflow function NAME` (faas-js-runtime) and `node dist/functions/NAME/index.js` (the raw
 * server, OpenFaaS) with `TOOLFLOW_FUNCTION_SECRET` refuse forged CloudEvents without it (401
 * UNAUTHENTICATED: a `task.failed` for another owner's running task, a `task.submitted` for any
 * owner), keep the health paths open, and answer readiness 503 while the store does not answer;
 * `toolflow function` serves loopback only unless `--host 0.0.0.0`, sends no CORS headers, and
 * answers a structured batch 400 EVENT_INVALID. Real processes, real MariaDB, a K_SINK server here.
 */
import { execFile } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventType, makeEvent } from '../../shared/events/catalog.js';
import { newToolRun, type Store } from '../../shared/store/store.js';
import { openStore } from '../../shared/store/open-store.js';
import { freshMysqlDatabase, skipped } from '../support/services.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { tempDir } from '../support/tmp.js';
import { binary, post, startFunctionProcess, startSink, structured, submitted, type FunctionProcess, type Message, type Sink } from './helpers.js';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/toolflow.js');
const SECRET = 'test-function-secret-0123456789abcdef';
const home = tempDir();
const withAuth = (m: Message, token: string): Message => ({ ...m, headers: { ...m.headers, authorization: `Bearer ${token}` } });
const toolflowFunction = (name: string, ...extra: string[]) => (port: number) => [BIN, 'function', name, '--port', String(port), ...extra];
const rawFunction = (name: string) => () => [join(ROOT, `dist/functions/${name}/index.js`)];

/** This machine's addresses that are not loopback (one IPv4, one IPv6 when it has them). */
function otherAddresses(): string[] {
  const all = Object.values(networkInterfaces()).flat().filter((a) => a !== undefined && !a.internal && !a.address.startsWith('fe80:'));
  return [all.find((a) => a!.family === 'IPv4'), all.find((a) => a!.family === 'IPv6')].filter((a) => a !== undefined).map((a) => a.address);
}
const urlOf = (address: string, port: number) => `http://${address.includes(':') ? `[${address}]` : address}:${port}`;

describe.skipIf(skipped('mysql'))('event function processes: the function secret, the address, readiness', () => {
  let db: Awaited<ReturnType<typeof freshMysqlDatabase>>;
  let store: Store;
  let sink: Sink;
  let proxy: TcpProxy;
  let env: Record<string, string>;
  const procs: FunctionProcess[] = [];
  const start = async (args: (port: number) => string[], extra: Record<string, string> = {}) => {
    const p = await startFunctionProcess(args, { ...env, ...extra });
    procs.push(p);
    return p;
  };

  beforeAll(async () => {
    db = await freshMysqlDatabase();
    store = await openStore(db.url);
    sink = await startSink();
    const u = new URL(db.url);
    proxy = await startTcpProxy(u.hostname, Number(u.port || 3306));
    // The database through a proxy this test can cut.
    env = { TOOLFLOW_HOME: home, TOOLFLOW_DATABASE_URL: `mysql://${u.username}@127.0.0.1:${proxy.port}${u.pathname}`, K_SINK: sink.url, TOOLFLOW_FUNCTION_SECRET: SECRET };
  });
  afterAll(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await sink?.close();
    await proxy?.close();
    await store?.close();
    await db?.drop();
  });

  it('toolflow function handle-status refuses a forged task.failed without the secret (401 UNAUTHENTICATED): another owner’s running task stays running', async () => {
    const fn = await start(toolflowFunction('handle-status'));
    const sub = submitted();
    const t = sub.data.spec.tools[0]!;
    await store.createTask({ id: sub.data.taskId, owner: 'ann', name: 'http-fn', status: 'processing', spec: '{}', values_json: '{}', inputs_json: '{}', error: null, created_at: Date.now(), started_at: Date.now(), finished_at: null }, [newToolRun(sub.data.taskId, 'a', 1, t)]);
    const forged = binary(makeEvent(EventType.taskFailed, '/attacker', { taskId: sub.data.taskId, error: 'forged' }));
    for (const m of [forged, withAuth(forged, 'not-the-secret-at-all-0123'), withAuth(forged, `${SECRET}x`)]) {
      const r = await post(fn.url, m);
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ code: 'UNAUTHENTICATED', message: expect.stringContaining('Authorization: Bearer <TOOLFLOW_FUNCTION_SECRET>') });
      expect(r.text).not.toContain(SECRET);
    }
    expect((await store.getTask(sub.data.taskId))?.status).toBe('processing');
    // Health stays open.
    expect((await fetch(`${fn.url}/health/liveness`)).status).toBe(200);
    expect((await fetch(`${fn.url}/health/readiness`)).status).toBe(200);
    expect(fn.stderr()).not.toContain(SECRET);
  });

  it('toolflow function enqueue refuses a forged task.submitted for any owner without the secret, and takes it with the secret (202)', async () => {
    const fn = await start(toolflowFunction('enqueue'));
    const sub = submitted();
    const forged = { ...sub, data: { ...sub.data, owner: 'bob' } };
    for (const m of [binary(forged), structured(forged)]) expect((await post(fn.url, m)).status).toBe(401);
    expect(await store.getTask(sub.data.taskId)).toBeUndefined();
    expect(sink.received.filter((m) => m.event.subject === sub.data.taskId)).toEqual([]);
    expect((await post(fn.url, withAuth(binary(forged), SECRET))).status).toBe(202);
    expect((await store.getTask(sub.data.taskId))?.owner).toBe('bob');
  });

  it('node dist/functions/enqueue/index.js (OpenFaaS) refuses a call without the secret on any path, health open', async () => {
    const fn = await start(rawFunction('enqueue'));
    const sub = submitted();
    const r = await post(`${fn.url}/function/enqueue`, binary(sub));
    expect([r.status, (r.body as { code?: string }).code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(await store.getTask(sub.data.taskId)).toBeUndefined();
    expect((await fetch(`${fn.url}/health/liveness`)).status).toBe(200);
    expect((await post(`${fn.url}/function/enqueue`, withAuth(binary(sub), SECRET))).status).toBe(202);
  });

  it('readiness answers 503 while the store does not answer, under both servers, and 200 once it is back', async () => {
    const fns = [await start(toolflowFunction('enqueue')), await start(rawFunction('enqueue'))];
    proxy.cut();
    try {
      for (const fn of fns) {
        const r = await fetch(`${fn.url}/health/readiness`);
        expect(r.status, fn.child.spawnargs.join(' ')).toBe(503);
        expect(await r.text()).toContain('the store does not answer');
        expect((await fetch(`${fn.url}/health/liveness`)).status).toBe(200);
      }
    } finally {
      proxy.restore();
    }
    for (const fn of fns) {
      let status = 0;
      for (let i = 0; i < 200 && status !== 200; i++, await new Promise((r) => setTimeout(r, 50))) status = (await fetch(`${fn.url}/health/readiness`)).status;
      expect(status).toBe(200);
    }
  });

  it('toolflow function answers a structured batch ([] or one event) 400 EVENT_INVALID, not 500; without the secret 401', async () => {
    const open = await start(toolflowFunction('enqueue'), { TOOLFLOW_FUNCTION_SECRET: '' });
    const closed = await start(toolflowFunction('enqueue'));
    const sub = submitted();
    const batches: Message[] = ['[]', `[${structured(sub).body}]`].map((body) => ({ headers: { 'content-type': 'application/cloudevents-batch+json' }, body }));
    for (const [url, auth] of [[open.url, undefined], [closed.url, SECRET]] as const) {
      for (const b of batches) {
        const r = await post(url, auth ? withAuth(b, auth) : b);
        expect(r.status).toBe(400);
        expect(r.body).toEqual({ code: 'EVENT_INVALID', message: expect.stringContaining('batches are not taken; send one event per request') });
      }
    }
    expect((await post(closed.url, batches[1]!)).status).toBe(401);
    expect(await store.getTask(sub.data.taskId)).toBeUndefined();
  });

  it('toolflow function sends no CORS headers: not on a POST, not on an OPTIONS preflight', async () => {
    const fn = await start(toolflowFunction('enqueue'));
    const ok = withAuth(binary(submitted()), SECRET);
    const answers = [
      await fetch(fn.url, { method: 'POST', headers: { ...ok.headers, origin: 'http://evil.example' }, body: ok.body }),
      await fetch(fn.url, { method: 'POST', headers: { origin: 'http://evil.example', 'content-type': 'application/json' }, body: '{}' }),
      await fetch(fn.url, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'ce-id, authorization' } }),
    ];
    expect(answers.map((a) => a.status)).toEqual([202, 401, 204]);
    for (const a of answers) expect([...a.headers.keys()].filter((k) => k.startsWith('access-control-'))).toEqual([]);
  });

  it('toolflow function serves loopback only by default, and every interface with --host 0.0.0.0 (with a warning when no secret is set)', async () => {
    const others = otherAddresses();
    expect(others.length, 'this machine has an address that is not loopback').toBeGreaterThan(0);
    const local = await start(toolflowFunction('enqueue'));
    for (const address of others) {
      await expect(fetch(`${urlOf(address, local.port)}/health/liveness`), address).rejects.toThrow();
    }
    // Loopback on IPv6 too, so `localhost` works whichever family a client tries first.
    expect((await fetch(`http://localhost:${local.port}/health/liveness`)).status).toBe(200);
    expect((await fetch(`http://[::1]:${local.port}/health/liveness`)).status).toBe(200);
    const everywhere = await start(toolflowFunction('enqueue', '--host', '0.0.0.0'), { TOOLFLOW_FUNCTION_SECRET: '' });
    for (const address of others) expect((await fetch(`${urlOf(address, everywhere.port)}/health/liveness`)).status, address).toBe(200);
    expect(everywhere.stderr()).toContain('warning: no TOOLFLOW_FUNCTION_SECRET, so anyone who reaches this port can post events');
    expect(local.stderr()).not.toContain('warning');
  });
});

describe('toolflow function refuses a host or secret it cannot use', () => {
  const run = (args: string[], env: Record<string, string> = {}) =>
    promisify(execFile)('node', [BIN, 'function', ...args], { env: { ...process.env, TOOLFLOW_HOME: home, K_SINK: 'http://127.0.0.1:1/', ...env } }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );

  it('a --host that is not an IP address (exit 2)', async () => {
    const r = await run(['enqueue', '--host', 'example.com']);
    expect(r).toEqual({ code: 2, stderr: expect.stringContaining('--host example.com: give an IP address of this machine') });
  });

  it('a TOOLFLOW_FUNCTION_SECRET shorter than 16 characters, without printing it (exit 2)', async () => {
    const r = await run(['enqueue'], { TOOLFLOW_FUNCTION_SECRET: 'hunter2' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TOOLFLOW_FUNCTION_SECRET must be at least 16 characters');
    expect(r.stderr).not.toContain('hunter2');
  });
});
