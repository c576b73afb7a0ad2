import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connect as amqpConnect, type GetMessage } from 'amqplib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EtcdCoordination } from '../../shared/coordination/etcd-coordination.js';
import { amqpNames, fromMessage } from '../../shared/events/amqp-binding.js';
import { EventType, type ToolflowEvent } from '../../shared/events/catalog.js';
import type { UploadDoc } from '../../shared/handlers/upload.js';
import { S3ObjectStore } from '../../shared/objects/s3-object-store.js';
import { openStore } from '../../shared/store/open-store.js';
import { ensureRgw, rgwBucket, rgwEnv, type RgwBucket } from '../support/rgw.js';
import { AMQP_URL, deleteAmqpNamespace, freshMysqlDatabase, requireRabbitmq, runPrefix, skipped } from '../support/services.js';
import { tempDir } from '../support/tmp.js';

const exec = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/toolflow.js');
const EXAMPLES = join(import.meta.dirname, '../../examples');
const home = tempDir();
const namespace = runPrefix();
const etcdEndpoints = inject('etcdEndpoints');
const all = !skipped('mysql') && !skipped('rabbitmq') && !skipped('etcd');

// S3 is radosgw: the input's upload goes through tus's S3 store, which needs ListParts (s3rver answers 405).
describe.skipIf(!all)('services mode: the CLI on RabbitMQ, MariaDB, etcd and S3', () => {
  let db: Awaited<ReturnType<typeof freshMysqlDatabase>>;
  let bucket: RgwBucket;
  let env: NodeJS.ProcessEnv;
  let s3: S3ObjectStore;
  beforeAll(async () => {
    await requireRabbitmq();
    db = await freshMysqlDatabase();
    const rgw = await ensureRgw();
    bucket = await rgwBucket(rgw, `toolflow-${namespace}`);
    s3 = new S3ObjectStore({ bucket: bucket.name, endpoint: rgw.endpoint, credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey } });
    env = {
      ...process.env,
      TOOLFLOW_HOME: join(home, 'run'),
      TOOLFLOW_DATABASE_URL: db.url,
      TOOLFLOW_AMQP_URL: AMQP_URL,
      TOOLFLOW_ETCD_ENDPOINTS: etcdEndpoints,
      ...rgwEnv(rgw, bucket.name),
      TOOLFLOW_NAMESPACE: namespace,
      TOOLFLOW_OWNER: 'ann',
    };
  }, 180_000);
  afterAll(async () => {
    await db?.drop();
    await s3?.close();
    await bucket?.remove();
    await deleteAmqpNamespace(namespace, ['enqueue', 'handle-status', 'rerun-policy', 'recorder']);
  });

  it('runs reads-qc and leaves its rows in MariaDB, its input in S3, its upload document in etcd and its events on the exchange', async () => {
    // A recorder on the deployment's exchange: every event of the run, as it went over the wire.
    // Connections are opened only for a moment: another test file closes every broker connection.
    const names = amqpNames(namespace);
    let conn = await amqpConnect(AMQP_URL);
    let ch = await conn.createChannel();
    await ch.assertExchange(names.exchange, 'topic', { durable: true });
    await ch.assertQueue(names.queue('recorder'), { durable: true });
    await ch.bindQueue(names.queue('recorder'), names.exchange, '#');
    await conn.close();

    const reads = join(EXAMPLES, 'reads-qc/data/reads.fastq');
    const { stdout } = await exec('node', [BIN, 'run', join(EXAMPLES, 'reads-qc/workflow.yaml'), '--input', `reads=${reads}`, '--json'], { env });
    const result = JSON.parse(stdout) as { taskId: string; status: string };
    expect(result.status).toBe('succeeded');

    const store = await openStore(db.url);
    try {
      expect((await store.getTask(result.taskId))!.status).toBe('succeeded');
      const runs = await store.listToolRuns(result.taskId);
      expect(runs).toHaveLength(7);
      expect(runs.every((r) => r.status === 'succeeded' && r.attempt === 1 && r.exit_code === 0)).toBe(true);
    } finally {
      await store.close();
    }

    const keys = await s3.list('ann/');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^ann\/[^/]+\/reads\.fastq$/);
    expect((await s3.head(keys[0]!))!.size).toBe(983_405);
    // The upload is complete: no multipart upload is left open, tus kept only its record under _tus/.
    expect(await bucket.openUploads()).toEqual([]);
    expect(await bucket.keys('_tus/')).toEqual([`_tus/ann/${keys[0]!.split('/')[1]}.info`]);

    const etcd = await EtcdCoordination.connect({ endpoints: etcdEndpoints, namespace, log: pino({ level: 'silent' }) });
    try {
      const uploadId = keys[0]!.split('/')[1]!;
      expect(await etcd.get<UploadDoc>(`uploads/ann/${uploadId}`)).toMatchObject({ status: 'successful', owner: 'ann', key: keys[0], size: 983_405, sha256: createHash('sha256').update(readFileSync(reads)).digest('hex') });
    } finally {
      await etcd.close();
    }

    conn = await amqpConnect(AMQP_URL);
    ch = await conn.createChannel();
    const events: ToolflowEvent[] = [];
    for (let msg: GetMessage | false; (msg = await ch.get(names.queue('recorder'), { noAck: true })); ) events.push(fromMessage(msg));
    const count = (type: string) => events.filter((e) => e.type === type && e.data.taskId === result.taskId).length;
    expect(count(EventType.taskSubmitted)).toBe(1);
    expect(count(EventType.taskQueued)).toBe(1);
    expect(count(EventType.taskStarted)).toBe(1);
    expect(count(EventType.toolReady)).toBe(7);
    expect(count(EventType.toolStarted)).toBe(7);
    expect(count(EventType.toolExited)).toBe(7);
    expect(count(EventType.toolSucceeded)).toBe(7);
    expect(count(EventType.taskSucceeded)).toBe(1);
    // Task-scoped queues are gone once the task is done; the shared ones stay, empty.
    for (const q of ['work-manager/', 'schedule-tool/', 'start-workflow/', 'wait/'].map((c) => names.queue(c + result.taskId))) {
      await expect(amqpConnect(AMQP_URL).then(async (c) => {
        try {
          c.on('error', () => undefined);
          const probe = await c.createChannel();
          probe.on('error', () => undefined); // checkQueue of a missing queue closes the channel
          return await probe.checkQueue(q);
        } finally {
          await c.close().catch(() => undefined);
        }
      })).rejects.toThrow(/NOT_FOUND/);
    }
    expect((await ch.checkQueue(names.queue('handle-status'))).messageCount).toBe(0);
    await conn.close();
  });

  it('names each unreachable backend at start-up, credentials masked, exit 2', async () => {
    const cases: [NodeJS.ProcessEnv, RegExp][] = [
      [{ TOOLFLOW_AMQP_URL: 'amqp://guest:s3cret@127.0.0.1:1' }, /RabbitMQ at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1 is unreachable/],
      [{ TOOLFLOW_ETCD_ENDPOINTS: 'http://root:s3cret@127.0.0.1:1' }, /etcd at http:\/\/root:\*\*\*@127\.0\.0\.1:1 is unreachable/],
      [{ TOOLFLOW_S3_BUCKET: 'nope', TOOLFLOW_S3_ENDPOINT: 'http://127.0.0.1:1' }, /S3 bucket nope at http:\/\/127\.0\.0\.1:1 is unreachable/],
    ];
    for (const [bad, message] of cases) {
      const r = await exec('node', [BIN, 'run', join(EXAMPLES, 'oom-rerun/workflow.yaml')], { env: { ...env, ...bad } }).catch((e: { code: number; stderr: string }) => e);
      expect(r).toMatchObject({ code: 2 });
      expect((r as { stderr: string }).stderr).toMatch(message);
      expect((r as { stderr: string }).stderr).not.toContain('s3cret');
    }
  });
});
