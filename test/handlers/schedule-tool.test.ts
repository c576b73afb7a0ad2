import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '../../shared/errors.js';
import { EventType, makeEvent } from '../../shared/events/catalog.js';
import type { ToolReport } from '../../shared/executor/executor.js';
import { LocalExecutor } from '../../shared/executor/local/local-executor.js';
import { scheduleTool } from '../../shared/handlers/schedule-tool.js';
import { S3ObjectStore } from '../../shared/objects/s3-object-store.js';
import type { Ports } from '../../shared/runtime/ports.js';
import { openSqliteStore } from '../../shared/store/sqlite-store.js';
import { newToolRun, type Store } from '../../shared/store/store.js';
import { FakeExecutor } from '../support/fake-executor.js';
import { startStallingProxy, type StallingProxy } from '../support/stalling-proxy.js';
import { tempDir } from '../support/tmp.js';

/** schedule-tool against a real (SQLite) store and a fake executor. */
async function setup() {
  const store = openSqliteStore(':memory:');
  await store.migrate();
  await store.createTask(
    { id: 't', owner: 'me', name: 'w', status: 'processing', spec: '{}', values_json: '{}', inputs_json: '{}', error: null, created_at: 1, started_at: null, finished_at: null },
    [newToolRun('t', 'x', 1, { cpuMillicores: 100, memBytes: 1e6, diskBytes: null, timeSeconds: null })],
  );
  const executor = new FakeExecutor(() => ({ start: true, exit: null }));
  const ports = { store, executor, reports: { sinkFor: () => () => undefined }, log: pino({ level: 'silent' }) } as unknown as Ports;
  const ready = makeEvent(
    EventType.toolReady,
    '/test',
    { taskId: 't', tool: 'x', attempt: 1, owner: 'me', spec: { name: 'x', cmds: ['true'], env: [], outputs: [] }, values: {}, inputs: {}, deps: [], resources: { cpuMillicores: 100, memBytes: 1e6, diskBytes: null, timeSeconds: null } } as never,
    'ready/t/x/1',
  );
  return { store, executor, ports, ready };
}

describe('schedule-tool', () => {
  it('starts an attempt once, however often its tool.ready is delivered', async () => {
    const { store, executor, ports, ready } = await setup();
    await scheduleTool.handle(ready, ports);
    await scheduleTool.handle(ready, ports);
    expect(executor.started).toHaveLength(1);
    expect((await store.getToolRun({ taskId: 't', tool: 'x', attempt: 1 }))).toMatchObject({ status: 'ready', delivered_at: Date.parse(ready.time), job_name: 'tf-t-x-a1' });
  });

  it('starts the attempt when its move committed but reported false (a statement retried after its response was lost)', async () => {
    const { store, executor, ports, ready } = await setup();
    const lossy: Store = Object.assign(Object.create(store) as Store, {
      moveToolRun: async (...args: Parameters<Store['moveToolRun']>) => {
        await store.moveToolRun(...args);
        return false; // the retry of a committed move finds nothing to move
      },
    });
    await scheduleTool.handle(ready, { ...ports, store: lossy });
    expect(executor.started.map((r) => `${r.tool}/${r.attempt}`)).toEqual(['x/1']);
  });

  it('does nothing for another tool.ready of an attempt delivered already (a stale or fenced-out one)', async () => {
    const { executor, ports, ready } = await setup();
    await scheduleTool.handle(ready, ports);
    const other = { ...ready, id: 'ready/t/x/1-again', time: new Date(Date.parse(ready.time) + 5000).toISOString() };
    const fresh = new FakeExecutor(() => ({ start: true, exit: null }));
    await scheduleTool.handle(other, { ...ports, executor: fresh });
    expect(executor.started).toHaveLength(1);
    expect(fresh.started).toHaveLength(0);
  });
});

describe('schedule-tool while S3 does not answer', () => {
  const dir = tempDir();
  let s3rver: S3rver;
  let proxy: StallingProxy;
  let objects: S3ObjectStore;
  beforeAll(async () => {
    s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dir, 's3rver'), configureBuckets: [{ name: 'toolflow', configs: [] }] });
    const { port } = (await s3rver.run()) as unknown as { port: number };
    proxy = await startStallingProxy('127.0.0.1', port);
    objects = new S3ObjectStore({ bucket: 'toolflow', endpoint: `http://127.0.0.1:${proxy.port}`, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, idleTimeoutMs: 300 });
    writeFileSync(join(dir, 'reads.fq'), '@r1\nACGT\n+\nIIII\n');
    await objects.putFile('me/up1/reads.fq', join(dir, 'reads.fq'));
  });
  afterAll(async () => {
    await objects?.close();
    await proxy?.close();
    await s3rver?.close();
  });

  it('fails the event with the S3 error while the input cannot be staged (for the bus to retry), and starts the attempt once S3 answers', async () => {
    const { store, ports, ready } = await setup();
    const executor = new LocalExecutor({ root: join(dir, 'work'), objects, memoryLimit: 'rlimit' });
    const reports: ToolReport[] = [];
    const event = { ...ready, data: { ...ready.data, inputs: { reads: { key: 'me/up1/reads.fq', fileName: 'reads.fq' } }, resources: { cpuMillicores: 100, memBytes: 256 * 2 ** 20, diskBytes: null, timeSeconds: null }, spec: { name: 'x', image: null, cmds: ['cat "$TF_INPUT_reads" > copy.fq'], env: {}, outputs: ['copy.fq'] } } } as typeof ready;
    const live = { ...ports, executor, reports: { sinkFor: () => (r: ToolReport) => void reports.push(r) } } as typeof ports;
    try {
      proxy.hang = true; // the S3 server takes connections and never answers
      const err = await scheduleTool.handle(event, live).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ServiceUnavailableError);
      expect((err as Error).message).toBe(
        `S3 bucket toolflow at http://127.0.0.1:${proxy.port} is unreachable while downloading me/up1/reads.fq: no answer for 300 ms (the server took the connection and went silent)`,
      );
      expect(reports).toEqual([]); // no launch error: the attempt is not failed
      expect((await store.getToolRun({ taskId: 't', tool: 'x', attempt: 1 }))!.status).toBe('ready');

      proxy.hang = false; // S3 is back: the bus's next try starts the attempt
      await scheduleTool.handle(event, live);
      for (let i = 0; i < 500 && !reports.some((r) => r.kind === 'exit'); i++) await new Promise((r) => setTimeout(r, 20));
      expect(reports.map((r) => r.kind)).toEqual(['start', 'exit']);
      expect(reports[1]).toMatchObject({ exitCode: 0, missingOutputs: [] });
      expect(readFileSync(join(executor.workDirOf('t', 'x', 1), 'copy.fq'), 'utf8')).toBe('@r1\nACGT\n+\nIIII\n');
    } finally {
      proxy.hang = false;
      await executor.close();
    }
  });

  it('still fails the attempt at once when S3 refuses access (no retry cures it)', async () => {
    const { ports, ready } = await setup();
    const denied = new S3ObjectStore({ bucket: 'toolflow', endpoint: `http://127.0.0.1:${proxy.port}`, credentials: { accessKeyId: 'NOSUCHKEY', secretAccessKey: 'S3RVER' } });
    const executor = new LocalExecutor({ root: join(dir, 'work-denied'), objects: denied, memoryLimit: 'rlimit' });
    const reports: ToolReport[] = [];
    const event = { ...ready, data: { ...ready.data, inputs: { reads: { key: 'me/up1/reads.fq', fileName: 'reads.fq' } } } } as typeof ready;
    try {
      await scheduleTool.handle(event, { ...ports, executor, reports: { sinkFor: () => (r: ToolReport) => void reports.push(r) } } as typeof ports);
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatchObject({ kind: 'exit', exitCode: null });
      expect((reports[0] as { launchError?: string }).launchError).toMatch(/refused access \(403 InvalidAccessKeyId\) while downloading me\/up1\/reads\.fq: check AWS_ACCESS_KEY_ID/);
    } finally {
      await executor.close();
      await denied.close();
    }
  });
});
